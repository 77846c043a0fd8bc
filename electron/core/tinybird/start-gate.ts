import type { Redis } from "ioredis";
import { LuaScript } from "../redis/lua-script";
import { sleep } from "../time/sleep";
import { wallClockMs } from "../time/wall-clock";

/**
 * Bottleneck spaces job launches with Date.now() and setTimeout, which can fire a couple of
 * ms early, so two launches can be slightly closer than minTime. The gate makes the spacing
 * exact: a request is released only at a time at least minTime after the previous release
 * (checked in Redis when the limiter is shared), and that release time is what it reports.
 */
export class StartGate {
  private localNext = 0;

  constructor(
    private readonly minTime: number,
    private readonly shared?: { redis: Redis; key: string },
  ) {}

  /** Waits until this request may start; returns the release time (wall clock, ms). */
  async pass(signal?: AbortSignal): Promise<number> {
    for (;;) {
      const now = wallClockMs();
      if (now < this.localNext) {
        await sleep(this.localNext - now, signal);
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
      this.localNext = now + this.minTime;
      return now;
    }
  }

  /** 0 when released at `now`, else ms to wait before asking again. */
  private async tryShared(now: number): Promise<number> {
    const { redis, key } = this.shared!;
    const reply = await releaseScript.run(redis, [key], [now.toFixed(3), this.minTime]);
    return Number(reply);
  }
}

/**
 * KEYS: gate key (the earliest next release, ms). ARGV: caller's now (ms), minTime (ms).
 * Releases when now has reached it. Like bottleneck's own scripts, it trusts the callers'
 * clocks (one machine, or NTP-synced hosts).
 */
const releaseScript = new LuaScript(`
local now = tonumber(ARGV[1])
local nextRelease = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nextRelease then return tostring(nextRelease - now) end
redis.call('SET', KEYS[1], string.format('%.3f', now + tonumber(ARGV[2])), 'PX', tonumber(ARGV[2]) + 60000)
return '0'
`);
