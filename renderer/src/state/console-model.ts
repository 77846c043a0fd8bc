import type { ConsoleApi } from "../../../shared/contract";
import type { ConsoleTransport } from "../api/console-transport";
import { createActivityStore, type ActivityStore } from "./activity-store";
import { createColumnsStore, type ColumnsStore } from "./columns-store";
import { createConnectionStore, type ConnectionStore } from "./connection-store";
import { createDetailStore, type DetailStore } from "./detail-store";
import { createFiltersStore, type FiltersStore } from "./filters-store";
import { createJobActions, type Clipboard, type JobActions } from "./job-actions";
import { createJobSync, type JobSync, type JobSyncOptions } from "./job-sync";
import { createJobsStore, type JobsStore } from "./jobs-store";
import { createSelectionStore, type SelectionStore } from "./selection-store";
import { DEFAULT_COLUMN_VISIBILITY } from "./column-defaults";
import { createThemeStore, type Theme, type ThemeStore } from "./theme-store";
import { createUiStore, type UiStore } from "./ui-store";

/** Everything the UI reads and does, created once per app (and once per component test). */
export interface ConsoleModel {
  transport: ConsoleTransport;
  api: ConsoleApi;
  filters: FiltersStore;
  jobs: JobsStore;
  selection: SelectionStore;
  connection: ConnectionStore;
  theme: ThemeStore;
  columns: ColumnsStore;
  detail: DetailStore;
  /** The Activity view's team audit trail. */
  activity: ActivityStore;
  ui: UiStore;
  sync: JobSync;
  actions: JobActions;
}

export interface ConsoleModelOptions extends JobSyncOptions {
  storage?: Pick<Storage, "getItem" | "setItem">;
  systemTheme?: Theme;
  clipboard?: Clipboard;
  noticeMs?: number;
}

export function createConsoleModel(transport: ConsoleTransport, options: ConsoleModelOptions = {}): ConsoleModel {
  const { api } = transport;
  const filters = createFiltersStore();
  const jobs = createJobsStore(api);
  const selection = createSelectionStore();
  const connection = createConnectionStore();
  const theme = createThemeStore({ storage: options.storage, systemTheme: options.systemTheme });
  const columns = createColumnsStore({ defaults: DEFAULT_COLUMN_VISIBILITY, storage: options.storage });
  const detail = createDetailStore(api);
  const activity = createActivityStore(api, { pollMs: options.pollMs, coalesceMs: options.coalesceMs });
  const ui = createUiStore({ noticeMs: options.noticeMs });
  const sync = createJobSync({ api, teamRequired: transport.teamRequired, filters, jobs, selection, connection, detail }, options);
  const actions = createJobActions({ api, filters, jobs, selection, detail, ui, sync, clipboard: options.clipboard });
  return { transport, api, filters, jobs, selection, connection, theme, columns, detail, activity, ui, sync, actions };
}
