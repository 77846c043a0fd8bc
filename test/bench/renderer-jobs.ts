import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { ExportJobSummary } from "../../shared/job";
import { progress, REPO_ROOT, type BenchResult } from "./bench-context";
import { summarize, type Summary } from "./stats";
import { fmtMs, fmtNum, fmtRatio, type Table } from "./table";

/*
 * Benchmark 5: the renderer in Chromium (headless, /usr/bin/chromium) against the headless
 * server, through test/e2e's harness: time to the first rendered page of a team with 10,000
 * jobs (against a team with 10), paging through them, and scrolling the table. Skipped when
 * the renderer or the e2e harness is not there.
 */

const TOKEN = "bench-renderer-token-0123456789";
const SMALL_TEAM = "bench_small";
const LOADS = 5;
const PAGE_FLIPS = 10;
const ROWS_SELECTOR = "tbody tr[data-job-id]";

interface LoadSample {
  /** performance.now() in the page (ms since navigation start) when the rows were there. */
  firstRowsMs: number;
  /** Wall time of page.goto to rows visible, measured here. */
  wallMs: number;
  domContentLoadedMs: number;
  firstListRequestStartMs: number;
  firstListResponseEndMs: number;
}

function smallTeamJobs(): ExportJobSummary[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: 10 }, (_, index) => {
    const created = new Date(start - index * 60_000).toISOString();
    return {
      id: `small-${String(index).padStart(3, "0")}`,
      type: "document",
      status: "COMPLETED",
      resourceId: "doc_small",
      resourceName: "Small document",
      userId: "bench",
      teamId: SMALL_TEAM,
      createdAt: created,
      updatedAt: created,
      completedAt: created,
      progress: 3,
      total: 3,
      attempts: 1,
    } satisfies ExportJobSummary;
  });
}

export async function runRendererJobs(): Promise<BenchResult> {
  const harnessPath = join(REPO_ROOT, "test/e2e/console-harness.ts");
  const tablePath = join(REPO_ROOT, "renderer/src/components/JobsTable.tsx");
  if (!existsSync(harnessPath) || !existsSync(tablePath) || !existsSync("/usr/bin/chromium")) {
    const reason = !existsSync("/usr/bin/chromium") ? "no Chromium at /usr/bin/chromium" : "renderer not built yet";
    return { name: "renderer-jobs", tables: [], readme: [], data: null, skipped: reason };
  }
  const { startConsoleHarness } = await import("../e2e/console-harness");
  const { BULK_TEAM, bulkJobs, writeJobRecords } = await import("../e2e/seeded-jobs");

  progress("renderer: starting the headless server and Chromium (builds the renderer if it is stale) …");
  const harness = await startConsoleHarness({
    [TOKEN]: { userId: "bench", teams: [BULK_TEAM] },
    [`${TOKEN}-small`]: { userId: "bench", teams: [SMALL_TEAM] },
  });
  try {
    const redis = harness.redis.client();
    await writeJobRecords(redis, harness.prefix, [...bulkJobs(10_000), ...smallTeamJobs()]);
    redis.disconnect();
    progress("renderer: 10,000 jobs written; measuring cold loads …");

    const coldLoads = async (token: string, expectedRows: number): Promise<LoadSample[]> => {
      const samples: LoadSample[] = [];
      for (let i = 0; i < LOADS + 1; i++) {
        const { context, page } = await harness.newPage();
        try {
          const t0 = performance.now();
          await page.goto(`${harness.server.url}/#token=${token}`);
          const handle = await page.waitForFunction(
            ([selector, count]) => (document.querySelectorAll(selector as string).length >= (count as number) ? performance.now() : 0),
            [ROWS_SELECTOR, expectedRows] as const,
            { polling: "raf", timeout: 30_000 },
          );
          const firstRowsMs = (await handle.jsonValue()) as number;
          const wallMs = performance.now() - t0;
          const milestones = (await page.evaluate(LOAD_MILESTONES)) as Omit<LoadSample, "firstRowsMs" | "wallMs">;
          if (i > 0) samples.push({ firstRowsMs, wallMs, ...milestones }); // the first load warms caches
        } finally {
          await context.close();
        }
      }
      return samples;
    };
    const bulkLoads = await coldLoads(TOKEN, 50);
    const smallLoads = await coldLoads(`${TOKEN}-small`, 10);
    progress(`renderer: first render 10,000 jobs ${fmtMs(summarize(bulkLoads.map((s) => s.firstRowsMs)).median)}, 10 jobs ${fmtMs(summarize(smallLoads.map((s) => s.firstRowsMs)).median)}`);

    const { context, page } = await harness.newPage();
    let paging: { next: Summary; nextRequest: Summary; nextClickToRequest: Summary; nextResponseToRows: Summary; last: Flip };
    let scroll: ScrollResult;
    try {
      await page.goto(`${harness.server.url}/#token=${TOKEN}`);
      await page.locator(ROWS_SELECTOR).nth(49).waitFor({ timeout: 30_000 });
      scroll = await measureScroll(page);
      progress(`renderer: scrolled ${scroll.distancePx} px in ${scroll.frames} frames, frame p95 ${fmtMs(scroll.frame.p95)}`);
      const flips: Flip[] = [];
      for (let i = 0; i < PAGE_FLIPS; i++) flips.push(await flip(page, "Next page"));
      const last = await flip(page, "Last page");
      paging = {
        next: summarize(flips.map((f) => f.clickToRowsMs)),
        nextRequest: summarize(flips.map((f) => f.requestMs)),
        nextClickToRequest: summarize(flips.map((f) => f.clickToRequestMs)),
        nextResponseToRows: summarize(flips.map((f) => f.responseToRowsMs)),
        last,
      };
      progress(`renderer: next page ${fmtMs(paging.next.median)} (median of ${PAGE_FLIPS}), last page ${fmtMs(last.clickToRowsMs)}`);
    } finally {
      await context.close();
    }

    const bulk = summarize(bulkLoads.map((s) => s.firstRowsMs));
    const small = summarize(smallLoads.map((s) => s.firstRowsMs));
    const dcl = summarize(bulkLoads.map((s) => s.domContentLoadedMs));
    const listStart = summarize(bulkLoads.map((s) => s.firstListRequestStartMs));
    const listEnd = summarize(bulkLoads.map((s) => s.firstListResponseEndMs));
    const table: Table = {
      title: "Renderer: jobs table in headless Chromium against the headless server",
      columns: ["measure", "median", "p95 / max", "samples", "note"],
      rows: [
        ["first render, team with 10,000 jobs", fmtMs(bulk.median), fmtMs(bulk.max), bulk.n, "navigation start → 50 rows in the DOM (cold page, new context)"],
        [
          "… of which: DOMContentLoaded / list request sent / list answered",
          `${fmtMs(dcl.median)} / ${fmtMs(listStart.median)} / ${fmtMs(listEnd.median)}`,
          "–",
          bulk.n,
          "milestones of the same loads (navigation and resource timing)",
        ],
        ["first render, team with 10 jobs", fmtMs(small.median), fmtMs(small.max), small.n, `10,000 ÷ 10 jobs: ${fmtRatio(bulk.median / small.median, 2)}`],
        ["next page (50 rows)", fmtMs(paging.next.median), fmtMs(paging.next.max), paging.next.n, `click event → new first row in the DOM: click → request sent ${fmtMs(paging.nextClickToRequest.median)}, request ${fmtMs(paging.nextRequest.median)}, answer → rows ${fmtMs(paging.nextResponseToRows.median)} (medians)`],
        ["last page (rows 9,951–10,000)", fmtMs(paging.last.clickToRowsMs), "–", 1, `list request ${fmtMs(paging.last.requestMs)}`],
        ["scroll the page of 50 rows: frame time", fmtMs(scroll.frame.median), `${fmtMs(scroll.frame.p95)} / ${fmtMs(scroll.frame.max)}`, scroll.frames, `${scroll.distancePx} px in ${fmtMs(scroll.totalMs)} (${fmtNum(scroll.fps, 0)} frames/s)`],
      ],
      notes: [
        "The table shows one server-side page of 50 jobs; 10,000 jobs are browsed by paging (JobStore.list reads only that page), so the DOM never holds more than 50 rows.",
        "Chromium headless with --disable-gpu, viewport 1440×860, the production renderer build from out/renderer.",
      ],
    };
    const readme = [
      "**Renderer** (headless Chromium against the headless server)",
      "",
      "| renderer (headless Chromium) | median |",
      "|---|---:|",
      `| first render, team with 10,000 jobs | ${fmtMs(bulk.median)} |`,
      `| first render, team with 10 jobs | ${fmtMs(small.median)} |`,
      `| next page of 50 | ${fmtMs(paging.next.median)} |`,
      `| scroll frame time (p95) | ${fmtMs(scroll.frame.p95)} |`,
    ];
    return { name: "renderer-jobs", tables: [table], readme, data: { bulkLoads, smallLoads, paging, scroll } };
  } finally {
    await harness.close();
  }
}

interface Flip {
  /** In the page: the click event -> the new page's first row in the DOM. */
  clickToRowsMs: number;
  /** The list request's duration (resource timing), part of the above. */
  requestMs: number;
  /** Click -> the list request sent. */
  clickToRequestMs: number;
  /** The list answer in -> the rows in the DOM. */
  responseToRowsMs: number;
}

/** Clicks a pager button; times (in the page) until the table shows a different first row. */
async function flip(page: Page, button: "Next page" | "Last page"): Promise<Flip> {
  const firstBefore = await page.locator(ROWS_SELECTOR).first().getAttribute("data-job-id");
  await page.evaluate(`(() => {
    performance.clearResourceTimings();
    document.addEventListener("click", () => { window.benchClickAt = performance.now(); }, { capture: true, once: true });
  })()`);
  await page.getByRole("button", { name: button }).click();
  const handle = await page.waitForFunction(
    ([selector, before]) => {
      const first = document.querySelector(selector as string);
      return first !== null && first.getAttribute("data-job-id") !== before ? performance.now() : 0;
    },
    [ROWS_SELECTOR, firstBefore] as const,
    { polling: "raf", timeout: 30_000 },
  );
  const rowsAt = (await handle.jsonValue()) as number;
  const timing = (await page.evaluate(`(() => {
    const list = performance.getEntriesByType("resource").filter((e) => e.name.includes("/export-jobs"));
    const last = list[list.length - 1];
    return { clickAt: window.benchClickAt, start: last ? last.startTime : NaN, end: last ? last.responseEnd : NaN };
  })()`)) as { clickAt: number; start: number; end: number };
  return {
    clickToRowsMs: rowsAt - timing.clickAt,
    requestMs: timing.end - timing.start,
    clickToRequestMs: timing.start - timing.clickAt,
    responseToRowsMs: rowsAt - timing.end,
  };
}

/** Navigation milestones of a cold load, in the page's clock (ms since navigation start). */
const LOAD_MILESTONES = `(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const list = performance.getEntriesByType("resource").filter((e) => e.name.includes("/export-jobs"));
  return {
    domContentLoadedMs: nav ? nav.domContentLoadedEventEnd : NaN,
    firstListRequestStartMs: list.length ? list[0].startTime : NaN,
    firstListResponseEndMs: list.length ? list[0].responseEnd : NaN,
  };
})()`;

interface ScrollResult {
  distancePx: number;
  frames: number;
  totalMs: number;
  fps: number;
  frame: Summary;
}

/**
 * Runs in the page: scrolls the table's scroll box (or the page) to the bottom and back, 40 px
 * per frame, and returns the frame intervals. A string, so the bundler's helpers (tsx names
 * functions with `__name`) never reach the page.
 */
const SCROLL_SCRIPT = `(async () => {
  const box = document.querySelector(".table-scroll");
  const target = box && box.scrollHeight > box.clientHeight ? box : document.scrollingElement;
  const distance = target.scrollHeight - target.clientHeight;
  const frames = [];
  let last = await new Promise((resolve) => requestAnimationFrame(resolve));
  const start = last;
  for (const direction of [1, -1]) {
    for (let moved = 0; moved < distance; moved += 40) {
      target.scrollTop += 40 * direction;
      const now = await new Promise((resolve) => requestAnimationFrame(resolve));
      frames.push(now - last);
      last = now;
    }
  }
  return { distance, frames, totalMs: last - start };
})()`;

async function measureScroll(page: Page): Promise<ScrollResult> {
  const raw = (await page.evaluate(SCROLL_SCRIPT)) as { distance: number; frames: number[]; totalMs: number };
  return {
    distancePx: raw.distance * 2,
    frames: raw.frames.length,
    totalMs: raw.totalMs,
    fps: raw.frames.length / (raw.totalMs / 1000),
    frame: summarize(raw.frames),
  };
}
