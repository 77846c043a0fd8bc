import type { IpcMain, IpcMainInvokeEvent } from "electron";
import { CONTRACT, ipcChannel, METHOD_NAMES, type IpcResult, type MethodName } from "../../shared/contract";
import { AppError, toWireError } from "../../shared/errors";
import type { ContractHandlers } from "../desktop/console-app";

/**
 * One ipcMain handler per contract method. Each call is checked twice before it reaches the
 * core: the sender must be our own window's top frame, and the payload must match the
 * method's zod schema. Results and errors cross as values ({ ok, value } / { ok, error }).
 */
export function registerContractHandlers(ipcMain: IpcMain, handlers: ContractHandlers, isTrustedSender: (event: IpcMainInvokeEvent) => boolean): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(method), async (event, payload: unknown): Promise<IpcResult<unknown>> => {
      try {
        if (!isTrustedSender(event)) throw new AppError("FORBIDDEN", "this window may not call the console API");
        return { ok: true, value: await call(handlers, method, payload) };
      } catch (error) {
        return { ok: false, error: toWireError(error) };
      }
    });
  }
  return () => METHOD_NAMES.forEach((method) => ipcMain.removeHandler(ipcChannel(method)));
}

async function call(handlers: ContractHandlers, method: MethodName, payload: unknown): Promise<unknown> {
  const parsed = CONTRACT[method].input.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("BAD_INPUT", `${method}: ${issue?.path.map(String).join(".") || "input"} ${issue?.message ?? "is invalid"}`);
  }
  const handler = handlers[method] as (input: unknown) => Promise<unknown>;
  return handler(parsed.data);
}

/** The sender is trusted when it is the given window's main frame showing our own page. */
export function trustedSenderCheck(getWebContentsId: () => number | null, isAppUrl: (url: string) => boolean): (event: IpcMainInvokeEvent) => boolean {
  return (event) => {
    const frame = event.senderFrame;
    return event.sender.id === getWebContentsId() && frame !== null && frame === event.sender.mainFrame && isAppUrl(frame.url);
  };
}
