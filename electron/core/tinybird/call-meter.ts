import { AsyncLocalStorage } from "node:async_hooks";

/** Tinybird calls that left for one piece of work (an export attempt). */
export interface CallMeter {
  calls: number;
}

const current = new AsyncLocalStorage<CallMeter>();

/**
 * Runs `work` with `meter` counting every Tinybird request it sends, however deep the call
 * (analytics modes need not pass it along): the client reads the meter of the caller's
 * async context when a query starts.
 */
export function meterTinybirdCalls<T>(meter: CallMeter, work: () => Promise<T>): Promise<T> {
  return current.run(meter, work);
}

/** The meter of the work calling now, if any. */
export function currentCallMeter(): CallMeter | undefined {
  return current.getStore();
}
