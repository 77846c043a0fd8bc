import { describe, expect, it } from "vitest";
import { jobMatchesFilter, type ExportJobSummary, type JobFilter } from "../../shared/job";

const job = (overrides: Partial<ExportJobSummary> = {}): ExportJobSummary => ({
  id: "job_Abc123",
  type: "dataroom-group",
  status: "FAILED",
  resourceId: "dr1",
  resourceName: "Series A Room",
  groupId: "grp9",
  userId: "alice",
  teamId: "t1",
  createdAt: "2026-03-02T09:00:00.000Z",
  updatedAt: "2026-03-02T09:00:00.000Z",
  ...overrides,
});

describe("jobMatchesFilter", () => {
  it("lists every job under an empty filter", () => {
    expect(jobMatchesFilter(job(), {})).toBe(true);
  });

  it.each<[JobFilter, boolean]>([
    [{ teamId: "t1" }, true],
    [{ teamId: "t2" }, false],
    [{ userId: "alice" }, true],
    [{ userId: "bob" }, false],
    [{ type: "dataroom-group" }, true],
    [{ type: "dataroom" }, false],
    [{ resourceId: "dr1" }, true],
    [{ resourceId: "dr" }, false], // an exact id, not a substring
    [{ teamId: "t1", type: "dataroom-group", status: "FAILED" }, true],
    [{ teamId: "t1", type: "document" }, false], // every given field must match
  ])("%j: %s", (filter, expected) => {
    expect(jobMatchesFilter(job(), filter)).toBe(expected);
  });

  it("tells a cancelled export (CANCELLED) apart from a failed one (FAILED)", () => {
    const cancelled = job({ error: "Cancelled by user", cancelRequested: true });
    expect(jobMatchesFilter(cancelled, { status: "CANCELLED" })).toBe(true);
    expect(jobMatchesFilter(cancelled, { status: "FAILED" })).toBe(false);
    expect(jobMatchesFilter(job(), { status: "FAILED" })).toBe(true);
    expect(jobMatchesFilter(job(), { status: "CANCELLED" })).toBe(false);
  });

  it("searches the job id, resource name, resource id and group id, in any case", () => {
    for (const search of ["abc1", "SERIES a", "DR1", "Grp9"]) expect(jobMatchesFilter(job(), { search }), search).toBe(true);
    for (const search of ["alice", "t1", "zzz"]) expect(jobMatchesFilter(job(), { search }), search).toBe(false);
    expect(jobMatchesFilter(job({ resourceName: undefined, groupId: undefined }), { search: "series" })).toBe(false);
  });
});
