import { describe, expect, it, vi } from "vitest";
import { createConsoleModel } from "../../renderer/src/state/console-model";
import { FakeConsoleApi, makeJob } from "./fake-console-api";

async function started(fake: FakeConsoleApi, clipboard = { writeText: vi.fn(async () => {}) }) {
  const model = createConsoleModel(fake.transport("ipc"), { pollMs: 60_000, coalesceMs: 0, noticeMs: 0, clipboard });
  model.sync.start();
  await vi.waitFor(() => expect(model.jobs.getState().phase).toBe("ready"));
  return { model, clipboard };
}

describe("job actions", () => {
  it("deletes after confirmation, reporting what failed", async () => {
    const [a, b] = [makeJob(), makeJob()];
    const fake = new FakeConsoleApi([a!, b!]);
    const { model } = await started(fake);
    model.actions.confirmDelete([a!.id, "missing"]);
    const confirmation = model.ui.getState().confirmation!;
    expect(confirmation.title).toBe("Delete 2 exports?");
    expect(fake.callsOf("deleteJob")).toEqual([]);
    await confirmation.onConfirm();
    expect(fake.jobs.map((job) => job.id)).toEqual([b!.id]);
    expect(model.jobs.getState().jobs.map((job) => job.id)).toEqual([b!.id]);
    expect(model.ui.getState().notices.map((n) => [n.tone, n.text])).toEqual([
      ["info", "Deleted 1 export"],
      ["error", "Could not delete 1 export: missing: export missing not found"],
    ]);
  });

  it("saves, cancels, retries and copies ids, and says so", async () => {
    const done = makeJob();
    const running = makeJob({ status: "PROCESSING", progress: 1, total: 5 });
    const fake = new FakeConsoleApi([done, running]);
    const { model, clipboard } = await started(fake);
    const said: string[] = [];
    model.ui.subscribe((state, previous) => {
      if (state.notices.length > 0 && state.notices.at(-1) !== previous.notices.at(-1)) said.push(state.notices.at(-1)!.text);
    });
    await model.actions.save(done.id);
    expect(fake.saved).toEqual([done.id]);
    await model.actions.save(running.id);
    await model.actions.cancel(running.id);
    expect(model.jobs.getState().jobs.find((job) => job.id === running.id)).toMatchObject({ status: "FAILED", error: "Cancelled by user" });
    await model.actions.retry(running.id);
    expect(model.jobs.getState().jobs.find((job) => job.id === running.id)).toMatchObject({ status: "PENDING" });
    await model.actions.copyId(done.id);
    expect(clipboard.writeText).toHaveBeenCalledWith(done.id);
    expect(model.ui.getState().notices).toHaveLength(4); // the newest few only
    // Toasts name the file and the resource, not the job id.
    expect(said).toEqual([
      `Saved /tmp/${done.id}.csv`,
      `Could not save the CSV of the export of Pitch Deck: export ${running.id} is not COMPLETED`,
      "Cancelled the export of Pitch Deck",
      "The export of Pitch Deck is queued again",
      `Copied ${done.id}`,
    ]);
  });

  it("creates an export and switches to its team when another team is shown", async () => {
    const fake = new FakeConsoleApi([makeJob()]);
    const { model } = await started(fake);
    model.filters.getState().setTeam("t2");
    const job = await model.actions.create({ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g1" });
    expect(fake.callsOf("createExport")).toEqual([{ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g1" }]);
    expect(model.filters.getState().teamId).toBe("t1");
    expect(model.ui.getState().notices.at(-1)?.text).toBe("The export of dr1 is queued");
    await vi.waitFor(() => expect(model.jobs.getState().jobs.map((each) => each.id)).toContain(job.id));
  });

  it("names the downloaded file in a browser, not the job id", async () => {
    const done = makeJob();
    const fake = new FakeConsoleApi([done]);
    fake.api.saveResult = async () => ({ saved: true, fileName: "visits-Pitch_Deck-2026-03-02.csv" });
    const { model } = await started(fake);
    await model.actions.save(done.id);
    expect(model.ui.getState().notices.at(-1)?.text).toBe("Downloaded visits-Pitch_Deck-2026-03-02.csv");
    expect(model.ui.getState().notices.at(-1)?.text).not.toContain(done.id);
  });
});
