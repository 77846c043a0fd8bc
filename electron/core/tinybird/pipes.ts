import { z } from "zod";

/** The Tinybird pipes Papermark deploys that the exporter reads. */
export const PIPES = {
  pageDurationPerView: "get_page_duration_per_view__v5",
  userAgentPerViewV3: "get_useragent_per_view__v3",
  userAgentPerViewV2: "get_useragent_per_view__v2",
  dataroomViewDocumentStats: "get_dataroom_view_document_stats__v1",
  viewCompletionStats: "get_view_completion_stats__v1",
} as const;

const numeric = z.coerce.number().refine(Number.isFinite, "must be a finite number");
const text = z
  .string()
  .nullish()
  .transform((value) => value ?? "");

export const pageDurationRow = z.object({ pageNumber: numeric, sum_duration: numeric });
export type PageDurationRow = z.infer<typeof pageDurationRow>;

export const userAgentRow = z.object({ country: text, city: text, browser: text, os: text, device: text });
export type UserAgentRow = z.infer<typeof userAgentRow>;

export const viewDocumentStatsRow = z.object({ viewId: z.string(), documentId: z.string(), sum_duration: numeric, pages_viewed: numeric });
export type ViewDocumentStatsRow = z.infer<typeof viewDocumentStatsRow>;

export const viewCompletionRow = z.object({ viewId: z.string(), versionNumber: numeric, pages_viewed: numeric });
export type ViewCompletionRow = z.infer<typeof viewCompletionRow>;
