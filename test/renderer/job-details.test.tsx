// @vitest-environment jsdom
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { COLUMNS_STORAGE_KEY } from "../../renderer/src/state/columns-store";
import { FakeConsoleApi, makeJob } from "./fake-console-api";
import { renderConsole } from "./render-console";

const rowOf = (id: string) => document.querySelector<HTMLTableRowElement>(`tr[data-job-id="${id}"]`)!;
const headers = () => [...document.querySelectorAll("thead th")].map((th) => th.textContent?.replace(/[▲▼]/g, "").trim());

function memoryStorage(): Pick<Storage, "getItem" | "setItem"> & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, getItem: (key) => values.get(key) ?? null, setItem: (key, value) => void values.set(key, value) };
}

describe("what a job is", () => {
  it("shows a cancelled export as Cancelled, not Failed, and filters on it", async () => {
    const cancelled = makeJob({ status: "FAILED", error: "Cancelled by user", cancelRequested: true });
    const failed = makeJob({ status: "FAILED", error: "Tinybird said no" });
    const fake = new FakeConsoleApi([cancelled, failed]);
    const { user } = renderConsole(fake);
    await screen.findByText("1–2 of 2");
    const badge = within(rowOf(cancelled.id)).getByText("Cancelled");
    expect(badge.className).toContain("status-cancelled");
    expect(within(rowOf(cancelled.id)).queryByRole("img", { name: /^Error/ })).toBeNull(); // a cancel is not a failure
    expect(within(rowOf(failed.id)).getByText("Failed").className).toContain("status-failed");

    await user.selectOptions(screen.getByLabelText("Status"), "Cancelled");
    await waitFor(() => expect(document.querySelectorAll("tbody tr")).toHaveLength(1));
    expect(rowOf(cancelled.id)).toBeTruthy();
    expect(fake.callsOf("listJobs").at(-1)).toMatchObject({ filter: { status: "CANCELLED" } });
    await user.selectOptions(screen.getByLabelText("Status"), "Failed");
    await waitFor(() => expect(rowOf(failed.id)).toBeTruthy());
    expect(document.querySelectorAll("tbody tr")).toHaveLength(1);
  });

  it("says where a pending job stands in the queue and how long a running one has left", async () => {
    const waiting = makeJob({ status: "PENDING", progress: 0, total: undefined });
    const retrying = makeJob({ status: "PENDING", progress: 0, total: undefined, error: "attempt 1 of 3 failed, retrying: 503" });
    const running = makeJob({ status: "PROCESSING", progress: 30, total: 90, startedAt: new Date(Date.now() - 60_000).toISOString() });
    const justStarted = makeJob({ status: "PROCESSING", progress: 0, total: 90, startedAt: new Date().toISOString() });
    const fake = new FakeConsoleApi([waiting, retrying, running, justStarted]);
    fake.queuePositions = { [waiting.id]: 2 };
    renderConsole(fake);
    await screen.findByText("1–4 of 4");
    expect(within(rowOf(waiting.id)).getByText("2nd in queue")).toBeTruthy();
    expect(within(rowOf(retrying.id)).getByText("waiting to run")).toBeTruthy(); // in its retry backoff: not in the queue
    expect(within(rowOf(retrying.id)).getByRole("img", { name: "Error: attempt 1 of 3 failed, retrying: 503" })).toBeTruthy();
    // 30 views in 60 s: 60 views to go take about 2 minutes
    expect(within(rowOf(running.id)).getByText("30 / 90 views")).toBeTruthy();
    expect(within(rowOf(running.id)).getByText("about 2 min left")).toBeTruthy();
    expect(within(rowOf(justStarted.id)).getByText("estimating time left…")).toBeTruthy();
  });

  it("details what a finished export did: duration, views read, rows written, file size and warnings", async () => {
    const done = makeJob({
      type: "dataroom",
      status: "COMPLETED",
      createdAt: "2026-03-02T09:00:00.000Z",
      startedAt: "2026-03-02T09:00:10.000Z",
      completedAt: "2026-03-02T09:01:15.000Z",
      progress: 1300,
      total: 1300,
      rows: 1204,
      bytes: 3_500,
      warnings: ["20 document view(s) were left out because their dataroom visit is not part of this export"],
    });
    const { user } = renderConsole(new FakeConsoleApi([done]));
    await screen.findByText("1–1 of 1");
    const warningIcon = within(rowOf(done.id)).getByRole("img", { name: /^Warnings: 20 document view/ });
    expect(warningIcon.getAttribute("title")).toMatch(/^20 document view\(s\) were left out/);
    await user.click(within(rowOf(done.id)).getByText("1,300 / 1,300 views"));
    const panel = within(await screen.findByRole("complementary"));
    const field = (label: string) => panel.getByText(label, { selector: "dt" }).nextElementSibling!.textContent;
    expect(field("Duration")).toBe("1 min 5 s");
    expect(field("Rows written")).toBe("1,204");
    expect(field("File size")).toBe("3.4 KB");
    expect(field("Progress")).toContain("1,300 / 1,300 views");
    expect(within(panel.getByRole("region", { name: "Warnings" })).getByText(/20 document view\(s\) were left out because their dataroom visit/)).toBeTruthy();
  });

  it("says for a running export how long it has run and what it has read so far", async () => {
    const running = makeJob({ status: "PROCESSING", progress: 10, total: 40, startedAt: new Date(Date.now() - 30_000).toISOString(), rows: undefined, bytes: undefined });
    const { user } = renderConsole(new FakeConsoleApi([running]));
    await screen.findByText("1–1 of 1");
    await user.keyboard("{Tab}");
    rowOf(running.id).focus();
    await user.keyboard("{Enter}");
    const panel = within(await screen.findByRole("complementary"));
    const field = (label: string) => panel.getByText(label, { selector: "dt" }).nextElementSibling!.textContent;
    expect(field("Duration")).toMatch(/^3\d s$/);
    expect(field("Time left")).toBe("about 1 min 30 s left");
    expect(field("Rows written")).toBe("—");
  });
});

describe("fit a laptop", () => {
  it("shows a short id with a button that copies all of it", async () => {
    const job = makeJob({ id: "Vq3xK9mPz2LrT8wYb4NcD" });
    const { user, clipboard } = renderConsole(new FakeConsoleApi([job]));
    await screen.findByText("1–1 of 1");
    const code = within(rowOf(job.id)).getByText("Vq3xK9mP…");
    expect(code.getAttribute("title")).toBe(job.id);
    await user.click(within(rowOf(job.id)).getByRole("button", { name: `Copy id of export ${job.id}` }));
    expect(clipboard.writeText).toHaveBeenCalledWith(job.id);
  });

  it("shows compact dates with the exact time in the tooltip", async () => {
    const job = makeJob({ createdAt: "2025-12-31T08:05:00.000Z" });
    renderConsole(new FakeConsoleApi([job]));
    await screen.findByText("1–1 of 1");
    const time = rowOf(job.id).querySelector("td.col-createdAt time")!;
    expect(time.getAttribute("title")).toBe("2025-12-31T08:05:00.000Z");
    expect(time.textContent).toMatch(/^Dec 31, 2025 \d\d:05$/); // another year: the year is shown
  });

  it("chooses the columns in a menu and remembers the choice", async () => {
    const storage = memoryStorage();
    const job = makeJob({ rows: 42 });
    const first = renderConsole(new FakeConsoleApi([job]), "ipc", { storage });
    await screen.findByText("1–1 of 1");
    expect(headers()).toEqual(["", "Id", "Resource", "Status", "Progress", "User", "Created", "Actions"]);
    await first.user.click(screen.getByText("Columns"));
    await first.user.click(screen.getByRole("checkbox", { name: "Show the User column" }));
    await first.user.click(screen.getByRole("checkbox", { name: "Show the Rows column" }));
    expect(headers()).toEqual(["", "Id", "Resource", "Status", "Progress", "Created", "Rows", "Actions"]);
    expect(within(rowOf(job.id)).getByText("42")).toBeTruthy();
    expect(JSON.parse(storage.values.get(COLUMNS_STORAGE_KEY)!)).toMatchObject({ user: false, rows: true });
    first.unmount();

    const second = renderConsole(new FakeConsoleApi([job]), "ipc", { storage });
    await screen.findByText("1–1 of 1");
    expect(headers()).toEqual(["", "Id", "Resource", "Status", "Progress", "Created", "Rows", "Actions"]);
    await second.user.click(screen.getByText("Columns"));
    await second.user.click(screen.getByRole("button", { name: "Default columns" }));
    expect(headers()).toEqual(["", "Id", "Resource", "Status", "Progress", "User", "Created", "Actions"]);
  });

  it("ignores a stored column choice it cannot read", async () => {
    const storage = memoryStorage();
    storage.values.set(COLUMNS_STORAGE_KEY, "{not json");
    renderConsole(new FakeConsoleApi([makeJob()]), "ipc", { storage });
    await screen.findByText("1–1 of 1");
    expect(headers()).toEqual(["", "Id", "Resource", "Status", "Progress", "User", "Created", "Actions"]);
  });
});
