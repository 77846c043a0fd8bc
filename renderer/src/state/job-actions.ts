import type { ConsoleApi } from "../../../shared/contract";
import type { CreateExportInput, ExportJobSummary } from "../../../shared/job";
import { toApiError } from "../api/api-error";
import type { DetailStore } from "./detail-store";
import type { FiltersStore } from "./filters-store";
import type { JobSync } from "./job-sync";
import type { JobsStore } from "./jobs-store";
import type { SelectionStore } from "./selection-store";
import type { UiStore } from "./ui-store";

export interface Clipboard {
  writeText(text: string): Promise<void>;
}

export interface JobActionsDeps {
  api: ConsoleApi;
  filters: FiltersStore;
  jobs: JobsStore;
  selection: SelectionStore;
  detail: DetailStore;
  ui: UiStore;
  sync: Pick<JobSync, "refreshList" | "refreshSoon" | "refreshTeams">;
  clipboard?: Clipboard;
}

export interface JobActions {
  create(input: CreateExportInput): Promise<ExportJobSummary>;
  save(id: string): Promise<void>;
  /** Desktop: opens a web-app export's CSV location in the system browser. */
  openResultLocation(id: string): Promise<void>;
  cancel(id: string): Promise<void>;
  retry(id: string): Promise<void>;
  copyId(id: string): Promise<void>;
  /** Asks in a dialog, then deletes. */
  confirmDelete(ids: readonly string[]): void;
  deleteNow(ids: readonly string[]): Promise<void>;
  openDetail(id: string): void;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** What the buttons do: each calls the API, reflects the answer in the stores and says how it went. */
export function createJobActions(deps: JobActionsDeps): JobActions {
  const { api, jobs, selection, detail, ui, sync } = deps;
  const notify = (text: string, tone?: "info" | "error") => ui.getState().notify(text, tone);
  const failed = (what: string, error: unknown) => notify(`${what}: ${toApiError(error).message}`, "error");
  const applyJob = (job: ExportJobSummary) => {
    jobs.getState().upsert(job);
    detail.getState().show(job);
    sync.refreshSoon();
  };

  const actions: JobActions = {
    async create(input) {
      const job = await api.createExport(input);
      notify(`Export ${job.id} created`);
      const filters = deps.filters.getState();
      if (filters.teamId && filters.teamId !== job.teamId) filters.setTeam(job.teamId);
      if (!filters.teams.includes(job.teamId)) void sync.refreshTeams();
      void sync.refreshList();
      return job;
    },

    async save(id) {
      try {
        const result = await api.saveResult({ id });
        if (result.location) ui.getState().showResultLocation({ id, url: result.location });
        else if (result.saved) notify(result.path ? `Saved to ${result.path}` : `CSV of ${id} downloaded`);
      } catch (error) {
        failed(`Could not save ${id}`, error);
      }
    },

    async openResultLocation(id) {
      try {
        await api.openResultLocation({ id });
        ui.getState().closeResultLocation();
      } catch (error) {
        failed(`Could not open the CSV of ${id}`, error);
      }
    },

    async cancel(id) {
      try {
        applyJob(await api.cancelJob({ id }));
        notify(`Export ${id} cancelled`);
      } catch (error) {
        failed(`Could not cancel ${id}`, error);
      }
    },

    async retry(id) {
      try {
        applyJob(await api.retryJob({ id }));
        notify(`Export ${id} queued again`);
      } catch (error) {
        failed(`Could not retry ${id}`, error);
      }
    },

    async copyId(id) {
      try {
        if (!deps.clipboard) throw new Error("no clipboard here");
        await deps.clipboard.writeText(id);
        notify(`Copied ${id}`);
      } catch (error) {
        failed("Could not copy the id", error);
      }
    },

    confirmDelete(ids) {
      if (ids.length === 0) return;
      const list = [...ids];
      ui.getState().askToConfirm({
        title: list.length === 1 ? "Delete this export?" : `Delete ${plural(list.length, "export")}?`,
        message:
          list.length === 1
            ? `Export ${list[0]} and its CSV will be deleted. A running export is cancelled first.`
            : `These ${plural(list.length, "export")} and their CSVs will be deleted. Running exports are cancelled first.`,
        confirmLabel: "Delete",
        onConfirm: () => actions.deleteNow(list),
      });
    },

    async deleteNow(ids) {
      const outcomes = await Promise.allSettled(ids.map((id) => api.deleteJob({ id })));
      const deleted = ids.filter((_, index) => outcomes[index]?.status === "fulfilled");
      jobs.getState().remove(deleted);
      selection.getState().keepOnly(jobs.getState().jobs.map((job) => job.id));
      const shown = detail.getState().jobId;
      if (shown && deleted.includes(shown)) detail.getState().close();
      const errors = outcomes.flatMap((outcome, index) => (outcome.status === "rejected" ? [`${ids[index]}: ${toApiError(outcome.reason).message}`] : []));
      if (deleted.length > 0) notify(`Deleted ${plural(deleted.length, "export")}`);
      if (errors.length > 0) notify(`Could not delete ${plural(errors.length, "export")}: ${errors.join("; ")}`, "error");
      sync.refreshSoon();
    },

    openDetail(id) {
      void detail.getState().open(id, jobs.getState().jobs.find((job) => job.id === id));
    },
  };
  return actions;
}
