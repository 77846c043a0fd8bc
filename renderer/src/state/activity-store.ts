import { createStore } from "zustand/vanilla";
import type { AuditEntry, AuditPage } from "../../../shared/audit";
import type { ConsoleApi } from "../../../shared/contract";
import { MAX_PAGE_LIMIT, type JobChange } from "../../../shared/job";
import { shownError, type ShownError } from "./jobs-store";
import { POLL_INTERVAL_MS } from "./job-sync";

/** Entries shown at first, and added by each "Load more". */
export const ACTIVITY_PAGE_SIZE = 50;

export interface ActivityState {
  /** The team whose trail is shown (null: no team to show yet). */
  teamId: string | null;
  /** Newest first. */
  entries: AuditEntry[];
  /** Entries the team's trail holds (all pages). */
  total: number;
  /** Entries in the trail that could not be read (left out). */
  unreadable: number;
  /** idle: no team; loading: its first entries are on the way; ready: shown; error: nothing could be read. */
  phase: "idle" | "loading" | "ready" | "error";
  /** The last read's failure; with phase "ready" the entries shown are from before it. */
  error: ShownError | null;
  /** A read is in flight. */
  busy: boolean;
  /** Shows `teamId`'s trail (again, from its newest entries, when it is another team). */
  show(teamId: string | null): Promise<void>;
  /** Reads again as many entries as are shown. */
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  /** Keeps the shown trail fresh: on job changes of its team and every pollMs; returns stop. */
  watch(): () => void;
}

export type ActivityStore = ReturnType<typeof createActivityStore>;

export interface ActivityStoreOptions {
  pollMs?: number;
  /** Change events arriving within this many ms share one read. */
  coalesceMs?: number;
}

/**
 * Whether a job change can come with a new audit entry: a create or delete, or a record moved
 * to FAILED (a cancel) or PENDING (a retry). Progress does not, and is most of the traffic.
 */
export function mayAddAuditEntry(change: JobChange): boolean {
  return change.kind !== "updated" || change.status === "FAILED" || change.status === "PENDING";
}

const entryKey = (entry: AuditEntry) => `${entry.at}|${entry.jobId}|${entry.action}|${entry.actor}`;

/**
 * The newest `count` entries, in pages the API accepts. An entry recorded between two pages
 * shifts the next page down by one: what was read already is left out (the next read has it all).
 */
export async function newestEntries(api: Pick<ConsoleApi, "listAudit">, teamId: string, count: number): Promise<AuditPage> {
  const entries = new Map<string, AuditEntry>();
  let read = 0;
  let page: AuditPage;
  do {
    page = await api.listAudit({ teamId, query: { offset: read, limit: Math.min(MAX_PAGE_LIMIT, count - read) } });
    read += page.entries.length;
    for (const entry of page.entries) if (!entries.has(entryKey(entry))) entries.set(entryKey(entry), entry);
  } while (page.entries.length > 0 && read < Math.min(count, page.total));
  return { entries: [...entries.values()], total: page.total, unreadable: page.unreadable };
}

/**
 * A team's audit trail for the Activity view. Every read asks for the newest N entries
 * (N grows with "Load more"), so entries recorded meanwhile never shift a page into
 * duplicates or gaps; the newest request's answer wins.
 */
export function createActivityStore(api: Pick<ConsoleApi, "listAudit" | "onJobChanged">, options: ActivityStoreOptions = {}) {
  const pollMs = options.pollMs ?? POLL_INTERVAL_MS;
  const coalesceMs = options.coalesceMs ?? 250;
  let newestRequest = 0;
  /** How many entries the view wants: a page, plus a page per "Load more". */
  let wanted = ACTIVITY_PAGE_SIZE;

  return createStore<ActivityState>()((set, get) => {
    const read = async () => {
      const { teamId } = get();
      if (!teamId) return;
      const request = ++newestRequest;
      set({ busy: true });
      try {
        const page = await newestEntries(api, teamId, wanted);
        if (request !== newestRequest) return;
        set({ entries: page.entries, total: page.total, unreadable: page.unreadable, phase: "ready", error: null, busy: false });
      } catch (thrown) {
        if (request !== newestRequest) return;
        set((state) => ({ error: shownError(thrown), phase: state.phase === "ready" ? "ready" : "error", busy: false }));
      }
    };

    return {
      teamId: null,
      entries: [],
      total: 0,
      unreadable: 0,
      phase: "idle",
      error: null,
      busy: false,

      async show(teamId) {
        if (teamId === get().teamId && get().phase !== "idle") return read();
        newestRequest++; // an answer for the previous team is no longer wanted
        wanted = ACTIVITY_PAGE_SIZE;
        set({ teamId, entries: [], total: 0, unreadable: 0, phase: teamId ? "loading" : "idle", error: null, busy: false });
        await read();
      },

      refresh: read,

      async loadMore() {
        wanted = get().entries.length + ACTIVITY_PAGE_SIZE;
        await read();
      },

      watch() {
        let soon: ReturnType<typeof setTimeout> | null = null;
        const unsubscribe = api.onJobChanged((change) => {
          if (change.teamId !== get().teamId || !mayAddAuditEntry(change) || soon) return;
          soon = setTimeout(() => {
            soon = null;
            void read();
          }, coalesceMs);
        });
        // A change event lost (a reconnect) costs at most one poll.
        const timer = setInterval(() => {
          if (!get().busy) void read();
        }, pollMs);
        return () => {
          unsubscribe();
          clearInterval(timer);
          if (soon) clearTimeout(soon);
        };
      },
    };
  });
}
