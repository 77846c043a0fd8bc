import { z } from "zod";
import { auditPageSchema, auditQuerySchema } from "./audit";
import { connectionStatusSchema } from "./connection-status";
import { ERROR_CODES, type WireError } from "./errors";
import { idSchema } from "./ids";
import { createExportInputSchema, exportJobSummarySchema, jobChangeSchema, jobFilterSchema, pageSchema } from "./job";
import type { MethodName } from "./contract-names";
import { resourcePageSchema, resourceQuerySchema, teamPageSchema, teamQuerySchema } from "./resources";
import { SECRET_SETTINGS, settingsSchema, type SecretSetting } from "./settings";

export { IPC_PREFIX, JOB_CHANGED_CHANNEL, ipcChannel, METHOD_NAMES, type MethodName } from "./contract-names";

const byId = z.object({ id: idSchema }).strict();
const nothing = z.object({}).strict();

export const jobListResultSchema = z.object({
  jobs: z.array(exportJobSummarySchema),
  total: z.number().int().nonnegative(),
  malformed: z.array(z.object({ id: z.string(), reason: z.string() })),
  queuePositions: z.record(idSchema, z.number().int().positive()).optional(),
  scanLimited: z.boolean().optional(),
});

/** Settings as a renderer sees them: secrets are never sent back, only whether they are set. */
export const settingsViewSchema = z.object({
  /** False while the app runs on the embedded demo (nothing configured yet). */
  configured: z.boolean(),
  values: settingsSchema.omit(Object.fromEntries(SECRET_SETTINGS.map((name) => [name, true])) as { [K in SecretSetting]: true }).partial(),
  redisUrl: z.string().optional(),
  databaseUrl: z.string().optional(),
  tinybirdTokenSet: z.boolean(),
  /** Whether secrets are encrypted at rest (safeStorage available). */
  secretsEncrypted: z.boolean(),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

/** A settings change: omitted secrets keep their stored value; `useDemo` goes back to the demo. */
// Built without the top-level defaults: partial() alone would fill every left-out setting
// with its default, and saving one change would reset the rest.
const settingsChangeSchema = z
  .object(Object.fromEntries(Object.entries(settingsSchema.shape).map(([name, schema]) => [name, (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault ? schema.unwrap() : schema).optional()])))
  .strict() as unknown as z.ZodObject<{ [K in keyof typeof settingsSchema.shape]: z.ZodOptional<z.ZodType<z.output<typeof settingsSchema>[K]>> }>;
export const settingsUpdateSchema = z.union([settingsChangeSchema, z.object({ useDemo: z.literal(true) }).strict()]);
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;

/**
 * The console's API: one table of methods, each with the zod schemas of its input and
 * output. The Electron main process validates every call against it (and checks the
 * sender); the preload exposes exactly these names; the HTTP transport maps them to REST.
 */
export const CONTRACT = {
  listJobs: { input: z.object({ filter: jobFilterSchema, page: pageSchema.partial() }).strict(), output: jobListResultSchema },
  getJob: { input: byId, output: exportJobSummarySchema },
  createExport: { input: createExportInputSchema, output: exportJobSummarySchema },
  deleteJob: { input: byId, output: z.object({ deleted: z.literal(true) }) },
  cancelJob: { input: byId, output: exportJobSummarySchema },
  retryJob: { input: byId, output: exportJobSummarySchema },
  /** Asks where to save (native dialog) and writes the CSV there; the CSV never crosses IPC. */
  // `location`: the CSV is not in the store but at this URL (a web-app export kept in blob
  // storage); nothing was saved.
  /** `path`: where the desktop app wrote it; `fileName`: the browser download's name. */
  saveResult: { input: byId, output: z.object({ saved: z.boolean(), path: z.string().optional(), fileName: z.string().optional(), location: z.url().optional() }) },
  /** Opens a web-app export's CSV location in the system browser (desktop, https only). */
  openResultLocation: { input: byId, output: z.object({ opened: z.literal(true) }) },
  getSettings: { input: nothing, output: settingsViewSchema },
  setSettings: { input: settingsUpdateSchema, output: settingsViewSchema },
  getConnectionStatus: { input: nothing, output: connectionStatusSchema },
  /** Teams the caller can pick from (the store's teams, or the token's teams in browser mode). */
  listTeams: { input: nothing, output: z.array(idSchema) },
  /** Teams by name or id, with their names (every team on the desktop; the token's teams in a browser). */
  findTeams: { input: teamQuerySchema, output: teamPageSchema },
  /** A team's documents, datarooms or a dataroom's groups by name or id, with view counts (Papermark's database, read-only). */
  findResources: { input: resourceQuerySchema, output: resourcePageSchema },
  /** A team's audit trail (who created, cancelled, retried or deleted which export), newest first; `jobId` narrows it to one export. */
  listAudit: { input: z.object({ teamId: idSchema, query: auditQuerySchema.partial() }).strict(), output: auditPageSchema },
} as const satisfies Record<MethodName, { input: z.ZodType; output: z.ZodType }>; // every name a schema, no schema without a name

export type Contract = typeof CONTRACT;
export type MethodInput<M extends MethodName> = z.input<Contract[M]["input"]>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]["output"]>;

/** What crosses IPC: a value or a wire error (thrown errors lose their code in Electron). */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: WireError };
export const wireErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });


export { jobChangeSchema };

/** The API the renderer uses, whatever the transport. */
export type ConsoleApi = { [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>> } & {
  onJobChanged(listener: (change: z.infer<typeof jobChangeSchema>) => void): () => void;
};

/** What the preload puts on window.exportConsole: the raw IPC results. */
export type PreloadBridge = { [M in MethodName]: (input: unknown) => Promise<IpcResult<MethodOutput<M>>> } & {
  onJobChanged(listener: (change: unknown) => void): () => void;
};
