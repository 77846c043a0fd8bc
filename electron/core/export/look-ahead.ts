/**
 * Maps the items of `source` with up to `depth` mappings in flight, yielding results in the
 * source's order. Enriching the next window of views while the current one finishes keeps
 * the rate limiter busy across window boundaries (a window's slowest requests no longer
 * leave it idle), while memory stays bounded by `depth` windows.
 */
export async function* lookAhead<T, R>(source: AsyncIterable<T> | Iterable<T>, map: (item: T) => Promise<R>, depth: number): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  try {
    for await (const item of source) {
      const mapped = map(item);
      // Awaited in order below; until then a rejection must not count as unhandled.
      mapped.catch(() => undefined);
      pending.push(mapped);
      if (pending.length >= depth) yield await pending.shift()!;
    }
    while (pending.length > 0) yield await pending.shift()!;
  } finally {
    // On an early exit (error, abort) wait for what is still running, ignoring its outcome.
    await Promise.allSettled(pending);
  }
}

/** The items of pages of `source`, regrouped into windows of `size` (filled across pages; the last may be short). */
export async function* windows<T>(source: AsyncIterable<T[]>, size: number): AsyncGenerator<T[]> {
  let window: T[] = [];
  for await (const page of source) {
    for (const item of page) {
      window.push(item);
      if (window.length >= size) {
        yield window;
        window = [];
      }
    }
  }
  if (window.length > 0) yield window;
}
