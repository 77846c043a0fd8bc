import { createStore } from "zustand/vanilla";
import type { ConsoleApi } from "../../../shared/contract";
import type { ExportJobSummary, JobChange } from "../../../shared/job";
import { shownError, type ShownError } from "./jobs-store";

export interface DetailState {
  jobId: string | null;
  job: ExportJobSummary | null;
  phase: "closed" | "loading" | "ready" | "error" | "deleted";
  error: ShownError | null;
  open(jobId: string, known?: ExportJobSummary): Promise<void>;
  close(): void;
  refresh(): Promise<void>;
  applyChange(change: JobChange): void;
  show(job: ExportJobSummary): void;
}

export type DetailStore = ReturnType<typeof createDetailStore>;

/** The job shown in the detail panel, read with getJob so every field is fresh. */
export function createDetailStore(api: Pick<ConsoleApi, "getJob">) {
  let newestRequest = 0;
  return createStore<DetailState>()((set, get) => ({
    jobId: null,
    job: null,
    phase: "closed",
    error: null,

    async open(jobId, known) {
      set({ jobId, job: known ?? null, phase: known ? "ready" : "loading", error: null });
      await get().refresh();
    },

    close() {
      newestRequest++;
      set({ jobId: null, job: null, phase: "closed", error: null });
    },

    async refresh() {
      const { jobId } = get();
      if (!jobId || get().phase === "deleted") return;
      const request = ++newestRequest;
      try {
        const job = await api.getJob({ id: jobId });
        if (request === newestRequest && get().jobId === jobId) set({ job, phase: "ready", error: null });
      } catch (thrown) {
        if (request !== newestRequest || get().jobId !== jobId) return;
        const error = shownError(thrown);
        set(error.code === "NOT_FOUND" ? { phase: "deleted", error } : { phase: get().job ? "ready" : "error", error });
      }
    },

    applyChange(change) {
      if (change.id !== get().jobId) return;
      if (change.kind === "deleted") {
        newestRequest++;
        set({ phase: "deleted" });
        return;
      }
      void get().refresh();
    },

    show(job) {
      if (job.id === get().jobId) set({ job, phase: "ready", error: null });
    },
  }));
}
