import { describe, expect, it } from "vitest";
import { ApiError } from "../../renderer/src/api/api-error";
import { createConnectionStore } from "../../renderer/src/state/connection-store";
import { createFiltersStore, listQueryOf } from "../../renderer/src/state/filters-store";
import { createJobsStore } from "../../renderer/src/state/jobs-store";
import { createSelectionStore } from "../../renderer/src/state/selection-store";
import { createThemeStore, effectiveTheme, THEME_STORAGE_KEY } from "../../renderer/src/state/theme-store";
import { FakeConsoleApi, makeJob, OK_STATUS } from "./fake-console-api";

const query = { filter: { teamId: "t1" }, page: { offset: 0, limit: 50 } };

describe("filters store", () => {
  it("builds the listJobs input, leaving blanks out, and goes back to page 1 on a filter change", () => {
    const filters = createFiltersStore();
    filters.getState().goToOffset(100);
    filters.getState().setSearch("  deck ");
    expect(filters.getState().offset).toBe(0);
    filters.getState().setStatus("FAILED");
    expect(listQueryOf(filters.getState())).toEqual({ filter: { status: "FAILED", search: "deck" }, page: { offset: 0, limit: 50 } });
    filters.getState().clearFilters();
    expect(listQueryOf(filters.getState()).filter).toEqual({});
  });
});

describe("jobs store", () => {
  it("loads a page, shows loading only for a new query, and keeps rows when a poll fails", async () => {
    const fake = new FakeConsoleApi([makeJob(), makeJob()]);
    const jobs = createJobsStore(fake.api);
    const loading = jobs.getState().load(query);
    expect(jobs.getState().phase).toBe("loading");
    await loading;
    expect(jobs.getState()).toMatchObject({ phase: "ready", total: 2, error: null });

    fake.listFailure = new ApiError("UNAVAILABLE", "Redis is unreachable");
    const outcome = await jobs.getState().load(query);
    expect(outcome.ok).toBe(false);
    expect(jobs.getState()).toMatchObject({ phase: "ready", error: { code: "UNAVAILABLE" } });
    expect(jobs.getState().jobs).toHaveLength(2);

    await jobs.getState().load({ ...query, filter: { teamId: "t2" } });
    expect(jobs.getState()).toMatchObject({ phase: "error", jobs: [], error: { message: "Redis is unreachable" } });
  });

  it("applies only the newest request's answer", async () => {
    const fake = new FakeConsoleApi([makeJob({ teamId: "t1" }), makeJob({ teamId: "t2" })]);
    const release: (() => void)[] = [];
    const slow = { listJobs: async (input: Parameters<typeof fake.api.listJobs>[0]) => new Promise<Awaited<ReturnType<typeof fake.api.listJobs>>>((resolve) => release.push(() => void fake.api.listJobs(input).then(resolve))) };
    const jobs = createJobsStore(slow);
    const first = jobs.getState().load(query);
    const second = jobs.getState().load({ ...query, filter: { teamId: "t2" } });
    release[1]!();
    await second;
    release[0]!();
    await first;
    expect(jobs.getState().jobs.map((job) => job.teamId)).toEqual(["t2"]);
  });

  it("patches progress in place but asks for a refetch on status changes and unknown rows", async () => {
    const running = makeJob({ status: "PROCESSING", progress: 0, total: 5 });
    const jobs = createJobsStore(new FakeConsoleApi([running]).api);
    await jobs.getState().load(query);
    const at = "2026-03-02T10:00:00.000Z";
    expect(jobs.getState().applyChange({ kind: "updated", id: running.id, teamId: "t1", userId: "alice", status: "PROCESSING", progress: 3, total: 5, at })).toBe(true);
    expect(jobs.getState().jobs[0]).toMatchObject({ progress: 3, total: 5, updatedAt: at });
    expect(jobs.getState().applyChange({ kind: "updated", id: running.id, teamId: "t1", userId: "alice", status: "COMPLETED", at })).toBe(false);
    expect(jobs.getState().applyChange({ kind: "created", id: "other", teamId: "t1", userId: "alice", status: "PENDING", at })).toBe(false);
    expect(jobs.getState().applyChange({ kind: "deleted", id: running.id, teamId: "t1", userId: "alice", at })).toBe(false);
    expect(jobs.getState()).toMatchObject({ jobs: [], total: 0 });
  });
});

describe("connection store", () => {
  it("raises the banner on UNAVAILABLE or redis.ok false and clears it on the next good answer", () => {
    const connection = createConnectionStore();
    connection.getState().reportListFailed(1, new ApiError("BAD_INPUT", "bad filter"));
    expect(connection.getState().banner).toBeNull();
    connection.getState().reportListFailed(2, new ApiError("UNAVAILABLE", "Redis is unreachable: ECONNREFUSED"));
    expect(connection.getState().banner).toEqual({ kind: "redis", message: "Redis is unreachable: ECONNREFUSED" });
    connection.getState().reportListSucceeded(3);
    expect(connection.getState().banner).toBeNull();
    connection.getState().reportStatus(4, { ...OK_STATUS, redis: { ok: false, message: "PING failed" } });
    expect(connection.getState().banner).toEqual({ kind: "redis", message: "PING failed" });
    connection.getState().reportStatus(5, OK_STATUS);
    expect(connection.getState().banner).toBeNull();
    connection.getState().reportStatusFailed(6, new ApiError("UNAVAILABLE", "cannot reach the console server", { network: true }));
    expect(connection.getState().banner?.kind).toBe("server");
  });

  it("lets a slow answer from the outage not bring the banner back", () => {
    const connection = createConnectionStore();
    connection.getState().reportListSucceeded(20);
    connection.getState().reportStatus(10, { ...OK_STATUS, redis: { ok: false } }); // requested before the good listing
    expect(connection.getState().banner).toBeNull();
  });
});

describe("selection store", () => {
  it("toggles, lists and prunes ids no longer shown", () => {
    const selection = createSelectionStore();
    selection.getState().toggle("a");
    selection.getState().toggle("b");
    selection.getState().toggle("a");
    selection.getState().toggle("c");
    expect(selection.getState().selectedIds()).toEqual(["b", "c"]);
    selection.getState().keepOnly(["c", "d"]);
    expect(selection.getState().selectedIds()).toEqual(["c"]);
    selection.getState().clear();
    expect(selection.getState().selectedIds()).toEqual([]);
  });
});

describe("theme store", () => {
  it("follows the system until the user picks a theme, and remembers the pick", () => {
    const storage = new Map<string, string>();
    const backing = { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value) };
    const theme = createThemeStore({ storage: backing, systemTheme: "dark" });
    expect(effectiveTheme(theme.getState())).toBe("dark");
    theme.getState().setSystemTheme("light");
    expect(effectiveTheme(theme.getState())).toBe("light");
    theme.getState().toggle();
    expect(effectiveTheme(theme.getState())).toBe("dark");
    expect(storage.get(THEME_STORAGE_KEY)).toBe("dark");
    theme.getState().setSystemTheme("light");
    expect(effectiveTheme(theme.getState())).toBe("dark");
    expect(effectiveTheme(createThemeStore({ storage: backing, systemTheme: "light" }).getState())).toBe("dark");
  });
});
