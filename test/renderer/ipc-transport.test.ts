import { describe, expect, it } from "vitest";
import type { PreloadBridge } from "../../shared/contract";
import { METHOD_NAMES } from "../../shared/contract";
import type { JobChange } from "../../shared/job";
import { ApiError } from "../../renderer/src/api/api-error";
import { ipcTransport } from "../../renderer/src/api/ipc-transport";
import { makeJob } from "./fake-console-api";

function bridge(answers: Partial<Record<string, (input: unknown) => Promise<unknown>>>, onJobChanged: PreloadBridge["onJobChanged"] = () => () => {}): PreloadBridge {
  const methods = Object.fromEntries(
    METHOD_NAMES.map((name) => [name, (input: unknown) => (answers[name] ?? (async () => ({ ok: false, error: { code: "INTERNAL", message: `no ${name}` } })))(input)]),
  );
  return { ...methods, onJobChanged } as unknown as PreloadBridge;
}

describe("ipcTransport", () => {
  it("unwraps results and passes the input through", async () => {
    const job = makeJob();
    const seen: unknown[] = [];
    const api = ipcTransport(
      bridge({
        getJob: async (input) => {
          seen.push(input);
          return { ok: true, value: job };
        },
      }),
    );
    expect(await api.getJob({ id: job.id })).toEqual(job);
    expect(seen).toEqual([{ id: job.id }]);
  });

  it("turns wire errors into ApiErrors with their code", async () => {
    const api = ipcTransport(bridge({ deleteJob: async () => ({ ok: false, error: { code: "NOT_FOUND", message: "export x not found" } }) }));
    const error = await api.deleteJob({ id: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "NOT_FOUND", message: "export x not found", network: false });
  });

  it("refuses answers that do not match the contract, and a bridge that throws", async () => {
    const api = ipcTransport(
      bridge({
        listJobs: async () => ({ ok: true, value: { jobs: [{ id: "x", status: "DONE" }], total: 1, malformed: [] } }),
        getJob: async () => "not a result",
        listTeams: async () => {
          throw new Error("IPC channel closed");
        },
      }),
    );
    await expect(api.listJobs({ filter: {}, page: {} })).rejects.toMatchObject({ code: "INTERNAL", message: expect.stringMatching(/listJobs does not match the contract: jobs\.0/) });
    await expect(api.getJob({ id: "x" })).rejects.toMatchObject({ code: "INTERNAL" });
    await expect(api.listTeams({})).rejects.toMatchObject({ code: "INTERNAL", message: "IPC channel closed" });
  });

  it("forwards only well-formed change events", () => {
    let push: (change: unknown) => void = () => {};
    const api = ipcTransport(
      bridge({}, (listener) => {
        push = listener;
        return () => {};
      }),
    );
    const received: JobChange[] = [];
    api.onJobChanged((change) => received.push(change));
    push({ kind: "updated", id: "abc", teamId: "t1", userId: "u", status: "PROCESSING", progress: 2, total: 5, at: "2026-03-02T09:00:00.000Z" });
    push({ kind: "exploded", id: "abc" });
    push(null);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ id: "abc", progress: 2 });
  });
});
