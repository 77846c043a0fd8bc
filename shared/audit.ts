import { z } from "zod";
import { idSchema } from "./ids";
import { pageSchema } from "./job";

/** What a person did to an export, as the audit trail records it. */
export const AUDIT_ACTIONS = ["created", "cancelled", "retried", "deleted"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One line of a team's audit trail: who (`actor`, a user id) did what to which export, and when. */
export const auditEntrySchema = z.object({
  at: z.iso.datetime(),
  actor: idSchema,
  action: z.enum(AUDIT_ACTIONS),
  jobId: idSchema,
  resourceId: z.string().optional(),
  resourceName: z.string().optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** A page of a team's trail, newest first; `jobId` narrows it to one export. */
export const auditQuerySchema = pageSchema.extend({ jobId: idSchema.optional() }).strict();
export type AuditQuery = z.input<typeof auditQuerySchema>;

export const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema),
  /** Entries matching the query (all pages). */
  total: z.number().int().nonnegative(),
  /** Entries in Redis that do not read as an audit entry (left out of `entries`). */
  unreadable: z.number().int().nonnegative(),
});
export type AuditPage = z.infer<typeof auditPageSchema>;
