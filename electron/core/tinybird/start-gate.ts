import type { Redis } from "ioredis";
import { sleep } from "../time/sleep";
import { wallClockMs } from "../time/wall-clock";

/** The gate's Redis keys when the limit is shared. */
export interface SharedGateKeys {
  /** The earliest next release (ms). */
  nextRelease: string;
  /** Until when a server-requested pause (Retry-After) holds every release (ms). */
  hold: string;
}

/**
 * The last check before a request leaves. Bottleneck spaces job launches with Date.now() and
 * setTimeout, which can fire a couple of ms early, and it knows nothing of a pause the server
 * asked for. The gate releases a request only when it is at least minTime after the previous
 * release and no hold is in force, checked in one Redis script when the limit is shared, and
 * reports that release time. A request leaves right after passing the gate.
 */
export class StartGate {
  private localNext = 0;
  private localHold = 0;
  private readonly scripts?: GateScripts;

  constructor(
    private readonly minTime: () => number,
    private readonly shared?: { redis: Redis; keys: SharedGateKeys },
  ) {
    if (shared) this.scripts = defineGateScripts(shared.redis);
  }

  /** Waits until this request may start; returns the release time (wall clock, ms). */
  async pass(signal?: AbortSignal): Promise<number> {
    for (;;) {
      const now = wallClockMs();
      const localWait = Math.max(this.localNext, this.localHold) - now;
      if (localWait > 0) {
        await sleep(localWait, signal);
        continue;
      }
      if (this.shared) {
        const wait = await this.tryShared(now);
        if (wait > 0) {
          await sleep(wait, signal);
          continue;
        }
      }
      // Kept locally too, so a flushed Redis cannot make this process release too early.
      this.localNext = now + this.minTime();
      return now;
    }
  }

  /**
   * Holds every release until `untilMs` (wall clock): this process's at once, every process
   * sharing the limit once the returned promise resolves. A later hold never shortens one.
   */
  async hold(untilMs: number): Promise<void> {
    this.localHold = Math.max(this.localHold, untilMs);
    if (!this.shared) return;
    const { keys } = this.shared;
    await this.scripts!.hold(keys.hold, untilMs.toFixed(3), Math.ceil(Math.max(0, untilMs - wallClockMs())) + 60_000);
  }

  /** 0 when released at `now`, else ms to wait before asking again. */
  private async tryShared(now: number): Promise<number> {
    const { keys } = this.shared!;
    const reply = await this.scripts!.release(keys.nextRelease, keys.hold, now.toFixed(3), this.minTime());
    return Number(reply);
  }
}

/**
 * KEYS: next-release key, hold key. ARGV: caller's now (ms), minTime (ms).
 * Releases when now has reached both. Like bottleneck's own scripts, it trusts the callers'
 * clocks (one machine, or NTP-synced hosts).
 */
const RELEASE_SCRIPT = `
local now = tonumber(ARGV[1])
local nextRelease = tonumber(redis.call('GET', KEYS[1]) or '0')
local holdUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
local blockedUntil = math.max(nextRelease, holdUntil)
if now < blockedUntil then return tostring(blockedUntil - now) end
redis.call('SET', KEYS[1], string.format('%.3f', now + tonumber(ARGV[2])), 'PX', tonumber(ARGV[2]) + 60000)
return '0'
`;

/** KEYS: hold key. ARGV: hold until (ms), key lifetime (ms). Only ever extends the hold. */
const HOLD_SCRIPT = `
local untilMs = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], string.format('%.3f', untilMs), 'PX', tonumber(ARGV[2])) end
return 'OK'
`;

interface GateScripts {
  release(nextReleaseKey: string, holdKey: string, now: string, minTime: number): Promise<unknown>;
  hold(holdKey: string, untilMs: string, lifetimeMs: number): Promise<unknown>;
}

/** Defines the scripts with ioredis `defineCommand` (EVALSHA, EVAL after a restart emptied the script cache). */
function defineGateScripts(redis: Redis): GateScripts {
  redis.defineCommand("tinybirdGateRelease", { numberOfKeys: 2, lua: RELEASE_SCRIPT });
  redis.defineCommand("tinybirdGateHold", { numberOfKeys: 1, lua: HOLD_SCRIPT });
  const commands = redis as unknown as Record<"tinybirdGateRelease" | "tinybirdGateHold", (...args: (string | number)[]) => Promise<unknown>>;
  return {
    release: (...args) => commands.tinybirdGateRelease.call(redis, ...args),
    hold: (...args) => commands.tinybirdGateHold.call(redis, ...args),
  };
}
