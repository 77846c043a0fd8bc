// @vitest-environment jsdom
import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../renderer/src/api/api-error";
import { FakeConsoleApi } from "./fake-console-api";
import { renderConsole } from "./render-console";

const CONFIGURED = {
  configured: true,
  values: { tinybirdHost: "https://api.tinybird.co", mode: "per-view" as const, limiter: { maxConcurrent: 5, minTime: 200 }, runner: { concurrency: 2, timeoutMs: 900_000, attempts: 3, backoffMs: 5000, lockDurationMs: 30_000 }, jobTtlSeconds: 604_800, csv: { neutraliseFormulas: true, bom: false } },
  redisUrl: "redis://:****@redis.internal:6379",
  databaseUrl: "postgres://app:****@db.internal/papermark",
  tinybirdTokenSet: true,
  secretsEncrypted: true,
};

async function openSettings(fake: FakeConsoleApi, kind: "ipc" | "http" = "ipc") {
  const rendered = renderConsole(fake, kind);
  await screen.findByText(/No exports yet/);
  return rendered;
}

describe("the settings dialog (desktop app)", () => {
  it("saves only what changed among the secrets: a blank token keeps the saved one", async () => {
    const fake = new FakeConsoleApi([]);
    fake.settingsView = CONFIGURED;
    const { user } = await openSettings(fake);
    await user.click(screen.getByRole("button", { name: "Settings" }));
    const dialog = await screen.findByRole("dialog", { name: "Settings" });
    expect(within(dialog).getByText(/saved: redis:\/\/:\*\*\*\*@redis.internal/)).toBeTruthy();
    const minTime = within(dialog).getByLabelText("Minimum ms between requests");
    await user.clear(minTime);
    await user.type(minTime, "250");
    await user.selectOptions(within(dialog).getByLabelText("Tinybird queries"), "batch");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await screen.findByText(/Settings saved/);
    expect(fake.settingsUpdates).toHaveLength(1);
    const update = fake.settingsUpdates[0] as Record<string, unknown>;
    expect(update).toMatchObject({ mode: "batch", limiter: { maxConcurrent: 5, minTime: 250 }, tinybirdHost: "https://api.tinybird.co" });
    expect(update).not.toHaveProperty("tinybirdToken");
    expect(update).not.toHaveProperty("redisUrl");
    expect(update).not.toHaveProperty("databaseUrl");
    expect(screen.queryByRole("dialog", { name: "Settings" })).toBeNull();
  });

  it("requires every connection to leave the demo, and checks values before sending", async () => {
    const fake = new FakeConsoleApi([]);
    fake.settingsView = { configured: false, values: {}, tinybirdTokenSet: true, secretsEncrypted: true };
    const { user } = await openSettings(fake);
    await user.click(screen.getByRole("button", { name: "Settings" }));
    const dialog = await screen.findByRole("dialog", { name: "Settings" });
    expect(within(dialog).getByText(/Running on the embedded demo/)).toBeTruthy();
    await user.type(within(dialog).getByLabelText("Redis URL"), "http://not-redis");
    await user.clear(within(dialog).getByLabelText("Attempts"));
    await user.type(within(dialog).getByLabelText("Attempts"), "0");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(within(dialog).getByLabelText("Redis URL").getAttribute("aria-invalid")).toBe("true");
    expect(within(dialog).getByText(/must be a redis:\/\/ or rediss:\/\/ URL/)).toBeTruthy();
    expect(within(dialog).getAllByText("required to leave the demo")).toHaveLength(3);
    expect(within(dialog).getByLabelText("Attempts").getAttribute("aria-invalid")).toBe("true");
    expect(fake.settingsUpdates).toEqual([]);

    await user.clear(within(dialog).getByLabelText("Redis URL"));
    await user.type(within(dialog).getByLabelText("Redis URL"), "redis://127.0.0.1:6390");
    await user.type(within(dialog).getByLabelText("Papermark database URL"), "postgres://u:p@db/papermark");
    await user.type(within(dialog).getByLabelText("Tinybird host"), "https://api.tinybird.co");
    await user.type(within(dialog).getByLabelText("Tinybird token"), "p.secret");
    await user.clear(within(dialog).getByLabelText("Attempts"));
    await user.type(within(dialog).getByLabelText("Attempts"), "4");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await screen.findByText(/Settings saved/);
    expect(fake.settingsUpdates[0]).toMatchObject({ redisUrl: "redis://127.0.0.1:6390", databaseUrl: "postgres://u:p@db/papermark", tinybirdToken: "p.secret", runner: { attempts: 4 } });
  });

  it("shows the error when the console cannot reconnect with the new settings", async () => {
    const fake = new FakeConsoleApi([]);
    fake.settingsView = CONFIGURED;
    fake.settingsFailure = new ApiError("UNAVAILABLE", "not connected: Redis at redis.internal:6379 is unreachable");
    const { user } = await openSettings(fake);
    await user.click(screen.getByRole("button", { name: "Settings" }));
    const dialog = await screen.findByRole("dialog", { name: "Settings" });
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect((await within(dialog).findByRole("alert")).textContent).toMatch(/unreachable/);
    expect(screen.getByRole("dialog", { name: "Settings" })).toBeTruthy();
  });

  it("goes back to the demo after a confirmation", async () => {
    const fake = new FakeConsoleApi([]);
    fake.settingsView = CONFIGURED;
    const { user } = await openSettings(fake);
    await user.click(screen.getByRole("button", { name: "Settings" }));
    await user.click(within(await screen.findByRole("dialog", { name: "Settings" })).getByRole("button", { name: "Use the demo" }));
    const confirm = await screen.findByRole("alertdialog");
    await user.click(within(confirm).getByRole("button", { name: "Use the demo" }));
    await screen.findByText("Running on the embedded demo.");
    expect(fake.settingsUpdates).toEqual([{ useDemo: true }]);
  });

  it("is not offered in a browser, where the server's environment holds the settings", async () => {
    await openSettings(new FakeConsoleApi([]), "http");
    expect(screen.queryByRole("button", { name: "Settings" })).toBeNull();
  });
});
