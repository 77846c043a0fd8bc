import type { ConsoleApi, IpcResult, MethodInput, MethodName, MethodOutput, PreloadBridge } from "../../../shared/contract";
import { jobChangeSchema } from "../../../shared/job";
import { ApiError, toApiError } from "./api-error";
import { checkedOutput } from "./checked-output";

function isIpcResult(value: unknown): value is IpcResult<unknown> {
  return typeof value === "object" && value !== null && "ok" in value && typeof (value as { ok: unknown }).ok === "boolean";
}

/**
 * The desktop transport: calls the preload bridge (window.exportConsole), unwraps its
 * IpcResult and turns wire errors into ApiErrors.
 */
export function ipcTransport(bridge: PreloadBridge): ConsoleApi {
  async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const invoke = bridge[method] as (input: unknown) => Promise<unknown>;
    let result: unknown;
    try {
      result = await invoke(input);
    } catch (error) {
      throw toApiError(error);
    }
    if (!isIpcResult(result)) throw new ApiError("INTERNAL", `the main process sent no result for ${method}`);
    if (!result.ok) throw toApiError(result.error);
    return checkedOutput(method, result.value);
  }

  return {
    listJobs: (input) => call("listJobs", input),
    getJob: (input) => call("getJob", input),
    createExport: (input) => call("createExport", input),
    deleteJob: (input) => call("deleteJob", input),
    cancelJob: (input) => call("cancelJob", input),
    retryJob: (input) => call("retryJob", input),
    saveResult: (input) => call("saveResult", input),
    openResultLocation: (input) => call("openResultLocation", input),
    getSettings: (input) => call("getSettings", input),
    setSettings: (input) => call("setSettings", input),
    getConnectionStatus: (input) => call("getConnectionStatus", input),
    listTeams: (input) => call("listTeams", input),
    findTeams: (input) => call("findTeams", input),
    findResources: (input) => call("findResources", input),
    listAudit: (input) => call("listAudit", input),
    onJobChanged: (listener) => {
      // Without a change channel the 3-second poll still keeps the table fresh.
      if (typeof bridge.onJobChanged !== "function") return () => {};
      return bridge.onJobChanged((raw) => {
        const change = jobChangeSchema.safeParse(raw);
        if (change.success) listener(change.data);
      });
    },
  };
}
