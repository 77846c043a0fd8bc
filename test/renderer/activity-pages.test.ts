import { describe, expect, it } from "vitest";
import type { AuditEntry, AuditQuery } from "../../shared/audit";
import { MAX_PAGE_LIMIT } from "../../shared/job";
import { newestEntries } from "../../renderer/src/state/activity-store";

const entry = (n: number): AuditEntry => ({ at: new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString(), actor: "alice", action: "created", jobId: `job_${String(n).padStart(4, "0")}` });

describe("newestEntries", () => {
  it("shows no entry twice when one is recorded between two pages of a long trail", async () => {
    // The trail, newest first: 520 entries, and a 521st recorded right after the first page is read.
    const trail = Array.from({ length: MAX_PAGE_LIMIT + 20 }, (_, i) => entry(MAX_PAGE_LIMIT + 20 - i));
    const calls: AuditQuery[] = [];
    const api = {
      listAudit: async ({ query }: { teamId: string; query: AuditQuery }) => {
        calls.push(query);
        const offset = query.offset ?? 0;
        const page = { entries: trail.slice(offset, offset + (query.limit ?? 50)), total: trail.length, unreadable: 0 };
        if (calls.length === 1) trail.unshift(entry(9999));
        return page;
      },
    };
    const { entries } = await newestEntries(api, "t1", MAX_PAGE_LIMIT + 20);
    expect(calls.length).toBe(2);
    const ids = entries.map((e) => e.jobId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(MAX_PAGE_LIMIT + 19); // the shifted page repeated one: left out
  });
});
