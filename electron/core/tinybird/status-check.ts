import type { z } from "zod";
import type { serviceStatusSchema } from "../../../shared/connection-status";
import { PIPES } from "./pipes";

type ServiceStatus = z.infer<typeof serviceStatusSchema>;

export interface TinybirdStatusCheckOptions {
  host: string;
  token: string;
  /** At most one check per this many ms (default 60 s); answers in between are the last result. */
  intervalMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * Is Tinybird reachable and does it accept the token? Asked with the Pipes REST API's pipe
 * information (`GET /v0/pipes/<pipe>`, no `.json`): Tinybird bills and rate-limits calls to
 * API endpoints and the Query API, not its REST API, so a status check runs no query. It
 * goes straight out, outside the export limiter, at most once per interval per process;
 * callers in between share the last answer (or the check in flight).
 */
export class TinybirdStatusCheck {
  private last: { at: number; status: Promise<ServiceStatus> } | null = null;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: TinybirdStatusCheckOptions) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  check(): Promise<ServiceStatus> {
    const now = this.now();
    if (!this.last || now - this.last.at >= this.intervalMs) this.last = { at: now, status: this.ask() };
    return this.last.status;
  }

  private async ask(): Promise<ServiceStatus> {
    const { host, token, timeoutMs = 5000 } = this.options;
    const url = `${host.replace(/\/+$/, "")}/v0/pipes/${PIPES.userAgentPerViewV3}`;
    try {
      const response = await (this.options.fetch ?? fetch)(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
      if (response.ok) return { ok: true };
      if (response.status === 401 || response.status === 403) return { ok: false, message: `Tinybird refused the token (${response.status})` };
      if (response.status === 404) return { ok: false, message: `Tinybird has no pipe ${PIPES.userAgentPerViewV3} for this token (404)` };
      return { ok: false, message: `Tinybird answered ${response.status}` };
    } catch (error) {
      return { ok: false, message: `Tinybird is unreachable: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}
