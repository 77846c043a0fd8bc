import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keptSecret } from "../../electron/dev/demo/kept-secret";

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "vec-secret-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("keptSecret", () => {
  it("makes a token once and hands out the same one after a restart", () => {
    const dir = freshDir();
    const first = keptSecret(dir, "api-token", "demo-");
    expect(first).toMatch(/^demo-[0-9a-f]{32}$/);
    expect(keptSecret(dir, "api-token", "demo-")).toBe(first);
    expect(readFileSync(join(dir, "api-token"), "utf8")).toBe(`${first}\n`);
    expect(statSync(join(dir, "api-token")).mode & 0o777).toBe(0o600);
  });

  it("gives each data folder and each name its own token", () => {
    const dir = freshDir();
    const api = keptSecret(dir, "api-token", "demo-");
    expect(keptSecret(dir, "tinybird-token", "demo_")).not.toBe(api);
    expect(keptSecret(freshDir(), "api-token", "demo-")).not.toBe(api);
  });

  it("replaces a file that does not hold a token", () => {
    const dir = freshDir();
    writeFileSync(join(dir, "api-token"), "not a token!\n");
    const token = keptSecret(dir, "api-token", "demo-");
    expect(token).toMatch(/^demo-[0-9a-f]{32}$/);
    expect(readFileSync(join(dir, "api-token"), "utf8")).toBe(`${token}\n`);
  });

  it("creates the data folder when it does not exist yet", () => {
    const dir = join(freshDir(), "nested", "demo");
    const token = keptSecret(dir, "api-token", "demo-");
    expect(readFileSync(join(dir, "api-token"), "utf8").trim()).toBe(token);
  });
});
