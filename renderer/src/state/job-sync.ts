import type { ConsoleApi } from "../../../shared/contract";
import { recordStatusOf, type JobChange } from "../../../shared/job";
import { toApiError } from "../api/api-error";
import type { ConnectionStore } from "./connection-store";
import type { DetailStore } from "./detail-store";
import { listQueryOf, type FiltersState, type FiltersStore } from "./filters-store";
import type { JobsStore } from "./jobs-store";
import type { SelectionStore } from "./selection-store";

export const POLL_INTERVAL_MS = 3000;

export interface JobSyncDeps {
  api: ConsoleApi;
  teamRequired: boolean;
  filters: FiltersStore;
  jobs: JobsStore;
  selection: SelectionStore;
  connection: ConnectionStore;
  detail: DetailStore;
}

export interface JobSyncOptions {
  pollMs?: number;
  /** Change events arriving within this many ms share one refetch. */
  coalesceMs?: number;
  now?: () => number;
}

export interface JobSync {
  /** Loads everything, then keeps it fresh; returns stop. */
  start(): () => void;
  refreshList(options?: { poll?: boolean }): Promise<void>;
  /** A refetch shortly, shared by everything that asks within coalesceMs. */
  refreshSoon(): void;
  refreshTeams(): Promise<void>;
  refreshStatus(): Promise<void>;
  handleChange(change: JobChange): void;
}

/** Whether a change can alter the shown page (other teams' and other statuses' changes cannot). */
export function changeMayAffectPage(change: JobChange, filters: Pick<FiltersState, "teamId" | "status">, rowShown: boolean): boolean {
  if (rowShown) return true;
  if (filters.teamId && change.teamId !== filters.teamId) return false;
  // Change events carry the record's status: a cancel shows up as FAILED.
  if (filters.status && change.status !== undefined && change.status !== recordStatusOf(filters.status)) return false;
  return true;
}

const QUERY_FIELDS = ["teamId", "status", "type", "search", "offset", "limit"] as const;

/**
 * Keeps the stores in step with the jobs: a poll every 3 seconds (list, connection status,
 * open detail) plus the live change subscription, which patches progress in place and
 * refetches the page for anything else. A lost change costs at most one poll.
 */
export function createJobSync(deps: JobSyncDeps, options: JobSyncOptions = {}): JobSync {
  const { api, filters, jobs, selection, connection, detail } = deps;
  const pollMs = options.pollMs ?? POLL_INTERVAL_MS;
  const coalesceMs = options.coalesceMs ?? 250;
  const now = options.now ?? Date.now;
  let statusInFlight = false;
  let teamsInFlight = false;
  let soonTimer: ReturnType<typeof setTimeout> | null = null;

  const sync: JobSync = {
    async refreshList({ poll = false } = {}) {
      const state = filters.getState();
      if (deps.teamRequired && !state.teamId) return; // waits for listTeams to pick one
      if (poll && jobs.getState().isLoading()) return;
      const requestedAt = now();
      const outcome = await jobs.getState().load(listQueryOf(state));
      if (outcome.ok) {
        connection.getState().reportListSucceeded(requestedAt);
        selection.getState().keepOnly(jobs.getState().jobs.map((job) => job.id));
      } else {
        connection.getState().reportListFailed(requestedAt, outcome.error);
      }
    },

    refreshSoon() {
      if (soonTimer) return;
      soonTimer = setTimeout(() => {
        soonTimer = null;
        void sync.refreshList();
      }, coalesceMs);
    },

    async refreshTeams() {
      if (teamsInFlight) return;
      teamsInFlight = true;
      const requestedAt = now();
      try {
        const teams = await api.listTeams({});
        filters.getState().setTeams(teams);
        const { teamId } = filters.getState();
        if (deps.teamRequired && (!teamId || !teams.includes(teamId)) && teams[0]) filters.getState().setTeam(teams[0]);
      } catch (error) {
        connection.getState().reportListFailed(requestedAt, toApiError(error));
      } finally {
        teamsInFlight = false;
      }
    },

    async refreshStatus() {
      if (statusInFlight) return;
      statusInFlight = true;
      const requestedAt = now();
      try {
        connection.getState().reportStatus(requestedAt, await api.getConnectionStatus({}));
      } catch (error) {
        connection.getState().reportStatusFailed(requestedAt, toApiError(error));
      } finally {
        statusInFlight = false;
      }
    },

    handleChange(change) {
      detail.getState().applyChange(change);
      const rowShown = jobs.getState().jobs.some((job) => job.id === change.id);
      if (jobs.getState().applyChange(change)) return;
      if (changeMayAffectPage(change, filters.getState(), rowShown)) sync.refreshSoon();
    },

    start() {
      const unsubscribeFilters = filters.subscribe((state, previous) => {
        if (QUERY_FIELDS.some((field) => state[field] !== previous[field])) {
          selection.getState().clear();
          void sync.refreshList();
        }
      });
      const unsubscribeChanges = api.onJobChanged((change) => sync.handleChange(change));
      const tick = () => {
        void sync.refreshList({ poll: true });
        void sync.refreshStatus();
        void detail.getState().refresh();
        if (filters.getState().teams.length === 0) void sync.refreshTeams();
      };
      const timer = setInterval(tick, pollMs);
      // Picking the first team (browser mode) starts the first load; otherwise start it here.
      void sync.refreshTeams().then(() => sync.refreshList({ poll: true }));
      void sync.refreshStatus();
      return () => {
        clearInterval(timer);
        if (soonTimer) clearTimeout(soonTimer);
        soonTimer = null;
        unsubscribeFilters();
        unsubscribeChanges();
      };
    },
  };
  return sync;
}
