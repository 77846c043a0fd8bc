let base: number | null = null;

/**
 * Wall-clock time in ms with µs precision that processes on one machine agree on (to well
 * under 0.1 ms): calibrated once against the edge of a Date.now() tick, then advanced with
 * the monotonic clock. performance.timeOrigin alone can be off by a ms or more per process.
 */
export function wallClockMs(): number {
  if (base === null) {
    const first = Date.now();
    let tick = first;
    while (tick === first) tick = Date.now();
    base = tick - performance.now();
  }
  return base + performance.now();
}
