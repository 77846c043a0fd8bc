// @vitest-environment jsdom
import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeConsoleApi, makeJob } from "./fake-console-api";
import { renderConsole } from "./render-console";

const rowOf = (id: string) => document.querySelector<HTMLTableRowElement>(`tr[data-job-id="${id}"]`)!;

describe("the details panel's history", () => {
  it("lists who did what to the export, newest first, and only this export's entries", async () => {
    const job = makeJob({ status: "PENDING", progress: 0, total: undefined, teamId: "t1" });
    const fake = new FakeConsoleApi([job]);
    fake.audit.t1 = [
      { at: "2026-03-02T09:05:00.000Z", actor: "bob", action: "retried", jobId: job.id },
      { at: "2026-03-02T09:04:00.000Z", actor: "carol", action: "deleted", jobId: "other_job" },
      { at: "2026-03-02T09:03:00.000Z", actor: "bob", action: "cancelled", jobId: job.id },
      { at: "2026-03-02T09:01:00.000Z", actor: "alice", action: "created", jobId: job.id },
    ];
    const { user } = renderConsole(fake);
    await screen.findByText("1–1 of 1");
    await user.click(within(rowOf(job.id)).getByText(job.id));
    const history = within(await screen.findByRole("region", { name: "History" }));
    const items = await history.findAllByRole("listitem");
    expect(items.map((item) => item.textContent?.replace(/^.*?(Created|Cancelled|Retried|Deleted)/, "$1"))).toEqual([
      "Retried by bob",
      "Cancelled by bob",
      "Created by alice",
    ]);
    expect(items[0]!.querySelector("time")!.getAttribute("datetime")).toBe("2026-03-02T09:05:00.000Z");
    expect(fake.callsOf("listAudit")).toContainEqual({ teamId: "t1", query: { jobId: job.id } });
  });

  it("says so when nothing is recorded", async () => {
    const job = makeJob();
    const { user } = renderConsole(new FakeConsoleApi([job]));
    await screen.findByText("1–1 of 1");
    await user.click(within(rowOf(job.id)).getByText(job.id));
    const history = within(await screen.findByRole("region", { name: "History" }));
    expect(await history.findByText("No recorded actions.")).toBeTruthy();
  });
});
