import { describe, expect, it } from "vitest";
import { lookAhead, windows } from "../../electron/core/export/look-ahead";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("lookAhead", () => {
  it("keeps up to depth mappings in flight and yields in the source's order", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const results: number[] = [];
    const map = async (n: number) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await delay(n % 2 ? 5 : 25); // later items often finish first
      inFlight -= 1;
      return n * 10;
    };
    for await (const value of lookAhead([1, 2, 3, 4, 5, 6], map, 2)) results.push(value);
    expect(results).toEqual([10, 20, 30, 40, 50, 60]);
    expect(maxInFlight).toBe(2);
  });

  it("passes a failure on in order and leaves no rejection unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const seen: number[] = [];
      const run = async () => {
        for await (const value of lookAhead([1, 2, 3], async (n) => {
          if (n === 3) throw new Error("third failed");
          await delay(20);
          return n;
        }, 3)) seen.push(value);
      };
      await expect(run()).rejects.toThrow("third failed");
      expect(seen).toEqual([1, 2]);
      await delay(20);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("regroups pages into full windows, across page boundaries (a window is one SQL query's worth)", async () => {
    async function* pages() {
      yield [1, 2, 3];
      yield [4, 5];
      yield [];
      yield [6];
    }
    const out: number[][] = [];
    for await (const window of windows(pages(), 2)) out.push(window);
    expect(out).toEqual([[1, 2], [3, 4], [5, 6]]);
    const wide: number[][] = [];
    for await (const window of windows(pages(), 1000)) wide.push(window);
    expect(wide).toEqual([[1, 2, 3, 4, 5, 6]]);
  });
});
