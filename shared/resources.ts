import { z } from "zod";
import { idSchema } from "./ids";

/*
 * Finding what to export: documents, datarooms and a dataroom's viewer groups of a team, and
 * teams, by name or id, read from Papermark's database.
 */

export const RESOURCE_KINDS = ["document", "dataroom", "group"] as const;
export const resourceKindSchema = z.enum(RESOURCE_KINDS);
export type ResourceKind = z.infer<typeof resourceKindSchema>;

/** One page of a search. */
const searchPage = {
  /** Case-insensitive part of the name, or the exact id; empty lists everything. */
  q: z.string().trim().max(200).optional(),
  offset: z.number().int().min(0).max(100_000).default(0),
  limit: z.number().int().min(1).max(100).default(20),
};

export const resourceQuerySchema = z
  .object({
    teamId: idSchema,
    type: resourceKindSchema,
    /** The dataroom whose groups to list (groups only). */
    dataroomId: idSchema.optional(),
    ...searchPage,
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.type === "group" && !value.dataroomId) ctx.addIssue({ code: "custom", path: ["dataroomId"], message: "groups are searched within a dataroom: give dataroomId" });
    if (value.type !== "group" && value.dataroomId) ctx.addIssue({ code: "custom", path: ["dataroomId"], message: "dataroomId is only for type=group" });
  });
export type ResourceQuery = z.input<typeof resourceQuerySchema>;

export const resourceSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Document: its views; dataroom and group: their dataroom visits. */
  views: z.number().int().nonnegative(),
});
export type Resource = z.infer<typeof resourceSchema>;

export const resourcePageSchema = z.object({ resources: z.array(resourceSchema), total: z.number().int().nonnegative() });
export type ResourcePage = z.infer<typeof resourcePageSchema>;

export const teamQuerySchema = z.object(searchPage).strict();
export type TeamQuery = z.input<typeof teamQuerySchema>;

export const teamSummarySchema = z.object({ id: z.string(), name: z.string() });
export type TeamSummary = z.infer<typeof teamSummarySchema>;
export const teamPageSchema = z.object({ teams: z.array(teamSummarySchema), total: z.number().int().nonnegative() });
export type TeamPage = z.infer<typeof teamPageSchema>;
