import { createStore } from "zustand/vanilla";
import type { ConsoleApi } from "../../../shared/contract";
import type { ExportJobSummary, JobChange, MalformedRecord } from "../../../shared/job";
import { ApiError, toApiError } from "../api/api-error";
import type { ListQuery } from "./filters-store";

export interface ShownError {
  code: ApiError["code"];
  message: string;
  network: boolean;
}

export function shownError(error: unknown): ShownError {
  const apiError = toApiError(error);
  return { code: apiError.code, message: apiError.message, network: apiError.network };
}

export interface JobsState {
  jobs: ExportJobSummary[];
  /** Jobs matching the filters, all pages. */
  total: number;
  malformed: MalformedRecord[];
  /** Where the page's PENDING jobs stand in the queue (1 = runs next). */
  queuePositions: Record<string, number>;
  /** The server searched only the newest jobs (older matches are not shown or counted). */
  scanLimited: boolean;
  /** `loading`: the shown query has no answer yet; polls of a loaded query stay `ready`. */
  phase: "idle" | "loading" | "ready" | "error";
  /** The last load's error, kept next to the last good rows. */
  error: ShownError | null;
  /** Key of the query whose rows are shown. */
  shownQuery: string | null;
  load(query: ListQuery): Promise<{ ok: true } | { ok: false; error: ApiError }>;
  isLoading(): boolean;
  /** Patches a row from a change event; false when only a refetch can show the change. */
  applyChange(change: JobChange): boolean;
  upsert(job: ExportJobSummary): void;
  remove(ids: readonly string[]): void;
}

export type JobsStore = ReturnType<typeof createJobsStore>;

export const queryKey = (query: ListQuery) => JSON.stringify(query);

/** The current page of jobs; only the answer to the newest request is applied. */
export function createJobsStore(api: Pick<ConsoleApi, "listJobs">) {
  let newestRequest = 0;
  let inFlight = 0;
  return createStore<JobsState>()((set, get) => ({
    jobs: [],
    total: 0,
    malformed: [],
    queuePositions: {},
    scanLimited: false,
    phase: "idle",
    error: null,
    shownQuery: null,

    async load(query) {
      const request = ++newestRequest;
      const key = queryKey(query);
      if (get().shownQuery !== key) set({ phase: "loading", shownQuery: key });
      inFlight++;
      try {
        const result = await api.listJobs({ filter: query.filter, page: query.page });
        if (request === newestRequest) set({ jobs: result.jobs, total: result.total, malformed: result.malformed, queuePositions: result.queuePositions ?? {}, scanLimited: result.scanLimited === true, phase: "ready", error: null });
        return { ok: true };
      } catch (thrown) {
        const error = toApiError(thrown);
        if (request === newestRequest) {
          // A failed poll keeps the rows it had; a new query that fails shows the error alone.
          set((state) => (state.phase === "loading" ? { phase: "error", error: shownError(error), jobs: [], total: 0, malformed: [], queuePositions: {} } : { error: shownError(error) }));
        }
        return { ok: false, error };
      } finally {
        inFlight--;
      }
    },

    isLoading: () => inFlight > 0,

    applyChange(change) {
      const index = get().jobs.findIndex((job) => job.id === change.id);
      if (change.kind === "deleted") {
        if (index !== -1) get().remove([change.id]);
        return false; // totals and the next page's first row move: refetch
      }
      const row = get().jobs[index];
      if (!row || change.kind !== "updated" || (change.status !== undefined && change.status !== row.status)) return false;
      const patched: ExportJobSummary = {
        ...row,
        updatedAt: change.at,
        ...(change.progress !== undefined ? { progress: change.progress } : {}),
        ...(change.total !== undefined ? { total: change.total } : {}),
      };
      set((state) => ({ jobs: state.jobs.map((job) => (job.id === change.id ? patched : job)) }));
      return true;
    },

    upsert(job) {
      set((state) => ({ jobs: state.jobs.some((each) => each.id === job.id) ? state.jobs.map((each) => (each.id === job.id ? job : each)) : state.jobs }));
    },

    remove(ids) {
      const gone = new Set(ids);
      set((state) => {
        const jobs = state.jobs.filter((job) => !gone.has(job.id));
        const malformed = state.malformed.filter((record) => !gone.has(record.id));
        const removed = state.jobs.length - jobs.length + (state.malformed.length - malformed.length);
        return { jobs, malformed, total: Math.max(0, state.total - removed) };
      });
    },
  }));
}
