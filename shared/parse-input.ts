import type { z } from "zod";
import { AppError } from "./errors";

/**
 * Parses `value` with `schema`, or throws BAD_INPUT naming what was wrong and where
 * ("invalid rate limit: maxConcurrent: Too small: expected number to be >=1").
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.map(String).join(".");
  throw new AppError("BAD_INPUT", `invalid ${what}: ${where ? `${where}: ` : ""}${issue?.message ?? "bad value"}`);
}
