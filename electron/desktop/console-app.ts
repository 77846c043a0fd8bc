import { join } from "node:path";
import type { Contract, MethodName, MethodOutput, SettingsUpdate } from "../../shared/contract";
import type { ConnectionStatus } from "../../shared/connection-status";
import { exportFileName } from "../../shared/csv-columns";
import { AppError } from "../../shared/errors";
import { EXTERNAL_LINK_REFUSED, externalLinkToOpen } from "../../shared/external-link";
import { isValidId } from "../../shared/ids";
import type { JobChange } from "../../shared/job";
import type { Settings } from "../../shared/settings";
import type { z } from "zod";
import type { SqlClient } from "../core/views/sql-client";
import { startConsoleCore, type ConsoleCore } from "../core/console-core";
import type { SettingsStore } from "./settings-store";

/** A handler per contract method, taking the already validated input. */
export type ContractHandlers = { [M in MethodName]: (input: z.output<Contract[M]["input"]>) => Promise<MethodOutput<M>> };

export interface ConsoleAppOptions {
  settingsStore: SettingsStore;
  /** The app's data folder (the demo keeps Redis and the database there). */
  dataDir: string;
  /** The person at this desktop, recorded as the jobs' userId. */
  userId: string;
  /** Native save dialog: the chosen path, or null when the user cancelled. */
  chooseSavePath: (defaultName: string) => Promise<string | null>;
  writeFile: (path: string, contents: string) => Promise<void>;
  /** Opens an https URL in the system browser (shell.openExternal). */
  openExternal: (url: string) => Promise<void>;
  /** A job this user started here finished: show a notification. */
  notify: (title: string, body: string) => void;
  /** Starts the embedded default (the demo stack) in this folder; injected, so this module never imports dev code. */
  startDemo: (dataDir: string, log: (line: string) => void) => Promise<EmbeddedDefault>;
  log?: (line: string) => void;
}

/** What the desktop console needs of the embedded default. */
export interface EmbeddedDefault {
  settings: Settings;
  sql: SqlClient;
  stop(): Promise<void>;
  /** Kills its child processes synchronously (for process 'exit'). */
  killNow(): void;
}

/**
 * The desktop console without the Electron shell: runs the core on the saved settings (or
 * the demo when there are none), answers every contract method, restarts the core when the
 * settings change, and tells the shell about changes and finished exports.
 */
export class ConsoleApp {
  private core: ConsoleCore | null = null;
  private demo: EmbeddedDefault | null = null;
  private settings: Settings | null = null;
  private startError: string | null = null;
  private readonly startedHere = new Set<string>();
  private readonly listeners = new Set<(change: JobChange) => void>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: ConsoleAppOptions) {}

  private log(line: string): void {
    this.options.log?.(line);
  }

  onJobChanged(listener: (change: JobChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    try {
      this.settings = this.options.settingsStore.load();
    } catch (error) {
      this.startError = (error as Error).message;
      this.log(`settings: ${this.startError}`);
      return;
    }
    await this.startCore();
  }

  private async startCore(): Promise<void> {
    this.startError = null;
    try {
      if (this.settings) {
        this.core = await startConsoleCore(this.settings, { runner: true, log: (l) => this.log(l) });
      } else {
        this.demo = await this.options.startDemo(join(this.options.dataDir, "demo"), (l) => this.log(l));
        this.core = await startConsoleCore(this.demo.settings, { runner: true, sql: this.demo.sql, demo: true, log: (l) => this.log(l) });
      }
      this.unsubscribe = this.core.onChange((change) => this.forward(change));
    } catch (error) {
      this.startError = error instanceof Error ? error.message : String(error);
      this.log(`could not start: ${this.startError}`);
      await this.stopCore();
    }
  }

  private forward(change: JobChange): void {
    for (const listener of this.listeners) listener(change);
    if (this.startedHere.has(change.id) && (change.status === "COMPLETED" || change.status === "FAILED")) {
      this.startedHere.delete(change.id);
      this.options.notify(
        change.status === "COMPLETED" ? "Export ready" : "Export failed",
        change.status === "COMPLETED" ? `Export ${change.id} is ready to save.` : `Export ${change.id} failed; open it for the error.`,
      );
    }
  }

  private async stopCore(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.core?.stop().catch(() => undefined);
    this.core = null;
    await this.demo?.stop().catch(() => undefined);
    this.demo = null;
  }

  /** Running jobs go back to the queue; the demo's Redis and database stop. */
  async stop(): Promise<void> {
    await this.stopCore();
  }

  /** Kills the demo's redis-server synchronously (for process 'exit'). */
  killChildren(): void {
    this.demo?.killNow();
  }

  private requireCore(): ConsoleCore {
    if (!this.core) throw new AppError("UNAVAILABLE", `not connected${this.startError ? `: ${this.startError}` : ""}`);
    return this.core;
  }

  private async status(): Promise<ConnectionStatus> {
    if (!this.core) {
      const down = { ok: false, message: this.startError ?? "not started" };
      return { redis: down, postgres: down, tinybird: down, demo: false };
    }
    return this.core.status();
  }

  private async applySettings(update: SettingsUpdate): Promise<void> {
    if ("useDemo" in update) {
      this.options.settingsStore.clear();
      this.settings = null;
    } else {
      this.settings = this.options.settingsStore.save(update);
    }
    await this.stopCore();
    await this.startCore();
  }

  private async teams(): Promise<string[]> {
    const core = this.requireCore();
    return (await core.store.teamIds()).filter(isValidId);
  }

  readonly handlers: ContractHandlers = {
    listJobs: ({ filter, page }) => this.requireCore().service.list(filter, page, null),
    getJob: ({ id }) => this.requireCore().service.get(id, null),
    createExport: async (input) => {
      const job = await this.requireCore().service.create(input, this.options.userId, null);
      this.startedHere.add(job.id);
      const { result: _result, ...summary } = job;
      return summary;
    },
    deleteJob: async ({ id }) => {
      await this.requireCore().service.delete(id, this.options.userId, null);
      return { deleted: true as const };
    },
    listAudit: ({ teamId, query }) => this.requireCore().service.auditTrail(teamId, query, null),
    cancelJob: ({ id }) => this.requireCore().service.cancel(id, this.options.userId, null),
    retryJob: async ({ id }) => {
      const job = await this.requireCore().service.retry(id, this.options.userId, null);
      this.startedHere.add(job.id);
      return job;
    },
    saveResult: async ({ id }) => {
      // The CSV goes from Redis to the file here, in the main process; it never crosses IPC.
      const result = await this.requireCore().service.result(id, null);
      if ("location" in result) return { saved: false, location: result.location };
      const { job, csv } = result;
      const path = await this.options.chooseSavePath(exportFileName(job.resourceName ?? job.resourceId, new Date(job.completedAt ?? Date.now()), job));
      if (path === null) return { saved: false };
      await this.options.writeFile(path, csv);
      return { saved: true, path };
    },
    openResultLocation: async ({ id }) => {
      // The URL comes from the store, never from the window: the renderer cannot make this open anything else.
      const result = await this.requireCore().service.result(id, null);
      if (!("location" in result)) throw new AppError("BAD_INPUT", `export ${id} has its CSV here: save it instead`);
      if (!externalLinkToOpen(result.location)) throw new AppError("FORBIDDEN", EXTERNAL_LINK_REFUSED);
      await this.options.openExternal(result.location);
      return { opened: true as const };
    },
    getSettings: async () => this.options.settingsStore.view(this.settings ?? this.demo?.settings ?? null, this.demo !== null),
    setSettings: async (update) => {
      await this.applySettings(update);
      return this.options.settingsStore.view(this.settings ?? this.demo?.settings ?? null, this.demo !== null);
    },
    getConnectionStatus: () => this.status(),
    listTeams: () => this.teams(),
    findTeams: (query) => this.requireCore().service.findTeams(query, null),
    findResources: (query) => this.requireCore().service.findResources(query, null),
  };
}
