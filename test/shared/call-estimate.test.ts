import { describe, expect, it } from "vitest";
import { estimateTinybirdCalls } from "../../shared/call-estimate";
import type { ExportMode } from "../../shared/settings";

describe("estimateTinybirdCalls", () => {
  it.each<[ExportMode, number, ReturnType<typeof estimateTinybirdCalls>]>([
    ["per-view", 0, { mode: "per-view", calls: 0 }],
    ["per-view", 1, { mode: "per-view", calls: 3 }],
    ["per-view", 1000, { mode: "per-view", calls: 3000 }],
    ["batch", 1, { mode: "batch", calls: 1 + 2 }],
    ["batch", 100, { mode: "batch", calls: 1 + 200 }],
    ["batch", 101, { mode: "batch", calls: 2 + 202 }],
    ["batch", 1000, { mode: "batch", calls: 10 + 2000 }],
    ["sql", 0, { mode: "sql", calls: 0 }],
    ["sql", 1, { mode: "sql", calls: 2 }],
    ["sql", 1000, { mode: "sql", calls: 2 }],
    ["sql", 1001, { mode: "sql", calls: 4 }],
    ["sql", 2000, { mode: "sql", calls: 4 }],
    ["auto", 1000, { mode: "sql", calls: 3, fallbackCalls: 2010 }],
    ["auto", 1001, { mode: "sql", calls: 5, fallbackCalls: 11 + 2002 }],
  ])("%s, %i views", (mode, views, expected) => {
    expect(estimateTinybirdCalls(views, mode)).toEqual(expected);
  });

  it.each([-1, 1.5, Number.NaN])("refuses %s views", (views) => {
    expect(() => estimateTinybirdCalls(views, "sql")).toThrow(/views must be a whole number >= 0/);
  });
});
