import { z } from "zod";

export const serviceStatusSchema = z.object({ ok: z.boolean(), message: z.string().optional() });

export const CIRCUIT_STATES = ["closed", "open", "half-open"] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

/** The Tinybird client's circuit breaker: open means no request leaves until `retryAt`. */
export const tinybirdCircuitSchema = z.object({
  state: z.enum(CIRCUIT_STATES),
  consecutiveFailures: z.number().int().nonnegative(),
  /** When a trial request may leave again (open and half-open only). */
  retryAt: z.string().optional(),
  lastError: z.string().optional(),
});
export type TinybirdCircuit = z.infer<typeof tinybirdCircuitSchema>;

export const connectionStatusSchema = z.object({
  redis: serviceStatusSchema,
  postgres: serviceStatusSchema,
  tinybird: serviceStatusSchema,
  /** True when the app runs on the embedded demo stack. */
  demo: z.boolean(),
  /** This process's Tinybird circuit breaker (absent when no core runs). */
  tinybirdCircuit: tinybirdCircuitSchema.optional(),
  /** Tinybird calls sent today (UTC day, YYYY-MM-DD) by every runner on this Redis. */
  tinybirdCallsToday: z.object({ day: z.string(), calls: z.number().int().nonnegative() }).optional(),
});
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;
