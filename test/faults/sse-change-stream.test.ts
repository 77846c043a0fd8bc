import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openChangeStream } from "../../renderer/src/api/change-stream";

/*
 * Issue 10 item 11: the console's server-sent-events client. Chunk boundaries are exact
 * here (a Response over a stream of the given chunks, through the same code path as a
 * network body); reconnects go through a real HTTP server.
 */

/** Collects onData calls; `next(n)` resolves once n have arrived. */
function collector() {
  const received: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    received,
    onData: (data: string) => {
      received.push(data);
      for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
    },
    next: (count: number) =>
      new Promise<void>((resolve) => {
        if (received.length >= count) resolve();
        else waiters.push({ count, resolve });
      }),
  };
}

/** A fetch whose one answer is a 200 event stream delivering exactly these byte chunks, then nothing more. */
function fetchOfChunks(chunks: (string | Uint8Array)[]): typeof fetch {
  let served = false;
  return async () => {
    if (served) return new Promise<Response>(() => undefined); // never reconnected while the test reads
    served = true;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      },
    });
    return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
  };
}

let stop: (() => void) | undefined;
let server: Server | undefined;
afterEach(async () => {
  stop?.();
  stop = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  server = undefined;
});

async function readEvents(chunks: (string | Uint8Array)[], expectedCount: number): Promise<string[]> {
  const events = collector();
  stop = openChangeStream({ url: "http://test/api/events", token: "t", fetch: fetchOfChunks([...chunks, "data: end\n\n"]), onData: events.onData });
  await events.next(expectedCount + 1);
  expect(events.received.at(-1)).toBe("end");
  return events.received.slice(0, -1);
}

describe("change stream: chunk boundaries", () => {
  it("reads a CRLF split across two chunks as one line break (one event, not two)", async () => {
    expect(await readEvents(["data: a\r", "\ndata: b\r\n\r\n"], 1)).toEqual(["a\nb"]);
  });

  it("reads CR, LF and CRLF line ends, comments and fields split anywhere", async () => {
    expect(await readEvents([": connected\r", "\r", "da", "ta: {\"a\":1}\r", "\r", "event: job\n", "data:x\n\n", "retry: 10\n\n"], 2)).toEqual(['{"a":1}', "x"]);
  });

  it("reads a UTF-8 character split across two chunks", async () => {
    const bytes = new TextEncoder().encode("data: café\n\n");
    const split = bytes.indexOf(0xc3) + 1; // inside the two bytes of "é"
    expect(await readEvents([bytes.slice(0, split), bytes.slice(split)], 1)).toEqual(["café"]);
  });
});

describe("change stream: reconnects (real HTTP)", () => {
  async function serve(handler: (request: IncomingMessage, response: ServerResponse, connection: number) => void): Promise<string> {
    let connections = 0;
    server = createServer((request, response) => handler(request, response, ++connections));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;
  }

  it("drops an event cut off by a lost connection and reads the next connection from a clean start", async () => {
    const url = await serve((request, response, connection) => {
      expect(request.headers.authorization).toBe("Bearer secret");
      response.writeHead(200, { "Content-Type": "text/event-stream" });
      if (connection === 1) {
        response.write("data: one\n\ndata: cut");
        setTimeout(() => response.socket?.destroy(), 20); // lost mid-event
      } else {
        response.write("\ndata: two\n\n"); // a fresh stream's leading blank line must not complete "cut"
      }
    });
    const events = collector();
    stop = openChangeStream({ url, token: "secret", fetch, onData: events.onData, minDelayMs: 10, maxDelayMs: 20 });
    await events.next(2);
    expect(events.received).toEqual(["one", "two"]);
  });

  it("keeps reconnecting after error answers and after the server ends the stream", async () => {
    const url = await serve((_request, response, connection) => {
      if (connection <= 2) {
        response.writeHead(503).end();
        return;
      }
      response.writeHead(200, { "Content-Type": "text/event-stream" });
      response.end(`data: connection ${connection}\n\n`); // the server ends the stream: reconnect
    });
    const events = collector();
    stop = openChangeStream({ url, token: "secret", fetch, onData: events.onData, minDelayMs: 10, maxDelayMs: 20 });
    await events.next(2);
    expect(events.received.slice(0, 2)).toEqual(["connection 3", "connection 4"]);
  });
});
