// @vitest-environment jsdom
import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../shared/audit";
import type { JobChange } from "../../shared/job";
import type { AuditPage } from "../../shared/audit";
import { MAX_PAGE_LIMIT } from "../../shared/job";
import { ApiError } from "../../renderer/src/api/api-error";
import { ACTIVITY_PAGE_SIZE, createActivityStore } from "../../renderer/src/state/activity-store";
import { FakeConsoleApi, makeJob } from "./fake-console-api";
import { renderConsole } from "./render-console";

const activityArea = () => within(screen.getByRole("main", { name: "Team activity" }));
const rowTexts = () =>
  [...document.querySelectorAll(".activity-table tbody tr")].map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent));

/** `count` entries of team t1, newest first, one a minute back from 09:59. */
function trail(count: number): AuditEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    at: new Date(Date.UTC(2026, 2, 2, 9, 59 - (index % 60), 0) - Math.floor(index / 60) * 3_600_000).toISOString(),
    actor: `user${index}`,
    action: "created" as const,
    jobId: `job_${String(index).padStart(4, "0")}_abcdef`,
    resourceId: "d1",
    resourceName: "Pitch Deck",
  }));
}

const change = (overrides: Partial<JobChange>): JobChange => ({ kind: "created", id: "job_new_123456", teamId: "t1", userId: "alice", at: "2026-03-02T10:00:00.000Z", ...overrides });

async function openActivity(fake: FakeConsoleApi, kind: "ipc" | "http" = "ipc") {
  const rendered = renderConsole(fake, kind);
  await rendered.user.click(screen.getByRole("button", { name: "Activity" }));
  return rendered;
}

describe("the team's activity view", () => {
  it("opens from the header and lists who did what to which export, newest first", async () => {
    const fake = new FakeConsoleApi([makeJob()]);
    fake.audit.t1 = [
      { at: "2026-03-02T09:05:00.000Z", actor: "bob", action: "deleted", jobId: "Kp2mW7cT9xYz", resourceId: "doc_pitch", resourceName: "Pitch Deck 2026" },
      { at: "2026-03-02T09:04:00.000Z", actor: "carol", action: "retried", jobId: "Zc8vB3nLq1", resourceId: "dr_series_a" },
      { at: "2026-03-02T09:03:00.000Z", actor: "bob", action: "cancelled", jobId: "Kp2mW7cT9xYz" },
      { at: "2026-03-02T09:01:00.000Z", actor: "alice", action: "created", jobId: "Kp2mW7cT9xYz", resourceId: "doc_pitch", resourceName: "Pitch Deck 2026" },
    ];
    const { user, clipboard } = renderConsole(fake);
    await screen.findByText("1–1 of 1");
    expect(screen.getByRole("button", { name: "Exports" }).getAttribute("aria-current")).toBe("page");
    await user.click(screen.getByRole("button", { name: "Activity" }));
    expect(screen.getByRole("button", { name: "Activity" }).getAttribute("aria-current")).toBe("page");
    // The exports stay mounted but hidden; the activity takes their place.
    expect(screen.queryByRole("main", { name: "Exports" })).toBeNull();
    await activityArea().findByRole("table", { name: "Activity of team t1" });
    // The desktop shows all teams' exports: the activity is the first team's.
    expect((activityArea().getByLabelText("Team") as HTMLSelectElement).value).toBe("t1");
    // In the viewer's zone (the tests run in Pacific/Auckland, UTC+13 in March).
    expect(rowTexts()).toEqual([
      ["2026-03-02 22:05:00", "bob", "Deleted", "Kp2mW7cT…", "Pitch Deck 2026doc_pitch"],
      ["2026-03-02 22:04:00", "carol", "Retried", "Zc8vB3nL…", "dr_series_a"],
      ["2026-03-02 22:03:00", "bob", "Cancelled", "Kp2mW7cT…", "not recorded"],
      ["2026-03-02 22:01:00", "alice", "Created", "Kp2mW7cT…", "Pitch Deck 2026doc_pitch"],
    ]);
    expect(activityArea().getAllByRole("row")[1]!.querySelector("time")!.getAttribute("datetime")).toBe("2026-03-02T09:05:00.000Z");
    expect(activityArea().getByText("4 of 4 actions")).toBeTruthy();
    expect(activityArea().queryByRole("button", { name: "Load more" })).toBeNull();
    // The id is shortened in the cell, whole in its title and in what is copied.
    expect(activityArea().getAllByText("Kp2mW7cT…")[0]!.getAttribute("title")).toBe("Kp2mW7cT9xYz");
    await user.click(activityArea().getAllByRole("button", { name: "Copy id of export Kp2mW7cT9xYz" })[0]!);
    expect(clipboard.writeText).toHaveBeenCalledWith("Kp2mW7cT9xYz");
    expect(fake.callsOf("listAudit")).toEqual([{ teamId: "t1", query: { offset: 0, limit: 50 } }]);

    await user.click(screen.getByRole("button", { name: "Exports" }));
    expect(screen.queryByRole("main", { name: "Team activity" })).toBeNull();
    expect(screen.getByRole("main", { name: "Exports" })).toBeTruthy();
  });

  it("loads 50 more at a time until the whole trail is shown", async () => {
    const fake = new FakeConsoleApi();
    fake.audit.t1 = trail(120);
    const { user } = await openActivity(fake);
    await activityArea().findByText("50 of 120 actions");
    expect(rowTexts()).toHaveLength(50);
    await user.click(activityArea().getByRole("button", { name: "Load more" }));
    await activityArea().findByText("100 of 120 actions");
    await user.click(activityArea().getByRole("button", { name: "Load more" }));
    await activityArea().findByText("120 of 120 actions");
    expect(rowTexts().map((row) => row[1])).toEqual(fake.audit.t1.map((entry) => entry.actor));
    expect(activityArea().queryByRole("button", { name: "Load more" })).toBeNull();
    // Each read asks for the newest entries: a new one recorded meanwhile never shows twice.
    expect(fake.callsOf("listAudit")).toEqual([
      { teamId: "t1", query: { offset: 0, limit: 50 } },
      { teamId: "t1", query: { offset: 0, limit: 100 } },
      { teamId: "t1", query: { offset: 0, limit: 150 } },
    ]);
  });

  it("reads the trail again when an export of its team is created, cancelled, retried or deleted, not on progress", async () => {
    const fake = new FakeConsoleApi();
    fake.audit.t1 = trail(2);
    await openActivity(fake);
    await activityArea().findByText("2 of 2 actions");
    const reads = () => fake.callsOf("listAudit").length;
    expect(reads()).toBe(1);

    fake.audit.t1 = [{ at: "2026-03-02T10:00:00.000Z", actor: "dana", action: "created", jobId: "job_new_123456", resourceId: "d3" }, ...fake.audit.t1];
    act(() => {
      // Neither of these can come with an audit entry of team t1: no read for them.
      fake.emit(change({ kind: "updated", status: "PROCESSING", progress: 3, total: 9 }));
      fake.emit(change({ teamId: "t2" }));
      fake.emit(change({ kind: "created" }));
    });
    await activityArea().findByText("3 of 3 actions");
    expect(reads()).toBe(2);
    expect(rowTexts()[0]!.slice(1, 3)).toEqual(["dana", "Created"]);

    for (const [status, action] of [
      ["FAILED", "cancelled"],
      ["PENDING", "retried"],
    ] as const) {
      fake.audit.t1 = [{ at: "2026-03-02T10:01:00.000Z", actor: "dana", action, jobId: "job_new_123456" }, ...fake.audit.t1];
      act(() => fake.emit(change({ kind: "updated", status })));
      await waitFor(() => expect(rowTexts()[0]![2]).toBe(action === "cancelled" ? "Cancelled" : "Retried"));
    }
    fake.audit.t1 = [{ at: "2026-03-02T10:02:00.000Z", actor: "dana", action: "deleted", jobId: "job_new_123456" }, ...fake.audit.t1];
    act(() => fake.emit(change({ kind: "deleted" })));
    await activityArea().findByText("6 of 6 actions");
    expect(reads()).toBe(5);
  });

  it("reads again on Refresh", async () => {
    const fake = new FakeConsoleApi();
    fake.audit.t1 = trail(1);
    const { user } = await openActivity(fake);
    await activityArea().findByText("1 of 1 actions");
    fake.audit.t1 = trail(2);
    await user.click(activityArea().getByRole("button", { name: "Refresh" }));
    await activityArea().findByText("2 of 2 actions");
  });

  it("says so when the team has no recorded actions", async () => {
    const { user } = await openActivity(new FakeConsoleApi());
    const empty = await activityArea().findByText("No recorded actions in team t1 yet.");
    expect(empty.closest("[role=status]")).toBeTruthy();
    expect(activityArea().getByText("0 actions")).toBeTruthy();
    expect(activityArea().queryByRole("table")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Refresh" }));
    expect(await activityArea().findByText("No recorded actions in team t1 yet.")).toBeTruthy();
  });

  it("shows an error when the trail cannot be read, and keeps the shown entries when only a refresh fails", async () => {
    const fake = new FakeConsoleApi();
    fake.audit.t1 = trail(3);
    fake.auditFailure = new ApiError("UNAVAILABLE", "Redis is unreachable");
    const { user } = await openActivity(fake);
    const alert = await activityArea().findByRole("alert");
    expect(alert.textContent).toBe("Could not load the activity of team t1: Redis is unreachable (UNAVAILABLE)Try again");
    fake.auditFailure = null;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await activityArea().findByText("3 of 3 actions");

    fake.auditFailure = new ApiError("UNAVAILABLE", "Redis is unreachable");
    await user.click(activityArea().getByRole("button", { name: "Refresh" }));
    expect((await activityArea().findByText(/^Last refresh failed/)).textContent).toBe("Last refresh failed: Redis is unreachable");
    expect(rowTexts()).toHaveLength(3);
    fake.auditFailure = null;
    await user.click(activityArea().getByRole("button", { name: "Refresh" }));
    await waitFor(() => expect(activityArea().queryByText(/^Last refresh failed/)).toBeNull());
  });

  it("shows the team picked in the exports view, and picking another team here shows that team's trail there too", async () => {
    const fake = new FakeConsoleApi([makeJob({ teamId: "t1" }), makeJob({ teamId: "t2" })]);
    fake.audit.t1 = [{ at: "2026-03-02T09:01:00.000Z", actor: "alice", action: "created", jobId: "job_t1_abcdef" }];
    fake.audit.t2 = [{ at: "2026-03-02T09:02:00.000Z", actor: "tom", action: "deleted", jobId: "job_t2_abcdef" }];
    const { user, model } = renderConsole(fake, "http");
    await screen.findByText("1–1 of 1");
    expect(model.filters.getState().teamId).toBe("t1");
    await user.click(screen.getByRole("button", { name: "Activity" }));
    await activityArea().findByRole("table", { name: "Activity of team t1" });
    await user.selectOptions(activityArea().getByLabelText("Team"), "t2");
    await activityArea().findByRole("table", { name: "Activity of team t2" });
    expect(rowTexts()).toEqual([[expect.any(String), "tom", "Deleted", "job_t2_a…", "not recorded"]]);
    expect(model.filters.getState().teamId).toBe("t2");
  });
});

describe("the activity store", () => {
  it("reads a long trail in pages the API accepts", async () => {
    const fake = new FakeConsoleApi();
    fake.audit.t1 = trail(1000);
    const store = createActivityStore(fake.api);
    await store.getState().show("t1");
    for (let shown = ACTIVITY_PAGE_SIZE; shown < 550; shown += ACTIVITY_PAGE_SIZE) await store.getState().loadMore();
    expect(store.getState().entries.map((entry) => entry.actor)).toEqual(fake.audit.t1.slice(0, 550).map((entry) => entry.actor));
    expect(fake.callsOf("listAudit").at(-2)).toEqual({ teamId: "t1", query: { offset: 0, limit: MAX_PAGE_LIMIT } });
    expect(fake.callsOf("listAudit").at(-1)).toEqual({ teamId: "t1", query: { offset: MAX_PAGE_LIMIT, limit: 50 } });
  });

  it("shows the team asked for last, whichever answer comes first", async () => {
    const answers: Record<string, (page: AuditPage) => void> = {};
    const api = {
      listAudit: ({ teamId }: { teamId: string }) => new Promise<AuditPage>((resolve) => (answers[teamId] = resolve)),
      onJobChanged: () => () => {},
    };
    const store = createActivityStore(api);
    const first = store.getState().show("t1");
    const second = store.getState().show("t2");
    answers.t2!({ entries: [{ at: "2026-03-02T09:02:00.000Z", actor: "tom", action: "deleted", jobId: "job_t2" }], total: 1, unreadable: 0 });
    await second;
    answers.t1!({ entries: [{ at: "2026-03-02T09:01:00.000Z", actor: "alice", action: "created", jobId: "job_t1" }], total: 1, unreadable: 0 });
    await first;
    expect(store.getState()).toMatchObject({ teamId: "t2", phase: "ready", entries: [{ actor: "tom" }] });
  });
});
