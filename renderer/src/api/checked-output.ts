import type { z } from "zod";
import { CONTRACT, type MethodName, type MethodOutput } from "../../../shared/contract";
import { ApiError } from "./api-error";

/**
 * Checks an answer against the contract's output schema, so a bad answer from the server
 * or the main process becomes an error state instead of a crash deep inside a component.
 */
export function checkedOutput<M extends MethodName>(method: M, value: unknown): MethodOutput<M> {
  const schema: z.ZodType = CONTRACT[method].output;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as MethodOutput<M>;
  const issue = parsed.error.issues[0];
  const where = issue?.path.map(String).join(".");
  throw new ApiError("INTERNAL", `the answer to ${method} does not match the contract: ${where ? `${where}: ` : ""}${issue?.message ?? "bad value"}`);
}
