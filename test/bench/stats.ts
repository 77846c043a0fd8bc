/** Small statistics over samples (ms, bytes, …): nearest-rank percentiles, no interpolation. */

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  return samples.reduce((sum, value) => sum + value, 0) / samples.length;
}

export function max(samples: readonly number[]): number {
  return samples.reduce((top, value) => Math.max(top, value), Number.NEGATIVE_INFINITY);
}

export function min(samples: readonly number[]): number {
  return samples.reduce((low, value) => Math.min(low, value), Number.POSITIVE_INFINITY);
}

export interface Summary {
  n: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  return { n: samples.length, median: median(samples), p95: percentile(samples, 95), max: max(samples), mean: mean(samples) };
}
