import { z } from "zod";

/**
 * Every id that reaches us from outside (job ids, team/user/resource ids) is checked against
 * this pattern before it is used in a Redis key or SQL parameter: URL-safe, bounded, no
 * separators (":" would let a caller address another key), no path tricks.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const idSchema = z
  .string({ error: "must be a string" })
  .regex(ID_PATTERN, { error: "must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'" });

export function isValidId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}
