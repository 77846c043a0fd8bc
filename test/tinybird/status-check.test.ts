import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PIPES, pageDurationRow } from "../../electron/core/tinybird/pipes";
import { RateLimiter } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdStatusCheck } from "../../electron/core/tinybird/status-check";
import { RELEASE_TIME_HEADER, TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";

let emulator: TinybirdEmulator;

beforeAll(async () => {
  emulator = new TinybirdEmulator({ token: "tb", data: { pageViews: [], userAgents: [] } });
  await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
});

describe("the Tinybird status check", () => {
  it("asks for pipe information (no query), at most once per interval, and says why it failed", async () => {
    emulator.log.length = 0;
    let now = 1_000_000;
    const check = new TinybirdStatusCheck({ host: emulator.url, token: "tb", intervalMs: 60_000, now: () => now });
    const answers = await Promise.all([check.check(), check.check()]);
    expect(answers).toEqual([{ ok: true }, { ok: true }]);
    now += 59_000;
    expect(await check.check()).toEqual({ ok: true });
    // One request for three checks, to the Pipes REST API (not the pipe's .json endpoint).
    expect(emulator.log.map((entry) => entry.pipe)).toEqual([`/v0/pipes/${PIPES.userAgentPerViewV3}`]);
    now += 1_000;
    await check.check();
    expect(emulator.log).toHaveLength(2);

    const refused = new TinybirdStatusCheck({ host: emulator.url, token: "wrong" });
    expect(await refused.check()).toEqual({ ok: false, message: "Tinybird refused the token (403)" });
    const down = new TinybirdStatusCheck({ host: "http://127.0.0.1:9", token: "tb" });
    expect((await down.check()).message).toMatch(/^Tinybird is unreachable: /);
  });
});

describe("the release-time test header", () => {
  it("is sent to the emulator (after its first answer says so) and never to another server", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const plain = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ data: [] }));
    });
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    const limiter = new RateLimiter({ maxConcurrent: 1, minTime: 0 });
    try {
      const query = (client: TinybirdClient) => client.query(PIPES.pageDurationPerView, { documentId: "d", viewId: "v", since: 0 }, pageDurationRow);
      const tinybird = new TinybirdClient({ host: `http://127.0.0.1:${(plain.address() as AddressInfo).port}`, token: "tb", limiter });
      await query(tinybird);
      await query(tinybird);
      expect(seen).toHaveLength(2);
      expect(seen.every((headers) => headers[RELEASE_TIME_HEADER.toLowerCase()] === undefined)).toBe(true);

      emulator.log.length = 0;
      const local = new TinybirdClient({ host: emulator.url, token: "tb", limiter });
      await query(local);
      await query(local);
      const [first, second] = emulator.log;
      expect(first!.releasedAt).toBe(first!.start); // not told yet: measured at arrival
      expect(second!.releasedAt).toBeLessThan(second!.start); // the client's release time
    } finally {
      await limiter.stop();
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});
