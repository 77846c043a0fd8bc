import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../renderer/src/api/api-error";
import { createConsoleModel } from "../../renderer/src/state/console-model";
import { changeMayAffectPage } from "../../renderer/src/state/job-sync";
import { FakeConsoleApi, makeJob } from "./fake-console-api";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const settle = () => vi.advanceTimersByTimeAsync(0);

describe("job sync", () => {
  it("loads teams, the first page and the status at start, then polls every 3 seconds", async () => {
    const fake = new FakeConsoleApi([makeJob()]);
    const model = createConsoleModel(fake.transport("ipc"));
    const stop = model.sync.start();
    await settle();
    expect(model.jobs.getState().jobs).toHaveLength(1);
    expect(model.filters.getState().teams).toEqual(["t1", "t2"]);
    expect(model.connection.getState().status?.redis.ok).toBe(true);
    const before = fake.callsOf("listJobs").length;
    await vi.advanceTimersByTimeAsync(3000);
    expect(fake.callsOf("listJobs").length).toBe(before + 1);
    await vi.advanceTimersByTimeAsync(6000);
    expect(fake.callsOf("listJobs").length).toBe(before + 3);
    stop();
    await vi.advanceTimersByTimeAsync(9000);
    expect(fake.callsOf("listJobs").length).toBe(before + 3);
    expect(fake.listenerCount).toBe(0);
  });

  it("picks the first team in browser mode before listing", async () => {
    const fake = new FakeConsoleApi([makeJob({ teamId: "t2" }), makeJob({ teamId: "t1" })]);
    const model = createConsoleModel(fake.transport("http"));
    model.sync.start();
    await settle();
    expect(model.filters.getState().teamId).toBe("t1");
    expect(fake.callsOf("listJobs")[0]).toMatchObject({ filter: { teamId: "t1" } });
    expect(model.jobs.getState().jobs.map((job) => job.teamId)).toEqual(["t1"]);
  });

  it("refetches when a filter changes, and clears the selection", async () => {
    const fake = new FakeConsoleApi([makeJob({ status: "FAILED" }), makeJob()]);
    const model = createConsoleModel(fake.transport("ipc"));
    model.sync.start();
    await settle();
    model.selection.getState().toggle(fake.jobs[1]!.id);
    model.filters.getState().setStatus("FAILED");
    await settle();
    expect(model.jobs.getState().jobs.map((job) => job.status)).toEqual(["FAILED"]);
    expect(model.selection.getState().selectedIds()).toEqual([]);
  });

  it("patches progress from change events and refetches (once) for status changes", async () => {
    const running = makeJob({ status: "PROCESSING", progress: 0, total: 4 });
    const fake = new FakeConsoleApi([running]);
    const model = createConsoleModel(fake.transport("ipc"));
    model.sync.start();
    await settle();
    const before = fake.callsOf("listJobs").length;
    fake.emit({ kind: "updated", id: running.id, teamId: "t1", userId: "alice", status: "PROCESSING", progress: 2, total: 4, at: "2026-03-02T10:00:00.000Z" });
    expect(model.jobs.getState().jobs[0]!.progress).toBe(2);
    await vi.advanceTimersByTimeAsync(300);
    expect(fake.callsOf("listJobs").length).toBe(before);

    fake.jobs = [{ ...running, status: "COMPLETED", progress: 4, completedAt: "2026-03-02T10:00:01.000Z" }];
    for (let i = 0; i < 3; i++) fake.emit({ kind: "updated", id: running.id, teamId: "t1", userId: "alice", status: "COMPLETED", at: "2026-03-02T10:00:01.000Z" });
    await vi.advanceTimersByTimeAsync(300);
    expect(fake.callsOf("listJobs").length).toBe(before + 1);
    expect(model.jobs.getState().jobs[0]).toMatchObject({ status: "COMPLETED", progress: 4 });
  });

  it("ignores other teams' changes when one team is shown", () => {
    const change = { kind: "created" as const, id: "x", teamId: "t2", userId: "u", status: "PENDING" as const, at: "2026-03-02T10:00:00.000Z" };
    expect(changeMayAffectPage(change, { teamId: "t1", status: undefined }, false)).toBe(false);
    expect(changeMayAffectPage(change, { teamId: undefined, status: "FAILED" }, false)).toBe(false);
    expect(changeMayAffectPage(change, { teamId: undefined, status: undefined }, false)).toBe(true);
    expect(changeMayAffectPage(change, { teamId: "t1", status: undefined }, true)).toBe(true);
  });

  it("refetches the Cancelled filter's page when a job is cancelled (its record turns FAILED)", () => {
    const cancelled = { kind: "updated" as const, id: "x", teamId: "t1", userId: "u", status: "FAILED" as const, at: "2026-03-02T10:00:00.000Z" };
    expect(changeMayAffectPage(cancelled, { teamId: "t1", status: "CANCELLED" }, false)).toBe(true);
    expect(changeMayAffectPage({ ...cancelled, status: "PROCESSING" }, { teamId: "t1", status: "CANCELLED" }, false)).toBe(false);
  });

  it("shows the banner while listing fails UNAVAILABLE and clears it on the next good poll", async () => {
    const fake = new FakeConsoleApi([makeJob()]);
    const model = createConsoleModel(fake.transport("ipc"));
    model.sync.start();
    await settle();
    fake.listFailure = new ApiError("UNAVAILABLE", "Redis is unreachable: connect ECONNREFUSED");
    await vi.advanceTimersByTimeAsync(3000);
    expect(model.connection.getState().banner).toMatchObject({ kind: "redis" });
    expect(model.jobs.getState().jobs).toHaveLength(1);
    fake.listFailure = null;
    await vi.advanceTimersByTimeAsync(3000);
    expect(model.connection.getState().banner).toBeNull();
  });
});
