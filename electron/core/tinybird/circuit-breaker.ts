import type { CircuitState, TinybirdCircuit } from "../../../shared/connection-status";
import { AppError } from "../../../shared/errors";

export interface CircuitBreakerOptions {
  /** Consecutive 5xx, network errors or timeouts that open the circuit (default 8: above the 5 a limit lets into flight at once). */
  threshold?: number;
  /** First pause after opening (default 5 s); doubles each time a trial request fails. */
  cooldownMs?: number;
  /** Longest pause (default 60 s). */
  maxCooldownMs?: number;
  /** Told on every change of state. */
  onChange?: (circuit: TinybirdCircuit) => void;
  now?: () => number;
}

export const DEFAULT_CIRCUIT = { threshold: 8, cooldownMs: 5_000, maxCooldownMs: 60_000 } as const;

/**
 * Stops a dead upstream from being hammered. After `threshold` consecutive failures of the
 * server's kind (5xx, network, timeout) the circuit opens: no request leaves and every
 * caller fails at once with the last error, so an export attempt ends in a few requests.
 * After the pause one trial request is let through (half-open): an answer closes the
 * circuit, another failure opens it again for twice as long.
 */
export class CircuitBreaker {
  private state: CircuitState = "closed";
  private failures = 0;
  private lastError: string | null = null;
  private openUntil = 0;
  private cooldown: number;
  private trialOut = false;
  private readonly threshold: number;
  private readonly maxCooldownMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions = {}) {
    this.threshold = options.threshold ?? DEFAULT_CIRCUIT.threshold;
    this.cooldown = options.cooldownMs ?? DEFAULT_CIRCUIT.cooldownMs;
    this.maxCooldownMs = Math.max(this.cooldown, options.maxCooldownMs ?? DEFAULT_CIRCUIT.maxCooldownMs);
    this.now = options.now ?? Date.now;
  }

  /** Throws while the circuit is open: for callers about to queue a request. */
  check(): void {
    if (this.state === "open" && this.now() < this.openUntil) throw this.openError();
  }

  /**
   * Right before a request leaves: throws when it may not. In half-open state the first
   * caller becomes the trial; `true` means this request is it.
   */
  admit(): boolean {
    if (this.state === "open") {
      if (this.now() < this.openUntil) throw this.openError();
      this.change("half-open");
    }
    if (this.state === "half-open") {
      if (this.trialOut) throw this.openError();
      this.trialOut = true;
      return true;
    }
    return false;
  }

  /** The server answered (any answer that is not a server failure). */
  succeeded(trial: boolean): void {
    if (trial) this.trialOut = false;
    this.failures = 0;
    if (this.state !== "closed") {
      this.cooldown = this.options.cooldownMs ?? DEFAULT_CIRCUIT.cooldownMs;
      this.change("closed");
    }
  }

  /** A 5xx, a network error or a timeout. */
  failed(trial: boolean, message: string): void {
    if (trial) this.trialOut = false;
    this.failures += 1;
    this.lastError = message;
    if (trial) {
      this.cooldown = Math.min(this.maxCooldownMs, this.cooldown * 2);
      this.open();
    } else if (this.state === "closed" && this.failures >= this.threshold) {
      this.open();
    }
  }

  /** A request that ended without an answer either way (aborted): frees the trial slot. */
  abandoned(trial: boolean): void {
    if (trial) this.trialOut = false;
  }

  get snapshot(): TinybirdCircuit {
    return {
      state: this.state,
      consecutiveFailures: this.failures,
      ...(this.state !== "closed" ? { retryAt: new Date(this.openUntil).toISOString() } : {}),
      ...(this.lastError !== null && this.state !== "closed" ? { lastError: this.lastError } : {}),
    };
  }

  private open(): void {
    this.openUntil = this.now() + this.cooldown;
    this.change("open");
  }

  private change(state: CircuitState): void {
    this.state = state;
    this.options.onChange?.(this.snapshot);
  }

  private openError(): AppError {
    const seconds = Math.max(0, Math.ceil((this.openUntil - this.now()) / 1000));
    return new AppError(
      "UNAVAILABLE",
      `Tinybird looks down (${this.failures} failed requests in a row), no requests for ${seconds} s; last error: ${this.lastError ?? "unknown"}`,
    );
  }
}
