import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_PATH, SCREENSHOT_DIR, startConsoleHarness, type ConsoleHarness } from "./console-harness";
import { SHOWCASE_TEAM, showcaseJobs, writeJobRecords } from "./seeded-jobs";

// The support workflow in Chromium: what a job is and did, a laptop's screen, search by a
// pasted resource id, the server's settings, and signing in from a pasted console URL.
const TOKEN = "support-e2e-token-0123456789";
const OTHER_TOKEN = "other-e2e-token-0123456789";
const WAIT = { timeout: 20_000 };

let harness: ConsoleHarness;
let page: Page;

const row = (id: string) => page.locator(`tr[data-job-id="${id}"]`);
const detailPanel = () => page.locator("aside.detail-panel");
const CANCELLED_ID = "Mf4jX9sDp7WqK2cVt8LbN";
const WARNED_ID = "Rt6yG2hNw8PzC4mXq7KsL";

async function screenshot(name: string, mask: string[] = []): Promise<void> {
  const dismiss = page.getByRole("button", { name: "Dismiss" });
  while ((await dismiss.count()) > 0) await dismiss.first().click({ timeout: 500 }).catch(() => undefined);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: "disabled", caret: "hide", mask: mask.map((selector) => page.locator(selector)), maskColor: "#8a94a3" });
}

async function showTeam(team: string): Promise<void> {
  await page.getByLabel("Team").selectOption(team);
  await page.getByLabel("Team").blur();
  await page.locator('.jobs-area[aria-busy="false"]').waitFor(WAIT);
}

/** The table's scroll box: how wide its content is against what it shows. */
const tableWidths = () =>
  page.locator(".table-scroll").evaluate((box) => ({ scrollWidth: box.scrollWidth, clientWidth: box.clientWidth }));

/** Cells that overlap the cell before them in their row (a sticky column lying over another). */
const overlappingCells = () =>
  page.locator("tbody tr").evaluateAll((rows) =>
    rows.flatMap((tableRow) => {
      const cells = [...tableRow.querySelectorAll("td")].map((cell) => cell.getBoundingClientRect());
      return cells.slice(1).flatMap((cell, index) => (cell.left < cells[index]!.right - 0.5 ? [`${tableRow.getAttribute("data-job-id")} cell ${index + 1}`] : []));
    }),
  );

/** Elements whose text does not fit their box, or that reach past the table's visible area. */
const clipped = (selector: string) =>
  page.locator(selector).evaluateAll((elements) => {
    const area = document.querySelector(".table-scroll")!.getBoundingClientRect();
    return elements.flatMap((element) => {
      const box = element.getBoundingClientRect();
      return element.scrollWidth > element.clientWidth + 0.5 || box.right > area.right + 0.5 ? [element.textContent ?? ""] : [];
    });
  });

describe.skipIf(!existsSync(CHROMIUM_PATH))("the support workflow in a browser", () => {
  beforeAll(async () => {
    harness = await startConsoleHarness({
      [TOKEN]: { userId: "alice", teams: ["t1", SHOWCASE_TEAM] },
      [OTHER_TOKEN]: { userId: "bob", teams: ["t2"] },
    });
    const redis = harness.redis.client();
    await writeJobRecords(redis, harness.prefix, showcaseJobs());
    redis.disconnect();
    ({ page } = await harness.newPage());
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${harness.server.url}/#token=${TOKEN}`);
    await page.getByRole("table", { name: "Export jobs" }).waitFor(WAIT);
    await page.evaluate(() => Object.assign(window, { e2eNotReloaded: true }));
    await showTeam(SHOWCASE_TEAM);
    await page.locator("tbody tr").nth(showcaseJobs().length - 1).waitFor(WAIT);
  }, 90_000);

  afterAll(async () => {
    await harness?.close();
  });

  it("fits a 1,280 px screen without scrolling sideways, the detail panel open or not", async () => {
    expect(page.viewportSize()?.width).toBe(1280);
    const closed = await tableWidths();
    expect(closed.scrollWidth).toBeLessThanOrEqual(closed.clientWidth);
    expect(await overlappingCells()).toEqual([]);
    expect(await clipped(".progress-text, .progress-outlook, .jobs-table th")).toEqual([]);
    await expect.poll(() => page.locator(".service-status .is-ok").count(), WAIT).toBe(3);
    await screenshot("jobs-table-1280");

    await row(WARNED_ID).locator("td.col-progress").click();
    await detailPanel().getByRole("region", { name: "Warnings" }).waitFor(WAIT);
    const open = await tableWidths();
    expect(open.scrollWidth).toBeLessThanOrEqual(open.clientWidth);
    expect(open.clientWidth).toBe(closed.clientWidth); // the panel lies over the table, it does not squeeze it
    const field = (label: string) => detailPanel().locator("dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd").textContent();
    expect(await field("Rows written")).toBe("1,004");
    expect(await field("File size")).toBe("294.8 KB");
    expect(await field("Duration")).toBe("3 min");
    expect(await field("Progress")).toContain("1,024 / 1,024 views");
    expect(await detailPanel().getByRole("region", { name: "Warnings" }).textContent()).toContain(
      "20 document view(s) were left out because their dataroom visit is not part of this export",
    );
    await screenshot("detail-panel-1280");
    await page.keyboard.press("Escape");
    await detailPanel().waitFor({ state: "detached" });
  });

  it("keeps the toolbar and the progress readable at 1,024 px", async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    try {
      const newExport = page.getByRole("button", { name: "New export" });
      const button = await newExport.evaluate((element) => {
        const box = element.getBoundingClientRect();
        return { lines: Math.round(box.height / parseFloat(getComputedStyle(element).lineHeight)), overflow: element.scrollWidth > element.clientWidth, right: box.right };
      });
      expect(button).toEqual({ lines: 1, overflow: false, right: expect.any(Number) });
      expect(button.right).toBeLessThanOrEqual(1024);
      expect(await clipped(".progress-text, .progress-outlook")).toEqual([]);
      const widths = await tableWidths();
      expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
      expect(await overlappingCells()).toEqual([]);
      await screenshot("jobs-table-1024");
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it("shows a cancelled export as Cancelled and filters on it, on the server", async () => {
    expect(await row(CANCELLED_ID).locator(".status-badge").textContent()).toBe("Cancelled");
    await page.getByLabel("Status").selectOption("CANCELLED");
    await expect.poll(() => page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-job-id"))), WAIT).toEqual([CANCELLED_ID]);
    await page.getByLabel("Status").selectOption("FAILED");
    await expect.poll(() => page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-job-id"))), WAIT).toEqual(["Bw5tR8yNq3JdF6hXk2VsA"]);
    await page.getByLabel("Status").selectOption("");
    await expect.poll(() => page.locator("tbody tr").count(), WAIT).toBe(showcaseJobs().length);
  });

  it("finds an export by the resource id support staff paste", async () => {
    await page.getByRole("searchbox").fill("doc_board_q4");
    await expect.poll(() => page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-job-id"))), WAIT).toEqual(["Bw5tR8yNq3JdF6hXk2VsA"]);
    await page.getByRole("searchbox").fill("");
    await expect.poll(() => page.locator("tbody tr").count(), WAIT).toBe(showcaseJobs().length);
  });

  it("chooses the table's columns in a menu that remembers them after a reload", async () => {
    await page.getByText("Columns", { exact: true }).click();
    await page.getByRole("checkbox", { name: "Show the User column" }).uncheck();
    await page.getByRole("checkbox", { name: "Show the Duration column" }).check();
    await page.getByRole("checkbox", { name: "Show the Rows column" }).check();
    await page.getByRole("checkbox", { name: "Show the File size column" }).check();
    expect(await row(WARNED_ID).locator("td.col-bytes").textContent()).toBe("294.8 KB");
    expect(await row(WARNED_ID).locator("td.col-duration").textContent()).toBe("3 min");
    expect(await page.locator("th.col-user").count()).toBe(0);
    const widths = await tableWidths();
    expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
    await screenshot("column-menu");

    await page.reload();
    await showTeam(SHOWCASE_TEAM);
    await expect.poll(() => page.locator("tbody tr").count(), WAIT).toBe(showcaseJobs().length);
    expect(await page.locator("th.col-user").count()).toBe(0);
    expect(await page.locator("th.col-rows").count()).toBe(1);
    await page.getByText("Columns", { exact: true }).click();
    await page.getByRole("button", { name: "Default columns" }).click();
    await page.keyboard.press("Escape");
    expect(await page.locator("th.col-user").count()).toBe(1);
    expect(await page.locator("th.col-rows").count()).toBe(0);
    await page.evaluate(() => Object.assign(window, { e2eNotReloaded: true }));
  });

  it("records what a real export did: when it started, its rows and file size", async () => {
    await showTeam("t1");
    await page.getByRole("button", { name: "New export" }).click();
    const dialog = page.getByRole("dialog", { name: "New export" });
    await dialog.getByRole("radio", { name: "Dataroom", exact: true }).check();
    await dialog.getByLabel("Team").selectOption("t1");
    await dialog.getByLabel("Dataroom id").fill("dr1");
    await dialog.getByRole("button", { name: "Create export" }).click();
    await dialog.waitFor({ state: "detached" });
    const id = (await detailPanel().locator("h2 code").textContent(WAIT))!;
    await row(id).and(page.locator('[data-status="COMPLETED"]')).waitFor(WAIT);
    const stored = (await harness.core.store.getSummary(id))!;
    const field = (label: string) => detailPanel().locator("dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd").textContent();
    await expect.poll(() => field("Rows written"), WAIT).toBe(String(stored.rows));
    expect(stored.rows).toBeGreaterThan(0);
    expect(await detailPanel().locator("dt", { hasText: /^File size$/ }).locator("xpath=following-sibling::dd/span").getAttribute("title")).toBe(`${stored.bytes!.toLocaleString("en-US")} bytes`);
    expect(await field("Duration")).toMatch(/^\d+ s$/);
    expect(await detailPanel().getByRole("region", { name: "Warnings" }).textContent()).toMatch(/2 document view\(s\) were left out/);
    await page.keyboard.press("Escape");
  });

  it("shows the server's current settings read-only in the browser, without secrets", async () => {
    await page.getByRole("button", { name: "Settings" }).click();
    const dialog = page.getByRole("dialog", { name: "Settings" });
    await dialog.locator(".settings-summary").waitFor(WAIT);
    const value = (label: string) => dialog.locator("dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd").textContent();
    expect(await value("Tinybird requests in flight")).toBe("3");
    expect(await value("Minimum ms between requests")).toBe("50");
    expect(await value("Exports at once")).toBe("2");
    expect(await value("Attempts")).toBe("2");
    expect(await value("Keep jobs for")).toBe("7 days");
    expect(await value("Neutralise formulas")).toBe("yes");
    const text = (await dialog.textContent())!;
    expect(text).not.toContain(harness.redis.url);
    expect(text).not.toContain("postgres://");
    expect(await value("Tinybird request time limit")).toBe("30 seconds");
    // The emulator's port and the export made just now change from run to run.
    await screenshot("settings-browser", [".settings-summary-row:first-child dd", "tbody"]);
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "detached" });
  });

  it("signs in with a console URL pasted into the open tab, without a reload", async () => {
    await page.evaluate((token) => {
      window.location.hash = `token=${token}`;
    }, OTHER_TOKEN);
    await expect.poll(() => page.getByLabel("Team").locator("option").allTextContents(), WAIT).toEqual(["t2"]);
    expect(page.url()).toBe(`${harness.server.url}/`); // the token left the address bar again
    expect(await page.evaluate(() => sessionStorage.getItem("exportConsole.token"))).toBe(OTHER_TOKEN);
    expect(await page.evaluate(() => "e2eNotReloaded" in window)).toBe(true);
  });
});
