import { describe, expect, it } from "vitest";
import { decodeHashJob, encodeFields } from "../../electron/core/jobs/job-codec";
import type { ExportJob } from "../../shared/job";

const job: ExportJob = {
  id: "job_1",
  type: "document",
  status: "COMPLETED",
  resourceId: "doc_1",
  userId: "u1",
  teamId: "t1",
  createdAt: "2026-01-02T03:04:05.000Z",
  updatedAt: "2026-01-02T03:05:05.000Z",
  since: "2026-01-01",
  until: "2026-01-31",
  profile: "spreadsheet",
  mode: "sql",
  modeReason: "the token may run SQL",
  tinybirdCalls: 3,
  rows: 120,
  bytes: 4096,
  warnings: ["20 document views were left out", "a, \"quoted\" one"],
};

describe("job codec", () => {
  it("round-trips the workflow fields through a hash's strings", () => {
    const fields = encodeFields(job);
    expect(fields.warnings).toBe(JSON.stringify(job.warnings));
    expect(fields.tinybirdCalls).toBe("3");
    expect(decodeHashJob(fields)).toEqual({ ok: true, value: job });
  });

  it("reports a warnings field that is not a JSON list of strings", () => {
    const decoded = decodeHashJob({ ...encodeFields(job), warnings: "not json" });
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? "" : decoded.reason).toContain("warnings");
  });

  it("reports a mode it does not know", () => {
    const decoded = decodeHashJob({ ...encodeFields(job), mode: "magic" });
    expect(decoded.ok ? "" : decoded.reason).toContain("mode");
  });
});
