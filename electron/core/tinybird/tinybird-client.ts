import { z } from "zod";
import { AppError } from "../../../shared/errors";
import { parseInput } from "../../../shared/parse-input";
import { DEFAULT_SETTINGS, tinybirdHostSchema, tinybirdTokenSchema } from "../../../shared/settings";
import { sleep } from "../time/sleep";
import type { TinybirdCircuit } from "../../../shared/connection-status";
import type { TinybirdCallCounter } from "./call-counter";
import { currentCallMeter, type CallMeter } from "./call-meter";
import { CircuitBreaker, type CircuitBreakerOptions } from "./circuit-breaker";
import type { RateLimiter } from "./rate-limiter";
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableStatus, serverRequestedDelay, type RetryPolicy } from "./retry-policy";

export interface TinybirdClientOptions {
  /** e.g. https://api.tinybird.co */
  host: string;
  token: string;
  limiter: RateLimiter;
  retry?: Partial<RetryPolicy>;
  /** Per-request time limit in ms (default 30 s). */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  /** The circuit breaker's thresholds (defaults in DEFAULT_CIRCUIT). */
  circuit?: CircuitBreakerOptions;
  /** Counts every request that leaves, per UTC day, for all runners on one Redis. */
  callCounter?: TinybirdCallCounter;
}

export interface TinybirdStats {
  requests: number;
  retries: number;
}

/**
 * The Tinybird emulator (dev and tests) names itself in every answer; only then does the
 * client add RELEASE_TIME_HEADER, when its limiter released the request.
 */
export const EMULATOR_HEADER = "X-Tinybird-Emulator";
export const RELEASE_TIME_HEADER = "X-Limiter-Released-At";

const bodySchema = z.object({ data: z.array(z.record(z.string(), z.unknown())) }).loose();

/** Tinybird said no (4xx other than 429): not worth a retry. */
export class TinybirdHttpError extends AppError {
  constructor(
    readonly status: number,
    code: "TINYBIRD_AUTH" | "BAD_INPUT",
    message: string,
  ) {
    super(code, message);
  }
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly delayMs: number | null,
    /** The server failed (5xx, network, timeout): counts towards opening the circuit. */
    readonly serverFailure = false,
  ) {
    super(message);
  }
}

export function validateTinybirdConfig(host: unknown, token: unknown): { host: string; token: string } {
  return {
    host: parseInput(tinybirdHostSchema, host, "Tinybird host").replace(/\/+$/, ""),
    token: parseInput(tinybirdTokenSchema, token, "Tinybird token"),
  };
}

/**
 * Tinybird's pipe API (`GET /v0/pipes/<pipe>.json`) behind the shared rate limiter. Retries
 * 429, 5xx, network errors, timeouts and malformed bodies, waiting what the server asks
 * (Retry-After / X-RateLimit-Reset) or else an exponential backoff with jitter. A wait the
 * server asked for pauses every request under the same limit, not just the one that was told.
 */
export class TinybirdClient {
  private readonly host: string;
  private readonly token: string;
  private readonly retry: RetryPolicy;
  private readonly requestTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  readonly stats: TinybirdStats = { requests: 0, retries: 0 };
  private readonly breaker: CircuitBreaker;
  /** Talking to the dev/test emulator (it announces itself), never true against Tinybird. */
  private emulator = false;

  constructor(private readonly options: TinybirdClientOptions) {
    ({ host: this.host, token: this.token } = validateTinybirdConfig(options.host, options.token));
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_SETTINGS.tinybirdTimeoutMs;
    this.fetchImpl = options.fetch ?? fetch;
    this.breaker = new CircuitBreaker(options.circuit);
  }

  /** The circuit breaker's state, for the status bar. */
  get circuit(): TinybirdCircuit {
    return this.breaker.snapshot;
  }

  /** Rows of a pipe, each validated with `row`. */
  async query<T>(pipe: string, params: Record<string, string | number>, row: z.ZodType<T>, exportSignal?: AbortSignal): Promise<T[]> {
    // One signal per query, following the export's: its waits (limiter, Retry-After, backoff)
    // listen on it, never on the export's signal, which dozens of queries share at once.
    const signal = exportSignal ? AbortSignal.any([exportSignal]) : undefined;
    const url = new URL(`${this.host}/v0/pipes/${encodeURIComponent(pipe)}.json`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
    return this.rows(pipe, url, {}, row, signal);
  }

  /**
   * Rows of a Query API query (`POST /v0/sql`, the SQL as form field `q`; it must end in
   * FORMAT JSON), each validated with `row`. Same limit, retries and errors as pipes.
   */
  async sql<T>(query: string, row: z.ZodType<T>, exportSignal?: AbortSignal): Promise<T[]> {
    const signal = exportSignal ? AbortSignal.any([exportSignal]) : undefined;
    const init = { method: "POST", body: new URLSearchParams({ q: query }) };
    return this.rows("Query API", new URL(`${this.host}/v0/sql`), init, row, signal);
  }

  private async rows<T>(label: string, url: URL, init: RequestInit, row: z.ZodType<T>, signal?: AbortSignal): Promise<T[]> {
    const meter = currentCallMeter();
    let lastError = "";
    for (let retry = 0; retry <= this.retry.maxRetries; retry++) {
      if (retry > 0) this.stats.retries += 1;
      try {
        // An open circuit fails at once: a dead upstream is not queued for, let alone hammered.
        this.breaker.check();
        const rows = await this.options.limiter.schedule((releasedAt) => this.requestOnce(url, init, releasedAt, signal, meter), signal);
        return rows.map((raw, index) => {
          const parsed = row.safeParse(raw);
          if (!parsed.success) throw new RetryableError(`${label}: row ${index} is malformed (${parsed.error.issues[0]?.message})`, null);
          return parsed.data;
        });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof AppError) throw error;
        const delay = error instanceof RetryableError ? error.delayMs : null;
        lastError = error instanceof Error ? error.message : String(error);
        const wait = Math.min(this.retry.maxDelayMs, delay ?? backoffDelay(retry, this.retry));
        // A wait the server asked for holds every request under this limit (every runner
        // sharing it), even after our last try.
        if (delay !== null) await this.options.limiter.holdFor(wait);
        if (retry === this.retry.maxRetries) break;
        await sleep(wait, signal);
      }
    }
    throw new AppError("RETRIES_EXHAUSTED", `Tinybird ${label} failed after ${this.retry.maxRetries + 1} tries: ${lastError}`);
  }

  /** One request, right after the limiter released it: the circuit decides whether it leaves. */
  private async requestOnce(url: URL, init: RequestInit, releasedAt: number, signal?: AbortSignal, meter?: CallMeter): Promise<Record<string, unknown>[]> {
    // The work it was for is over (cancelled, or another query failed the attempt): it does not leave.
    signal?.throwIfAborted();
    const trial = this.breaker.admit();
    // It leaves now: one call for the export's meter and the day's counter.
    if (meter) meter.calls += 1;
    this.options.callCounter?.record();
    try {
      const rows = await this.send(url, init, releasedAt, signal);
      this.breaker.succeeded(trial);
      return rows;
    } catch (error) {
      if (signal?.aborted) this.breaker.abandoned(trial);
      else if (error instanceof RetryableError && error.serverFailure) this.breaker.failed(trial, error.message);
      else if (error instanceof RetryableError || error instanceof AppError) this.breaker.succeeded(trial);
      else this.breaker.abandoned(trial);
      throw error;
    }
  }

  private async send(url: URL, init: RequestInit, releasedAt: number, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    this.stats.requests += 1;
    let response: Response;
    let text: string;
    try {
      // When our limiter released the request, only for the Tinybird emulator (it says so in
      // every answer): lets its log check the spacing without connection set-up jitter.
      const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
      if (this.emulator) headers[RELEASE_TIME_HEADER] = releasedAt.toFixed(3);
      response = await this.fetchImpl(url, { ...init, headers, signal: combined });
      if (response.headers.has(EMULATOR_HEADER)) this.emulator = true;
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new RetryableError(`no answer within ${this.requestTimeoutMs} ms`, null, true);
      throw new RetryableError(`network error: ${error instanceof Error ? error.message : String(error)}`, null, true);
    }
    if (response.status === 401 || response.status === 403) {
      throw new TinybirdHttpError(response.status, "TINYBIRD_AUTH", `Tinybird refused the token (${response.status}): ${errorText(text)}`);
    }
    if (isRetryableStatus(response.status)) {
      throw new RetryableError(`HTTP ${response.status}: ${errorText(text)}`, serverRequestedDelay(response.headers), response.status >= 500);
    }
    if (!response.ok) {
      throw new TinybirdHttpError(response.status, "BAD_INPUT", `Tinybird answered ${response.status} for ${url.pathname}: ${errorText(text)}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new RetryableError(`malformed JSON body (${text.length} bytes)`, null);
    }
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) throw new RetryableError("the body has no data array", null);
    return parsed.data.data;
  }
}

function errorText(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "error" in parsed) return String((parsed as { error: unknown }).error);
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200);
}
