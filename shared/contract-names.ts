/**
 * Names of the console API's methods and IPC channels, free of any dependency: the
 * sandboxed preload can load nothing but Electron's own modules, so it imports only this.
 */
export const METHOD_NAMES = [
  "listJobs",
  "getJob",
  "createExport",
  "deleteJob",
  "cancelJob",
  "retryJob",
  "saveResult",
  "openResultLocation",
  "getSettings",
  "setSettings",
  "getConnectionStatus",
  "listTeams",
  "findTeams",
  "findResources",
  "listAudit",
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

export const IPC_PREFIX = "exportConsole:";
export const JOB_CHANGED_CHANNEL = "exportConsole:jobChanged";
export const ipcChannel = (method: MethodName) => `${IPC_PREFIX}${method}`;
