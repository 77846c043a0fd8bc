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
