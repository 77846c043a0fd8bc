/**
 * mulberry32: a tiny seedable generator, the same on every machine. Used wherever runs must
 * be repeatable: demo data, the emulator's jitter and fault picks, generated test input.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator with the helpers data generation keeps needing. */
export class SeededRandom {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Earlier items are picked more often (popular documents, busy datarooms). */
  pickSkewed<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() ** 1.6 * items.length)]!;
  }
}
