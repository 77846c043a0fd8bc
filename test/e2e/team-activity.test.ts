import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../../shared/routes";
import { routeRequests } from "../helpers/route-requests";
import { CHROMIUM_PATH, SCREENSHOT_DIR, startConsoleHarness, type ConsoleHarness } from "./console-harness";

// The team's activity in Chromium against the headless server: exports created, cancelled,
// deleted and retried through the console and the REST API show up in the Activity view,
// newest first, with who did it; the view fits a laptop's screen.
const ALICE = "activity-e2e-alice-0123456789";
const BOB = "activity-e2e-bob-0123456789";
const WAIT = { timeout: 20_000 };

let harness: ConsoleHarness;
let page: Page;

const row = (id: string) => page.locator(`tr[data-job-id="${id}"]`);
const dialog = () => page.getByRole("dialog", { name: "New export" });
const activity = () => page.getByRole("main", { name: "Team activity" });
/** The activity table's rows as [who, action, short id, resource] (the time varies by run). */
const activityRows = () =>
  activity()
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((tableRow) => [...tableRow.querySelectorAll("td")].slice(1).map((cell) => cell.textContent)));

async function screenshot(name: string): Promise<void> {
  const dismiss = page.getByRole("button", { name: "Dismiss" });
  while ((await dismiss.count()) > 0) await dismiss.first().click({ timeout: 500 }).catch(() => undefined);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: "disabled", caret: "hide" });
}

/** Creates a document export with the form; returns its id (the detail panel it opens shows it). */
async function createDocumentExport(documentId: string): Promise<string> {
  await page.getByRole("button", { name: "New export" }).click();
  await dialog().waitFor(WAIT);
  await dialog().getByLabel("Document id").fill(documentId);
  await dialog().getByRole("button", { name: "Create export" }).click();
  await dialog().waitFor({ state: "detached", ...WAIT });
  const id = await page.locator("aside.detail-panel h2 code").textContent(WAIT);
  expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  await page.keyboard.press("Escape");
  return id!;
}

/** Nothing sideways: neither the page nor the activity table scrolls horizontally. */
const horizontalOverflow = () =>
  page.evaluate(() => {
    const box = document.querySelector(".activity-area .table-scroll")!;
    return { page: document.documentElement.scrollWidth - window.innerWidth, table: box.scrollWidth - box.clientWidth };
  });

describe.skipIf(!existsSync(CHROMIUM_PATH))("the team's activity in a browser", () => {
  beforeAll(async () => {
    harness = await startConsoleHarness({ [ALICE]: { userId: "alice", teams: ["t1"] }, [BOB]: { userId: "bob", teams: ["t1"] } });
    ({ page } = await harness.newPage());
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${harness.server.url}/#token=${ALICE}`);
    await page.getByRole("table", { name: "Export jobs" }).waitFor(WAIT);
  }, 90_000);

  afterAll(async () => {
    await harness?.close();
  });

  let completed = "";
  let cancelled = "";

  it("records the exports created, cancelled and deleted in the console, newest first, with who did it", async () => {
    completed = await createDocumentExport("d1");
    await expect.poll(async () => (await harness.core.store.getSummary(completed))?.status, { timeout: 30_000 }).toBe("COMPLETED");

    // Held mid-run: Tinybird never answers, so the export is still running when it is cancelled.
    harness.emulator.queueFaults(Array.from({ length: 50 }, () => ({ kind: "hang" as const })));
    try {
      cancelled = await createDocumentExport("d3");
      await row(cancelled).getByRole("button", { name: `Cancel export ${cancelled}` }).click();
      await expect.poll(() => row(cancelled).locator(".status-badge").textContent(), WAIT).toBe("Cancelled");
    } finally {
      harness.emulator.clearFaults();
    }

    await page.getByRole("button", { name: `Delete export ${completed}` }).click();
    const confirm = page.getByRole("alertdialog");
    await confirm.getByRole("button", { name: "Delete" }).click();
    await row(completed).waitFor({ state: "detached", ...WAIT });

    await page.getByRole("button", { name: "Activity" }).click();
    await activity().getByRole("table", { name: "Activity of team t1" }).waitFor(WAIT);
    const short = (id: string) => `${id.slice(0, 8)}…`;
    await expect
      .poll(activityRows, WAIT)
      .toEqual([
        ["alice", "Deleted", short(completed), "Pitch Deckd1"],
        ["alice", "Cancelled", short(cancelled), "Financialsd3"],
        ["alice", "Created", short(cancelled), "Financialsd3"],
        ["alice", "Created", short(completed), "Pitch Deckd1"],
      ]);
    expect(await activity().getByText("4 of 4 actions").count()).toBe(1);
    // The short id's title is the whole id, which the copy button copies.
    expect(await activity().locator("tbody tr").first().locator(".id-cell code").getAttribute("title")).toBe(completed);
    expect(await activity().locator("tbody tr").first().locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
  }, 90_000);

  it("shows another user's retry through the REST API as it happens, without a reload or Refresh", async () => {
    const answer = await routeRequests(() => harness.server.url, BOB)(routes.retryJob, { teamId: "t1", exportId: cancelled });
    expect(answer.status).toBeLessThan(300);
    await expect.poll(async () => (await activityRows())[0], WAIT).toEqual(["bob", "Retried", `${cancelled.slice(0, 8)}…`, "Financialsd3"]);
    await expect.poll(async () => (await harness.core.store.getSummary(cancelled))?.status, { timeout: 30_000 }).toBe("COMPLETED");
  }, 60_000);

  it("fits 1,280 and 1,024 px without scrolling sideways", async () => {
    expect(await horizontalOverflow()).toEqual({ page: 0, table: 0 });
    await screenshot("team-activity-1280");
    await page.setViewportSize({ width: 1024, height: 768 });
    try {
      expect(await horizontalOverflow()).toEqual({ page: 0, table: 0 });
      // The header keeps the title, the views, the services and the buttons on one line.
      const top = async (name: string) => (await page.getByRole("banner").getByRole("button", { name }).boundingBox())!.y;
      expect(await top("Sign out")).toBe(await top("Activity"));
      expect(await page.getByRole("heading", { name: "Visits Export Console" }).evaluate((title) => title.getBoundingClientRect().height)).toBeLessThan(30);
      // The toolbar keeps the team and Refresh on one line.
      const bar = await activity().getByRole("toolbar", { name: "Activity" }).boundingBox();
      const refresh = await activity().getByRole("button", { name: "Refresh" }).boundingBox();
      expect(refresh!.y + refresh!.height).toBeLessThanOrEqual(bar!.y + bar!.height);
      expect(refresh!.x + refresh!.width).toBeLessThanOrEqual(1024);
      await screenshot("team-activity-1024");
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    // Back to the exports, as they were.
    await page.getByRole("button", { name: "Exports" }).click();
    await page.getByRole("table", { name: "Export jobs" }).waitFor(WAIT);
    expect(await activity().count()).toBe(0);
  });
});
