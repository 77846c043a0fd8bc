import type { AuditEntry } from "../../shared/audit";
import type { ConnectionStatus } from "../../shared/connection-status";
import type { ConsoleApi, MethodInput, SettingsView } from "../../shared/contract";
import { jobMatchesFilter, type ExportJobSummary, type JobChange, type MalformedRecord } from "../../shared/job";
import type { Resource, ResourceKind } from "../../shared/resources";
import { ApiError } from "../../renderer/src/api/api-error";
import type { ConsoleTransport } from "../../renderer/src/api/console-transport";

export const OK_STATUS: ConnectionStatus = { redis: { ok: true }, postgres: { ok: true }, tinybird: { ok: true }, demo: false };

let counter = 0;

export function makeJob(overrides: Partial<ExportJobSummary> = {}): ExportJobSummary {
  counter += 1;
  const minute = String(counter % 60).padStart(2, "0");
  return {
    id: `job${String(counter).padStart(4, "0")}`,
    type: "document",
    status: "COMPLETED",
    resourceId: "d1",
    resourceName: "Pitch Deck",
    userId: "alice",
    teamId: "t1",
    createdAt: `2026-03-02T09:${minute}:00.000Z`,
    updatedAt: `2026-03-02T09:${minute}:00.000Z`,
    progress: 5,
    total: 5,
    attempts: 1,
    ...overrides,
  };
}

/**
 * An in-memory ConsoleApi for store and component tests: jobs newest first, filtered by the
 * store's own rule (jobMatchesFilter) and paged, switchable failures, and manual change events.
 */
export class FakeConsoleApi {
  jobs: ExportJobSummary[] = [];
  teams: string[] = ["t1", "t2"];
  /** Where PENDING jobs stand in the queue, as the service reports it with a listing. */
  queuePositions: Record<string, number> = {};
  /** Team names for findTeams. */
  teamNames: Record<string, string> = { t1: "Team One", t2: "Team Two" };
  /** What findResources searches: per team (groups: per dataroom id) and kind. */
  resources: Record<string, Partial<Record<ResourceKind, Resource[]>>> = {};
  status: ConnectionStatus = OK_STATUS;
  settingsView: SettingsView = { configured: true, values: {}, tinybirdTokenSet: true, secretsEncrypted: true };
  /** Every setSettings payload, as sent. */
  readonly settingsUpdates: unknown[] = [];
  settingsFailure: ApiError | null = null;
  /** When set, listJobs (and getConnectionStatus, for UNAVAILABLE) throws it. */
  listFailure: ApiError | null = null;
  calls: { method: string; input: unknown }[] = [];
  readonly saved: string[] = [];
  /** saveResult answers these (web-app exports kept in blob storage) instead of saving. */
  readonly resultLocations = new Map<string, string>();
  /** Unreadable records every listing reports. */
  malformed: MalformedRecord[] = [];
  readonly opened: string[] = [];
  /** Audit entries per team, newest first, as listAudit answers them. */
  audit: Record<string, AuditEntry[]> = {};
  /** When set, listAudit throws it. */
  auditFailure: ApiError | null = null;
  private readonly listeners = new Set<(change: JobChange) => void>();

  constructor(jobs: ExportJobSummary[] = []) {
    this.jobs = jobs;
  }

  emit(change: JobChange): void {
    for (const listener of this.listeners) listener(change);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  callsOf(method: string): unknown[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.input);
  }

  private record(method: string, input: unknown): void {
    this.calls.push({ method, input });
  }

  private find(id: string): ExportJobSummary {
    const job = this.jobs.find((each) => each.id === id);
    if (!job) throw new ApiError("NOT_FOUND", `export ${id} not found`);
    return job;
  }

  private replace(job: ExportJobSummary): ExportJobSummary {
    this.jobs = this.jobs.map((each) => (each.id === job.id ? job : each));
    return job;
  }

  readonly api: ConsoleApi = {
    listJobs: async (input: MethodInput<"listJobs">) => {
      this.record("listJobs", input);
      if (this.listFailure) throw this.listFailure;
      const { filter, page } = input;
      const matching = this.jobs.filter((job) => jobMatchesFilter(job, filter));
      const offset = page.offset ?? 0;
      const jobs = matching.slice(offset, offset + (page.limit ?? 50));
      const queuePositions = Object.fromEntries(Object.entries(this.queuePositions).filter(([id]) => jobs.some((job) => job.id === id)));
      return { jobs, total: matching.length, malformed: [...this.malformed], ...(Object.keys(queuePositions).length > 0 ? { queuePositions } : {}) };
    },
    listAudit: async (input) => {
      this.record("listAudit", input);
      if (this.auditFailure) throw this.auditFailure;
      const matching = (this.audit[input.teamId] ?? []).filter((entry) => !input.query.jobId || entry.jobId === input.query.jobId);
      const offset = input.query.offset ?? 0;
      return { entries: matching.slice(offset, offset + (input.query.limit ?? 50)), total: matching.length, unreadable: 0 };
    },
    getJob: async ({ id }) => {
      this.record("getJob", { id });
      return this.find(id);
    },
    createExport: async (input) => {
      this.record("createExport", input);
      const job = makeJob({ ...input, status: "PENDING", progress: 0, total: undefined, resourceName: undefined });
      this.jobs = [job, ...this.jobs];
      return job;
    },
    deleteJob: async ({ id }) => {
      this.record("deleteJob", { id });
      if (this.malformed.some((record) => record.id === id)) {
        this.malformed = this.malformed.filter((record) => record.id !== id);
        return { deleted: true as const };
      }
      this.find(id);
      this.jobs = this.jobs.filter((job) => job.id !== id);
      return { deleted: true as const };
    },
    cancelJob: async ({ id }) => {
      this.record("cancelJob", { id });
      return this.replace({ ...this.find(id), status: "FAILED", error: "Cancelled by user", cancelRequested: true });
    },
    retryJob: async ({ id }) => {
      this.record("retryJob", { id });
      const { error: _error, ...job } = this.find(id);
      return this.replace({ ...job, status: "PENDING", progress: 0 });
    },
    saveResult: async ({ id }) => {
      this.record("saveResult", { id });
      if (this.find(id).status !== "COMPLETED") throw new ApiError("CONFLICT", `export ${id} is not COMPLETED`);
      const location = this.resultLocations.get(id);
      if (location) return { saved: false, location };
      this.saved.push(id);
      return { saved: true, path: `/tmp/${id}.csv` };
    },
    openResultLocation: async ({ id }) => {
      this.record("openResultLocation", { id });
      this.opened.push(id);
      return { opened: true as const };
    },
    getSettings: async () => this.settingsView,
    setSettings: async (update) => {
      this.settingsUpdates.push(update);
      if (this.settingsFailure) throw this.settingsFailure;
      this.settingsView = { ...this.settingsView, configured: !("useDemo" in update) };
      return this.settingsView;
    },
    getConnectionStatus: async () => {
      this.record("getConnectionStatus", {});
      if (this.listFailure?.code === "UNAVAILABLE") return { ...this.status, redis: { ok: false, message: this.listFailure.message } };
      return this.status;
    },
    findTeams: async (input) => {
      this.record("findTeams", input);
      const q = (input.q ?? "").toLowerCase();
      const teams = this.teams.map((id) => ({ id, name: this.teamNames[id] ?? id })).filter((team) => !q || team.id === input.q || team.name.toLowerCase().includes(q));
      return { teams, total: teams.length };
    },
    findResources: async (input) => {
      this.record("findResources", input);
      const q = (input.q ?? "").toLowerCase();
      const all = this.resources[input.type === "group" ? (input.dataroomId ?? "") : input.teamId]?.[input.type] ?? [];
      const resources = all.filter((r) => !q || r.id === input.q || r.name.toLowerCase().includes(q));
      return { resources: resources.slice(0, input.limit ?? 20), total: resources.length };
    },
    listTeams: async () => {
      this.record("listTeams", {});
      return this.teams;
    },
    onJobChanged: (listener) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
  };

  transport(kind: "ipc" | "http" = "ipc"): ConsoleTransport {
    return { kind, api: this.api, teamRequired: kind === "http", readOnlySettings: kind === "http", ...(kind === "http" ? { signOut: () => {} } : {}) };
  }
}
