import { z } from "zod";

export const serviceStatusSchema = z.object({ ok: z.boolean(), message: z.string().optional() });
export const connectionStatusSchema = z.object({
  redis: serviceStatusSchema,
  postgres: serviceStatusSchema,
  tinybird: serviceStatusSchema,
  /** True when the app runs on the embedded demo stack. */
  demo: z.boolean(),
});
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;
