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

/** What people call an export: its resource's name (or id), not the export's id. */
export const exportLabel = (job: Pick<ExportJobSummary, "resourceId" | "resourceName">) => `the export of ${job.resourceName ?? job.resourceId}`;
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What the buttons do: each calls the API, reflects the answer in the stores and says how it went. */
export function createJobActions(deps: JobActionsDeps): JobActions {
  const { api, jobs, selection, detail, ui, sync } = deps;
  const notify = (text: string, tone?: "info" | "error") => ui.getState().notify(text, tone);
  const failed = (what: string, error: unknown) => notify(`${what}: ${toApiError(error).message}`, "error");
  /** The export's label when the page shows it, else its id. */
  const labelOf = (id: string) => {
    const job = jobs.getState().jobs.find((each) => each.id === id) ?? detail.getState().job ?? undefined;
    return job?.id === id ? exportLabel(job) : `export ${id}`;
  };
  const applyJob = (job: ExportJobSummary) => {
    jobs.getState().upsert(job);
    detail.getState().show(job);
    sync.refreshSoon();
  };

  const actions: JobActions = {
    async create(input) {
      const job = await api.createExport(input);
      notify(`${capitalised(exportLabel(job))} is queued`);
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
        else if (result.saved) notify(result.path ? `Saved ${result.path}` : `Downloaded ${result.fileName ?? `the CSV of ${labelOf(id)}`}`);
      } catch (error) {
        failed(`Could not save the CSV of ${labelOf(id)}`, error);
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
        const job = await api.cancelJob({ id });
        applyJob(job);
        notify(`Cancelled ${exportLabel(job)}`);
      } catch (error) {
        failed(`Could not cancel ${labelOf(id)}`, error);
      }
    },

    async retry(id) {
      try {
        const job = await api.retryJob({ id });
        applyJob(job);
        notify(`${capitalised(exportLabel(job))} is queued again`);
      } catch (error) {
        failed(`Could not retry ${labelOf(id)}`, error);
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
