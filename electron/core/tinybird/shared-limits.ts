import { hostname } from "node:os";
import type { Redis } from "ioredis";

/** A limit as every runner on one Redis sees it, with who set it and when. */
export interface SharedLimitValue {
  maxConcurrent: number;
  minTime: number;
  /** When the runner that set it started (epoch ms). */
  setAt: number;
  /** host:pid of that runner. */
  by: string;
}

/**
 * The one limit all runners sharing a clustered limiter apply, kept in a Redis hash.
 * The rule when processes disagree: the most recently started runner's limit wins. Each
 * runner publishes its own limit when it starts and re-reads the hash every few seconds,
 * adopting whatever is there; a runner that finds the hash gone (Redis flushed) puts back
 * the limit it was applying.
 */
export class SharedLimits {
  readonly by = `${hostname()}:${process.pid}`;
  private readonly restore: (key: string, ...args: (string | number)[]) => Promise<unknown>;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {
    // ioredis defineCommand: EVALSHA, EVAL after a restart emptied the script cache.
    redis.defineCommand("tinybirdLimitsRestore", { numberOfKeys: 1, lua: RESTORE_SCRIPT });
    const command = (redis as unknown as Record<"tinybirdLimitsRestore", (...args: (string | number)[]) => Promise<unknown>>).tinybirdLimitsRestore;
    this.restore = (...args) => command.call(redis, ...args);
  }

  /** This runner started with `limits`: they now apply to every runner. */
  async publish(limits: { maxConcurrent: number; minTime: number }): Promise<SharedLimitValue> {
    const value = { ...limits, setAt: Date.now(), by: this.by };
    await this.redis.hset(this.key, { maxConcurrent: value.maxConcurrent, minTime: value.minTime, setAt: value.setAt, by: value.by });
    return value;
  }

  /** The limit in force; puts `fallback` back first when the hash is gone. Null when unreadable. */
  async read(fallback: SharedLimitValue): Promise<SharedLimitValue | null> {
    const reply = (await this.restore(this.key, fallback.maxConcurrent, fallback.minTime, fallback.setAt, fallback.by)) as string[];
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < reply.length; i += 2) fields.set(reply[i]!, reply[i + 1]!);
    const value = {
      maxConcurrent: Number(fields.get("maxConcurrent")),
      minTime: Number(fields.get("minTime")),
      setAt: Number(fields.get("setAt")),
      by: fields.get("by") ?? "unknown",
    };
    return Number.isFinite(value.maxConcurrent) && Number.isFinite(value.minTime) ? value : null;
  }
}

/** KEYS: the limits hash. ARGV: fallback maxConcurrent, minTime, setAt, by. Returns HGETALL. */
const RESTORE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'maxConcurrent', ARGV[1], 'minTime', ARGV[2], 'setAt', ARGV[3], 'by', ARGV[4])
end
return redis.call('HGETALL', KEYS[1])
`;
