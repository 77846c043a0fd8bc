import { describe, expect, it } from "vitest";
import { TinybirdEmulator, type RequestLogEntry } from "../../electron/dev/tinybird-emulator/tinybird-emulator";

const entry = (releasedAt: number, start: number): RequestLogEntry => ({ pipe: "p", params: {}, start, releasedAt, end: start + 50, status: 200 });

describe("the emulator's spacing check", () => {
  it("measures the gaps between release times", () => {
    const emulator = new TinybirdEmulator({ token: "t", data: { pageViews: [], userAgents: [] } });
    emulator.log.push(entry(1000, 1003), entry(1030, 1032), entry(1090, 1091));
    expect(emulator.minStartGap()).toBe(30);
  });

  it("leaves out gaps next to a request measured at arrival (a process's first, before the emulator named itself)", () => {
    // Released at 1000 by one process, arriving at 1031 after its connection set-up; another
    // process released at 1030. Their true gap is 30 ms, the arrival-based one 1 ms.
    const emulator = new TinybirdEmulator({ token: "t", data: { pageViews: [], userAgents: [] } });
    emulator.log.push(entry(1031, 1031), entry(1030, 1032), entry(1060, 1062), entry(1090, 1092));
    expect(emulator.minStartGap()).toBe(30);
  });
});
