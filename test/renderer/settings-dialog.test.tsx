// @vitest-environment jsdom
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { SettingsUpdate, SettingsView } from "../../shared/contract";
import { ApiError } from "../../renderer/src/api/api-error";
import { FakeConsoleApi } from "./fake-console-api";
import { renderConsole } from "./render-console";

const CONFIGURED: SettingsView = {
  configured: true,
  values: {
    tinybirdHost: "https://api.tinybird.co",
    mode: "per-view",
    tinybirdTimeoutMs: 30_000,
    limiter: { maxConcurrent: 5, minTime: 200 },
    runner: { concurrency: 2, timeoutMs: 900_000, attempts: 3, backoffMs: 5000, lockDurationMs: 45_000 },
    jobTtlSeconds: 604_800,
    csv: { neutraliseFormulas: true, bom: false },
  },
  redisUrl: "redis://:****@redis.internal:6379",
  databaseUrl: "postgres://app:****@db.internal/papermark",
  tinybirdTokenSet: true,
  secretsEncrypted: true,
};

/** What the desktop app says while it runs on the demo: the demo's own values, nothing saved. */
const ON_DEMO: SettingsView = {
  configured: false,
  values: { tinybirdHost: "http://127.0.0.1:7181", mode: "batch", limiter: { maxConcurrent: 5, minTime: 200 } },
  redisUrl: "redis://127.0.0.1:6390/",
  databaseUrl: "postgres://demo@pglite/papermark",
  tinybirdTokenSet: true,
  secretsEncrypted: true,
};

async function openSettings(view: SettingsView = CONFIGURED, kind: "ipc" | "http" = "ipc", prepare?: (fake: FakeConsoleApi) => void) {
  const fake = new FakeConsoleApi([]);
  fake.settingsView = view;
  prepare?.(fake);
  const rendered = renderConsole(fake, kind);
  const { user } = rendered;
  await screen.findByText(/No exports yet/);

  /** Opens the dialog from the header (again after a save closed it) and waits for its content. */
  const open = async () => {
    await user.click(screen.getByRole("button", { name: "Settings" }));
    const dialog = await screen.findByRole("dialog", { name: "Settings" });
    if (kind === "ipc") await within(dialog).findByLabelText("Redis URL");
    else await within(dialog).findByText(/configured on the server/);
    const field = (label: string) => within(dialog).getByLabelText(label) as HTMLInputElement;
    const retype = async (label: string, text: string) => {
      await user.clear(field(label));
      if (text) await user.type(field(label), text);
    };
    const save = () => user.click(within(dialog).getByRole("button", { name: "Save" }));
    return { dialog, field, retype, save };
  };
  return { ...rendered, fake, open, ...(await open()) };
}

describe("the settings dialog (desktop app)", () => {
  it("opens from the header with the saved settings, never showing a saved secret, and closes with Escape", async () => {
    const { dialog, field, user } = await openSettings();
    expect(document.activeElement).toBe(field("Redis URL"));
    expect(within(dialog).getByText("your saved settings")).toBeTruthy();
    expect(within(dialog).getByText(/encrypted at rest by the system keychain/)).toBeTruthy();
    // Secrets start blank: the masked URLs are placeholders only, the token just says "saved".
    for (const label of ["Redis URL", "Postgres URL", "Tinybird token"]) expect(field(label).value).toBe("");
    expect(field("Redis URL").placeholder).toBe("redis://:****@redis.internal:6379");
    expect(field("Postgres URL").placeholder).toBe("postgres://app:****@db.internal/papermark");
    expect(field("Tinybird token").type).toBe("password");
    expect(field("Tinybird token").placeholder).toBe("saved");
    expect(within(dialog).getAllByText("Saved — leave blank to keep it.")).toHaveLength(3);
    // The plain settings, in the units of their fields.
    expect(field("Tinybird host").value).toBe("https://api.tinybird.co");
    const mode = within(dialog).getByLabelText("Export mode") as HTMLSelectElement;
    expect(mode.value).toBe("per-view");
    expect([...mode.options].map((option) => [option.value, option.text])).toEqual([
      ["per-view", "Per view (Papermark's way)"],
      ["batch", "Batch (batch pipe: fewer Tinybird calls)"],
      ["sql", "SQL (Query API: a few Tinybird calls per export)"],
      ["auto", "Auto (SQL when the token may, else batch, else per view)"],
    ]);
    expect(field("Requests in flight (max)").value).toBe("5");
    expect(field("Minimum ms between requests").value).toBe("200");
    expect(field("Exports at once").value).toBe("2");
    expect(field("Time limit per export (minutes)").value).toBe("15");
    expect(field("Attempts").value).toBe("3");
    expect(field("First retry after (ms)").value).toBe("5000");
    expect(field("Keep jobs for (days)").value).toBe("7");
    expect(field("Neutralise spreadsheet formulas in cells").checked).toBe(true);
    expect(field("Start files with a UTF-8 BOM (for Excel)").checked).toBe(false);

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Settings" })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Settings" }));
  });

  it("sends only the settings that changed (whole groups, the lock duration kept), and no secret left blank", async () => {
    const { dialog, fake, retype, save, user } = await openSettings();
    await retype("Minimum ms between requests", "250");
    await user.selectOptions(within(dialog).getByLabelText("Export mode"), "sql");
    await retype("Attempts", "5");
    await user.click(within(dialog).getByLabelText("Start files with a UTF-8 BOM (for Excel)"));
    await save();
    await screen.findByText("Settings saved: the console restarted with them.");
    expect(fake.settingsUpdates).toEqual([
      {
        mode: "sql",
        limiter: { maxConcurrent: 5, minTime: 250 },
        runner: { concurrency: 2, timeoutMs: 900_000, attempts: 5, backoffMs: 5000, lockDurationMs: 45_000 },
        csv: { neutraliseFormulas: true, bom: true },
      },
    ]);
    expect(screen.queryByRole("dialog", { name: "Settings" })).toBeNull();
  });

  it("converts minutes and days, and a blank token keeps the saved one while a typed one is sent", async () => {
    const { fake, open, retype, save, user } = await openSettings();
    await retype("Time limit per export (minutes)", "2.5");
    await retype("Keep jobs for (days)", "0.5");
    await save();
    await screen.findByText(/Settings saved/);
    expect(fake.settingsUpdates[0]).toEqual({ runner: { ...CONFIGURED.values.runner, timeoutMs: 150_000 }, jobTtlSeconds: 43_200 });

    const again = await open();
    await user.type(again.field("Tinybird token"), "  p.new-token  ");
    await user.type(again.field("Redis URL"), "rediss://:pw@cache.internal:6380");
    await again.save();
    await waitFor(() => expect(fake.settingsUpdates).toHaveLength(2));
    // Only what was typed, trimmed; the blank Postgres URL keeps its saved value.
    expect(fake.settingsUpdates[1]).toEqual({ tinybirdToken: "p.new-token", redisUrl: "rediss://:pw@cache.internal:6380" });
  });

  it("closes without calling the app when nothing changed", async () => {
    const { fake, save } = await openSettings();
    await save();
    await screen.findByText(/Nothing changed/);
    expect(fake.settingsUpdates).toEqual([]);
    expect(screen.queryByRole("dialog", { name: "Settings" })).toBeNull();
  });

  it("shows the schema's errors next to their fields and sends nothing", async () => {
    const { dialog, fake, field, retype, save, user } = await openSettings();
    await user.type(field("Redis URL"), "http://not-redis");
    await retype("Tinybird host", "");
    await retype("Attempts", "0");
    await retype("Exports at once", "1.5");
    await retype("Time limit per export (minutes)", "2000");
    await retype("Keep jobs for (days)", "");
    await save();
    expect(fake.settingsUpdates).toEqual([]);
    const errorOf = (label: string) => {
      const input = field(label);
      expect(input.getAttribute("aria-invalid")).toBe("true");
      return document.getElementById(input.getAttribute("aria-describedby") ?? "")?.textContent;
    };
    expect(errorOf("Redis URL")).toBe("the Redis URL must be a redis:// or rediss:// URL");
    expect(errorOf("Tinybird host")).toBe("the Tinybird host is required");
    expect(errorOf("Attempts")).toBe("must be at least 1");
    expect(errorOf("Exports at once")).toBe("must be a whole number");
    expect(errorOf("Time limit per export (minutes)")).toBe("must be at most 24 hours");
    expect(errorOf("Keep jobs for (days)")).toBe("enter a number");
    expect(field("Postgres URL").getAttribute("aria-invalid")).toBeNull();
    // The first invalid field has the focus; the dialog stays open.
    expect(document.activeElement).toBe(field("Redis URL"));
    expect(within(dialog).getByRole("button", { name: "Save" })).toBeTruthy();

    await retype("Redis URL", "");
    await retype("Tinybird host", "https://api.us-east.tinybird.co");
    await retype("Attempts", "4");
    await retype("Exports at once", "3");
    await retype("Time limit per export (minutes)", "30");
    await retype("Keep jobs for (days)", "14");
    await save();
    await screen.findByText(/Settings saved/);
    expect(fake.settingsUpdates).toEqual([
      {
        tinybirdHost: "https://api.us-east.tinybird.co",
        runner: { concurrency: 3, timeoutMs: 1_800_000, attempts: 4, backoffMs: 5000, lockDurationMs: 45_000 },
        jobTtlSeconds: 14 * 86_400,
      },
    ]);
  });

  it("on the demo, requires every connection and then sends the whole configuration", async () => {
    const { dialog, fake, field, save, user } = await openSettings(ON_DEMO);
    expect(within(dialog).getByText(/the embedded demo \(nothing saved yet\)/)).toBeTruthy();
    expect(within(dialog).queryByRole("button", { name: "Use the demo" })).toBeNull();
    // Nothing of the demo's connections is offered to keep: the fields start blank and are required.
    for (const label of ["Redis URL", "Postgres URL", "Tinybird host", "Tinybird token"]) {
      expect(field(label).value).toBe("");
      expect(field(label).getAttribute("aria-required")).toBe("true");
    }
    expect(field("Redis URL").placeholder).toBe("redis://host:6379");
    expect(field("Tinybird token").placeholder).toBe("");
    await save();
    expect(within(dialog).getAllByText("required to leave the demo")).toHaveLength(4);
    expect(document.activeElement).toBe(field("Redis URL"));
    expect(fake.settingsUpdates).toEqual([]);

    await user.type(field("Redis URL"), "redis://127.0.0.1:6390");
    await user.type(field("Postgres URL"), "postgres://u:p@db/papermark");
    await user.type(field("Tinybird host"), "https://api.tinybird.co");
    await user.type(field("Tinybird token"), "p.secret");
    await save();
    await screen.findByText("Settings saved: the console now runs on your connections.");
    expect(fake.settingsUpdates).toEqual([
      {
        redisUrl: "redis://127.0.0.1:6390",
        databaseUrl: "postgres://u:p@db/papermark",
        tinybirdHost: "https://api.tinybird.co",
        tinybirdToken: "p.secret",
        mode: "batch",
        limiter: { maxConcurrent: 5, minTime: 200 },
        runner: { concurrency: 2, timeoutMs: 900_000, attempts: 3, backoffMs: 5000, lockDurationMs: 30_000 },
        jobTtlSeconds: 604_800,
        csv: { neutraliseFormulas: true, bom: false },
      },
    ]);
  });

  it("stays busy while the core restarts, then reloads the console", async () => {
    const { dialog, fake, field, retype, save, user } = await openSettings();
    let finish: () => void = () => {};
    const original = fake.api.setSettings;
    fake.api.setSettings = async (update) => {
      await new Promise<void>((resolve) => (finish = resolve));
      return original(update);
    };
    const teamsBefore = fake.callsOf("listTeams").length;
    await retype("Attempts", "4");
    await save();
    expect((within(dialog).getByRole("button", { name: "Saving…" }) as HTMLButtonElement).disabled).toBe(true);
    expect(field("Attempts").matches(":disabled")).toBe(true);
    expect((within(dialog).getByRole("button", { name: "Cancel" }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(dialog).getByText(/the console restarts with the new settings/).getAttribute("role")).toBe("status");
    expect(within(dialog).getByRole("button", { name: "Saving…" }).closest("form")?.getAttribute("aria-busy")).toBe("true");
    // Escape does not walk away from a save in progress.
    await user.keyboard("{Escape}");
    expect(screen.getByRole("dialog", { name: "Settings" })).toBeTruthy();
    finish();
    await screen.findByText(/Settings saved/);
    expect(screen.queryByRole("dialog", { name: "Settings" })).toBeNull();
    await waitFor(() => expect(fake.callsOf("listTeams").length).toBeGreaterThan(teamsBefore));
  });

  it("shows the app's error when the console cannot start with the new settings, and keeps what was typed", async () => {
    const { dialog, field, save, user } = await openSettings(CONFIGURED, "ipc", (fake) => {
      fake.settingsFailure = new ApiError("UNAVAILABLE", "not connected: Redis at redis.internal:6380 is unreachable");
    });
    await user.type(field("Redis URL"), "redis://redis.internal:6380");
    await save();
    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toBe("not connected: Redis at redis.internal:6380 is unreachable");
    await waitFor(() => expect(document.activeElement).toBe(alert));
    expect(screen.getByRole("dialog", { name: "Settings" })).toBeTruthy();
    expect(field("Redis URL").value).toBe("redis://redis.internal:6380");
    expect(field("Redis URL").matches(":disabled")).toBe(false);
    expect((within(dialog).getByRole("button", { name: "Save" }) as HTMLButtonElement).disabled).toBe(false);
    expect(screen.queryByText(/Settings saved/)).toBeNull();
  });

  it("says when secrets cannot be encrypted on this system", async () => {
    const { dialog } = await openSettings({ ...CONFIGURED, secretsEncrypted: false });
    expect(within(dialog).getByText(/not encrypted: this system offers no keychain/)).toBeTruthy();
  });

  it("goes back to the demo only after a confirmation", async () => {
    const { dialog, fake, user } = await openSettings();
    await user.click(within(dialog).getByRole("button", { name: "Use the demo" }));
    let confirm = await screen.findByRole("alertdialog", { name: "Use the demo?" });
    await user.click(within(confirm).getByRole("button", { name: "Keep" }));
    expect(fake.settingsUpdates).toEqual([]);
    expect(screen.getByRole("dialog", { name: "Settings" })).toBeTruthy();

    await user.click(within(dialog).getByRole("button", { name: "Use the demo" }));
    confirm = await screen.findByRole("alertdialog", { name: "Use the demo?" });
    await user.click(within(confirm).getByRole("button", { name: "Use the demo" }));
    await screen.findByText("Back on the embedded demo.");
    expect(fake.settingsUpdates).toEqual([{ useDemo: true } satisfies SettingsUpdate]);
    expect(screen.queryByRole("dialog", { name: "Settings" })).toBeNull();
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("shows why the settings could not be loaded, with a way to try again", async () => {
    const fake = new FakeConsoleApi([]);
    const original = fake.api.getSettings;
    let fail = true;
    fake.api.getSettings = async (input) => {
      if (fail) throw new ApiError("INTERNAL", "the answer to getSettings does not match the contract");
      return original(input);
    };
    const { user } = renderConsole(fake);
    await screen.findByText(/No exports yet/);
    await user.click(screen.getByRole("button", { name: "Settings" }));
    const dialog = await screen.findByRole("dialog", { name: "Settings" });
    expect((await within(dialog).findByRole("alert")).textContent).toMatch(/Could not load the settings: the answer to getSettings/);
    fail = false;
    await user.click(within(dialog).getByRole("button", { name: "Try again" }));
    await within(dialog).findByLabelText("Redis URL");
  });
});

describe("the settings dialog in a browser", () => {
  it("is read-only: the server's environment holds the settings", async () => {
    const { dialog, fake, user } = await openSettings({ configured: true, values: {}, tinybirdTokenSet: true, secretsEncrypted: false }, "http");
    expect(within(dialog).getByText(/read-only \(its secrets are never shown\)\. They are configured on the server/)).toBeTruthy();
    expect(within(dialog).queryAllByRole("textbox")).toHaveLength(0);
    expect(within(dialog).queryByRole("button", { name: "Save" })).toBeNull();
    expect(within(dialog).queryByRole("button", { name: "Use the demo" })).toBeNull();
    const close = within(dialog).getByRole("button", { name: "Close" });
    expect(document.activeElement).toBe(close);
    await user.click(close);
    expect(screen.queryByRole("dialog", { name: "Settings" })).toBeNull();
    expect(fake.settingsUpdates).toEqual([]);
  });

  it("lists whatever plain settings the server's view carries", async () => {
    const { dialog } = await openSettings({ ...CONFIGURED, secretsEncrypted: false }, "http");
    const valueOf = (term: string) => within(dialog).getByText(term, { selector: "dt" }).nextElementSibling?.textContent;
    expect(valueOf("Export mode")).toBe("Per view");
    expect(valueOf("Time limit per export")).toBe("15 minutes");
    expect(valueOf("Keep jobs for")).toBe("7 days");
    expect(valueOf("UTF-8 BOM")).toBe("no");
    expect(dialog.textContent).not.toContain("****");
  });
});
