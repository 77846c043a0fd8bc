import type { Redis } from "ioredis";
import { SUBSCRIBER_OPTIONS } from "../redis/connection-options";
import { jobChangeSchema, type JobChange } from "../../../shared/job";
import type { JobKeys } from "./job-keys";

export interface JobChangeSubscription {
  close(): Promise<void>;
}

/**
 * Subscribes to the store's change channel on a dedicated connection (a subscribed ioredis
 * connection can do nothing else). Messages that do not parse are reported, not fatal.
 */
export async function subscribeToJobChanges(
  redis: Redis,
  keys: JobKeys,
  onChange: (change: JobChange) => void,
  onMalformed: (reason: string) => void = () => {},
): Promise<JobChangeSubscription> {
  const subscriber = redis.duplicate(SUBSCRIBER_OPTIONS);
  const channel = keys.changes();
  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
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
  });
  // ioredis re-subscribes by itself after a reconnect.
  subscriber.on("error", () => {});
  await subscriber.subscribe(channel);
  return {
    close: async () => {
      subscriber.disconnect();
    },
  };
}
