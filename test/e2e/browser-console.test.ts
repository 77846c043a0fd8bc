import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_PATH, SCREENSHOT_DIR, startConsoleHarness, type ConsoleHarness } from "./console-harness";
import { BULK_TEAM, bulkJobs, SHOWCASE_TEAM, showcaseJobs, writeJobRecords } from "./seeded-jobs";

const TOKEN = "alice-e2e-token-0123456789";
const WAIT = { timeout: 20_000 };

let harness: ConsoleHarness;
let page: Page;

const row = (id: string) => page.locator(`tr[data-job-id="${id}"]`);
const detailPanel = () => page.locator("aside.detail-panel");

async function chooseTeam(team: string): Promise<void> {
  await page.getByLabel("Team").selectOption(team);
  await page.getByLabel("Team").blur(); // its focus ring is drawn at varying moments: keep it out of the screenshots
  await page.locator('.jobs-area[aria-busy="false"]').waitFor(WAIT);
}

async function screenshot(name: string, options: { maskConnection?: boolean } = {}): Promise<void> {
  // Notices come and go with timing: close them so the pictures are the same on every run.
  // (A notice may also go away by itself meanwhile: hence the short timeout.)
  const dismiss = page.getByRole("button", { name: "Dismiss" });
  while ((await dismiss.count()) > 0) await dismiss.first().click({ timeout: 500 }).catch(() => undefined);
  await page.mouse.move(0, 0);
  await page.screenshot({
    path: join(SCREENSHOT_DIR, `${name}.png`),
    animations: "disabled",
    caret: "hide",
    // The outage's message names a random port and the services' probes race the outage.
    mask: options.maskConnection ? [page.locator(".banner-detail"), page.locator(".service-status")] : [],
    maskColor: "#8a94a3",
  });
}

/** Creates an export with the form; returns its id (shown in the detail panel it opens). */
async function createWithForm(input: { type: "Document" | "Dataroom" | "Dataroom group"; team: string; resource: string; group?: string }): Promise<string> {
  await page.getByRole("button", { name: "New export" }).click();
  const dialog = page.getByRole("dialog", { name: "New export" });
  await dialog.getByRole("radio", { name: input.type, exact: true }).check();
  await dialog.getByLabel("Team").selectOption(input.team);
  await dialog.getByLabel(input.type === "Document" ? "Document id" : "Dataroom id").fill(input.resource);
  if (input.group) await dialog.getByLabel("Group id").fill(input.group);
  await dialog.getByRole("button", { name: "Create export" }).click();
  await dialog.waitFor({ state: "detached" });
  const id = await detailPanel().locator("h2 code").textContent(WAIT);
  expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  return id!;
}

async function confirmDeletion(): Promise<void> {
  const dialog = page.getByRole("alertdialog");
  await dialog.waitFor(WAIT);
  await dialog.getByRole("button", { name: "Delete" }).click();
  await dialog.waitFor({ state: "detached", ...WAIT });
}

describe.skipIf(!existsSync(CHROMIUM_PATH))("the console in a browser, against the headless server", () => {
  beforeAll(async () => {
    harness = await startConsoleHarness({ [TOKEN]: { userId: "alice", teams: ["t1", SHOWCASE_TEAM, BULK_TEAM] } });
    const redis = harness.redis.client();
    await writeJobRecords(redis, harness.prefix, [...showcaseJobs(), ...bulkJobs(10_000)]);
    redis.disconnect();
    ({ page } = await harness.newPage());
    await page.goto(`${harness.server.url}/#token=${TOKEN}`);
    await page.getByRole("table", { name: "Export jobs" }).waitFor(WAIT);
    // A marker that a reload would wipe: every test below works without one.
    await page.evaluate(() => Object.assign(window, { e2eNotReloaded: true }));
  }, 90_000);

  afterAll(async () => {
    await harness?.close();
  });

  it("takes the token from the URL fragment and removes it from the address bar", async () => {
    expect(page.url()).toBe(`${harness.server.url}/`);
    expect(await page.evaluate(() => sessionStorage.getItem("exportConsole.token"))).toBe(TOKEN);
  });

  it("shows the jobs table with coloured statuses and progress, in light and dark themes", async () => {
    await chooseTeam(SHOWCASE_TEAM);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(showcaseJobs().length);
    await expect.poll(() => page.locator(".service-status .is-ok").count(), WAIT).toBe(3);
    const processing = row("Vq3xK9mPz2LrT8wYb4NcD");
    expect(await processing.locator(".status-badge").textContent()).toBe("Processing");
    expect(await processing.locator(".progress-text").textContent()).toBe("37 / 90 views");
    expect(await page.locator("html").getAttribute("data-theme")).toBe("light");
    await screenshot("jobs-table-light");

    await page.getByRole("button", { name: "Switch to the dark theme" }).click();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    await screenshot("jobs-table-dark");
    await page.getByRole("button", { name: "Switch to the light theme" }).click();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("light");
  });

  it("sorts the page by a column and opens a job's details with the keyboard", async () => {
    await page.getByRole("button", { name: "Resource", exact: true }).click();
    const names = await page.locator("td.col-resource > span > span:first-child").allTextContents();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    await page.getByRole("button", { name: "Resource", exact: true }).click();
    await page.getByRole("button", { name: "Resource", exact: true }).click(); // back to the server's order

    await row("Bw5tR8yNq3JdF6hXk2VsA").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => detailPanel().locator("pre").textContent()).toContain("The export stopped at view 12 of 48");
    expect(await detailPanel().getByText("Attempts").locator("xpath=following-sibling::dd").textContent()).toBe("3");
    await screenshot("detail-panel");
    await page.keyboard.press("Escape");
    await detailPanel().waitFor({ state: "detached" });
  });

  it("validates the New export form", async () => {
    await page.getByRole("button", { name: "New export" }).click();
    const dialog = page.getByRole("dialog", { name: "New export" });
    await dialog.getByRole("radio", { name: "Dataroom group" }).check();
    await dialog.getByLabel("Dataroom id").fill("bad id!");
    await dialog.getByRole("button", { name: "Create export" }).click();
    expect(await dialog.getByLabel("Dataroom id").getAttribute("aria-invalid")).toBe("true");
    expect(await dialog.getByLabel("Group id").getAttribute("aria-invalid")).toBe("true");
    await screenshot("new-export-form");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  });

  it("creates an export of each type and watches each reach COMPLETED without reloading", async () => {
    await chooseTeam("t1");
    const documentId = await createWithForm({ type: "Document", team: "t1", resource: "d1" });
    await row(documentId).and(page.locator('[data-status="PROCESSING"]')).waitFor(WAIT);
    const dataroomId = await createWithForm({ type: "Dataroom", team: "t1", resource: "dr1" });
    const groupId = await createWithForm({ type: "Dataroom group", team: "t1", resource: "dr1", group: "g1" });
    for (const id of [documentId, dataroomId, groupId]) {
      await row(id).and(page.locator('[data-status="COMPLETED"]')).waitFor(WAIT);
      expect(await row(id).locator(".status-badge").textContent()).toBe("Completed");
    }
    expect(await row(documentId).locator(".progress-text").textContent()).toBe("5 / 5 views");
    expect(await row(groupId).locator("td.col-resource .resource-meta").textContent()).toBe("Dataroom groupdr1g1");
    expect(await page.evaluate(() => "e2eNotReloaded" in window)).toBe(true);
  });

  it("saves a completed export as a download whose bytes are the stored CSV", async () => {
    const [first] = await page.locator('tbody tr[data-status="COMPLETED"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-job-id")!));
    const job = (await harness.core.store.getSummary(first!))!;
    // The detail panel of the last export created lies over the rows' actions: close it.
    if (await detailPanel().count()) await detailPanel().getByRole("button", { name: "Close details" }).click();
    const downloading = page.waitForEvent("download");
    await row(first!).getByRole("button", { name: `Save CSV of export ${first}` }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^visits-[A-Za-z0-9_]+-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(download.suggestedFilename()).toContain((job.resourceName ?? job.resourceId).replace(/[^a-zA-Z0-9]/g, "_"));
    const bytes = await readFile((await download.path())!);
    expect(bytes.equals(Buffer.from((await harness.core.store.getResult(first!))!, "utf8"))).toBe(true);
  });

  it("shows a FAILED job's error in the table and in full in the details", async () => {
    const id = await createWithForm({ type: "Document", team: "t1", resource: "d4" }); // its one view is paused
    await row(id).and(page.locator('[data-status="FAILED"]')).waitFor(WAIT);
    expect(await row(id).locator(".status-icon-error").getAttribute("title")).toMatch(/document d4 has no views to export/);
    await expect.poll(() => detailPanel().locator("pre").textContent(), WAIT).toMatch(/document d4 has no views to export/);
    await detailPanel().getByRole("button", { name: "Close details" }).click();
    await detailPanel().waitFor({ state: "detached" });
  });

  it("deletes one export, then several at once, each after a confirmation", async () => {
    const ids = await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-job-id")!));
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const [single, ...several] = ids.slice(0, 4) as [string, ...string[]];

    await page.getByRole("button", { name: `Delete export ${single}` }).click();
    await confirmDeletion();
    await row(single).waitFor({ state: "detached", ...WAIT });
    expect(await harness.core.store.getSummary(single)).toBeNull();

    for (const id of several) await page.getByRole("checkbox", { name: `Select export ${id}` }).check();
    await page.getByRole("button", { name: `Delete selected (${several.length})` }).click();
    await confirmDeletion();
    for (const id of several) await row(id).waitFor({ state: "detached", ...WAIT });
    for (const id of several) expect(await harness.core.store.getSummary(id)).toBeNull();
  });

  it("pages through 10,000 jobs quickly", async () => {
    await chooseTeam(BULK_TEAM);
    const range = page.locator(".pager-range");
    await expect.poll(() => range.textContent(), WAIT).toBe("1–50 of 10,000");
    const started = Date.now();
    await page.getByRole("button", { name: "Next page" }).click();
    await expect.poll(() => range.textContent(), WAIT).toBe("51–100 of 10,000");
    await row("bulk-00050").waitFor(WAIT);
    await page.getByRole("button", { name: "Last page" }).click();
    await row("bulk-09999").waitFor(WAIT);
    expect(await range.textContent()).toBe("9,951–10,000 of 10,000");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("shows a banner while Redis is down and clears it by itself when Redis is back", async () => {
    await chooseTeam(SHOWCASE_TEAM);
    await harness.redis.stop();
    const banner = page.getByRole("alert").filter({ hasText: "Redis is unreachable" });
    // The core's Redis client fails a command only after its reconnect attempts (seconds).
    await banner.waitFor({ timeout: 30_000 });
    expect(await page.locator("tbody tr").count()).toBe(showcaseJobs().length); // the last rows stay
    await screenshot("redis-banner", { maskConnection: true });
    await harness.redis.restart();
    await banner.waitFor({ state: "detached", timeout: 30_000 });
    expect(await page.locator("tbody tr").count()).toBe(showcaseJobs().length);
    expect(await page.evaluate(() => "e2eNotReloaded" in window)).toBe(true);
  }, 75_000);
});
