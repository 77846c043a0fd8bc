import { createParser } from "eventsource-parser";

export interface ChangeStreamOptions {
  url: string;
  token: string;
  fetch: typeof fetch;
  onData: (data: string) => void;
  /** First reconnect delay; doubles up to maxDelayMs, back to this after a good connection. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Reads the server's /api/events stream with fetch (so the token travels in a header,
 * which EventSource cannot do) and reconnects with exponential backoff until stopped.
 */
export function openChangeStream(options: ChangeStreamOptions): () => void {
  const minDelay = options.minDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const controller = new AbortController();
  let delay = minDelay;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      controller.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });

  const readOnce = async () => {
    const response = await options.fetch(options.url, {
      headers: { Authorization: `Bearer ${options.token}`, Accept: "text/event-stream" },
      signal: controller.signal,
      cache: "no-store",
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    // A fresh parser per connection: an event cut off by a lost connection is dropped.
    const parser = createParser({ onEvent: (event) => options.onData(event.data) });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      delay = minDelay; // the server is answering: the next reconnect starts fast again
      parser.feed(decoder.decode(value, { stream: true }));
    }
  };

  void (async () => {
    while (!controller.signal.aborted) {
      try {
        await readOnce();
      } catch {
        // network error or abort: reconnect below unless stopped
      }
      if (controller.signal.aborted) return;
      await wait(delay);
      delay = Math.min(delay * 2, maxDelay);
    }
  })();

  return () => controller.abort();
}
