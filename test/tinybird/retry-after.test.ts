import { describe, expect, it } from "vitest";
import { serverRequestedDelay } from "../../electron/core/tinybird/retry-policy";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const delay = (headers: Record<string, string>) => serverRequestedDelay(new Headers(headers), NOW);

describe("serverRequestedDelay (Retry-After / X-RateLimit-Reset)", () => {
  it("reads Retry-After in seconds, fractions included", () => {
    expect(delay({ "Retry-After": "3" })).toBe(3000);
    expect(delay({ "Retry-After": "0" })).toBe(0);
    expect(delay({ "Retry-After": "1.5" })).toBe(1500);
  });

  it("reads Retry-After as an HTTP date, measured from now; a past date means no wait", () => {
    expect(delay({ "Retry-After": "Sun, 01 Mar 2026 12:00:07 GMT" })).toBe(7000);
    expect(delay({ "Retry-After": "Sun, 01 Mar 2026 11:59:00 GMT" })).toBe(0);
  });

  it("reads X-RateLimit-Reset as seconds until the reset, or as an epoch in seconds", () => {
    expect(delay({ "X-RateLimit-Reset": "4" })).toBe(4000);
    expect(delay({ "X-RateLimit-Reset": String(NOW / 1000 + 9) })).toBe(9000);
    expect(delay({ "X-RateLimit-Reset": String(NOW / 1000 - 30) })).toBe(0);
  });

  it("prefers Retry-After over X-RateLimit-Reset", () => {
    expect(delay({ "Retry-After": "2", "X-RateLimit-Reset": "10" })).toBe(2000);
  });

  it("falls back to X-RateLimit-Reset when Retry-After is unusable", () => {
    expect(delay({ "Retry-After": "soon", "X-RateLimit-Reset": "5" })).toBe(5000);
  });

  it("is null without either header or for bad values", () => {
    expect(delay({})).toBeNull();
    expect(delay({ "Retry-After": "soon" })).toBeNull();
    expect(delay({ "Retry-After": "-3" })).toBeNull();
    expect(delay({ "X-RateLimit-Reset": "never" })).toBeNull();
    expect(delay({ "X-RateLimit-Reset": "-1" })).toBeNull();
    expect(delay({ "Retry-After": "", "X-RateLimit-Reset": " " })).toBeNull();
  });
});
