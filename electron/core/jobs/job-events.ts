import type { Redis } from "ioredis";
import { SUBSCRIBER_OPTIONS } from "../redis/connection-options";
import { jobChangeSchema, type JobChange } from "../../../shared/job";
import type { JobKeys } from "./job-keys";

export interface JobChangeSubscription {
  close(): Promise<void>;
}

/**
 * Listens on one channel on a dedicated connection (a subscribed ioredis connection can do
 * nothing else). ioredis reconnects and re-subscribes by itself; its connection errors are
 * passed to `onError` so they are logged instead of lost.
 */
async function subscribe(redis: Redis, channel: string, onMessage: (message: string) => void, onError: (error: Error) => void): Promise<JobChangeSubscription> {
  const subscriber = redis.duplicate(SUBSCRIBER_OPTIONS);
  subscriber.on("message", (from: string, message: string) => {
    if (from === channel) onMessage(message);
  });
  subscriber.on("error", onError);
  await subscriber.subscribe(channel);
  return {
    close: async () => {
      subscriber.disconnect();
    },
  };
}

/** Subscribes to the store's change channel. Messages that do not parse are reported, not fatal. */
export function subscribeToJobChanges(
  redis: Redis,
  keys: JobKeys,
  onChange: (change: JobChange) => void,
  onMalformed: (reason: string) => void = () => {},
  onError: (error: Error) => void = () => {},
): Promise<JobChangeSubscription> {
  return subscribe(
    redis,
    keys.changes(),
    (message) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        onMalformed(`change message is not JSON: ${message.slice(0, 80)}`);
        return;
      }
      const change = jobChangeSchema.safeParse(parsed);
      if (change.success) onChange(change.data);
      else onMalformed(`change message does not match the schema: ${change.error.issues[0]?.message ?? ""}`);
    },
    onError,
  );
}

/** Subscribes to cancel requests: each message is the id of a job whose run must stop. */
export function subscribeToCancelRequests(
  redis: Redis,
  keys: JobKeys,
  onCancel: (id: string) => void,
  onError: (error: Error) => void = () => {},
): Promise<JobChangeSubscription> {
  return subscribe(redis, keys.cancellations(), onCancel, onError);
}
