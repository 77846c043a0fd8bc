import type { Redis } from "ioredis";

/**
 * Every key under the prefix with its type and content, to compare before and after a write
 * that must leave nothing behind.
 */
export async function snapshotKeys(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await redis.keys(`${prefix}*`)).sort()) {
    const type = await redis.type(key);
    out[key] =
      type === "hash"
        ? await redis.hgetall(key)
        : type === "zset"
          ? await redis.zrange(key, "0", "-1", "WITHSCORES")
          : type === "string"
            ? await redis.get(key)
            : type === "list"
              ? await redis.lrange(key, 0, -1)
              : type === "set"
                ? (await redis.smembers(key)).sort()
                : type;
  }
  return out;
}

/**
 * How many job records Redis read during `action`: its count of HMGET calls (scripts'
 * included; the store reads a hash record's summary with one HMGET). Other clients of the
 * same server must be idle meanwhile.
 */
export async function recordsRead(redis: Redis, action: () => Promise<unknown>): Promise<number> {
  const calls = async () => Number(/cmdstat_hmget:calls=(\d+)/.exec(await redis.info("commandstats"))?.[1] ?? 0);
  const before = await calls();
  await action();
  return (await calls()) - before;
}

/**
 * How many GET calls Redis ran during `action` (scripts' included): the store reads one of
 * the web app's JSON records with one GET (and the team's index version marker with one per
 * listing). Other clients of the same server must be idle meanwhile.
 */
export async function stringsRead(redis: Redis, action: () => Promise<unknown>): Promise<number> {
  const calls = async () => Number(/cmdstat_get:calls=(\d+)/.exec(await redis.info("commandstats"))?.[1] ?? 0);
  const before = await calls();
  await action();
  return (await calls()) - before;
}
