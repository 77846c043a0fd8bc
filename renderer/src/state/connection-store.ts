import { createStore } from "zustand/vanilla";
import type { ConnectionStatus } from "../../../shared/connection-status";
import type { ApiError } from "../api/api-error";

export interface Banner {
  kind: "redis" | "server";
  message: string;
}

interface Evidence {
  /** When the request that produced it was started (ms): newer requests win. */
  requestedAt: number;
  banner: Banner | null;
}

export interface ConnectionState {
  status: ConnectionStatus | null;
  banner: Banner | null;
  evidence: Evidence | null;
  reportListSucceeded(requestedAt: number): void;
  reportListFailed(requestedAt: number, error: ApiError): void;
  reportStatus(requestedAt: number, status: ConnectionStatus): void;
  reportStatusFailed(requestedAt: number, error: ApiError): void;
}

export type ConnectionStore = ReturnType<typeof createConnectionStore>;

function bannerFor(error: ApiError): Banner | null {
  if (error.code !== "UNAVAILABLE") return null;
  return error.network ? { kind: "server", message: error.message } : { kind: "redis", message: error.message };
}

/**
 * Whether Redis (or, in browser mode, the server) can be reached, from the last poll's
 * answers: a listing that fails UNAVAILABLE or a status with redis.ok false raises the
 * banner, and the next request that gets through clears it. Answers are ordered by when
 * they were requested, so a slow answer from the outage cannot bring the banner back.
 */
export function createConnectionStore() {
  return createStore<ConnectionState>()((set, get) => {
    const record = (requestedAt: number, banner: Banner | null) => {
      const current = get().evidence;
      if (current && current.requestedAt > requestedAt) return;
      set({ evidence: { requestedAt, banner }, banner });
    };
    return {
      status: null,
      banner: null,
      evidence: null,
      reportListSucceeded: (requestedAt) => record(requestedAt, null),
      reportListFailed: (requestedAt, error) => {
        const banner = bannerFor(error);
        // Other errors (bad filter, a malformed answer) say nothing about the connection.
        if (banner) record(requestedAt, banner);
      },
      reportStatus: (requestedAt, status) => {
        set({ status });
        record(requestedAt, status.redis.ok ? null : { kind: "redis", message: status.redis.message ?? "Redis does not answer" });
      },
      reportStatusFailed: (requestedAt, error) => {
        const banner = bannerFor(error);
        if (banner) record(requestedAt, banner);
      },
    };
  });
}
