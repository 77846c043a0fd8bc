import { contextBridge, ipcRenderer, type IpcRendererEvent } from "electron";
import type { PreloadBridge } from "../../shared/contract";
// Only the dependency-free names: a sandboxed preload cannot require npm packages.
import { ipcChannel, JOB_CHANGED_CHANNEL, METHOD_NAMES } from "../../shared/contract-names";

/**
 * window.exportConsole: exactly the contract's methods plus the change subscription.
 * Payloads are passed through as they are; the main process validates every one.
 */
export function buildBridge(): PreloadBridge {
  const methods: Record<string, unknown> = Object.fromEntries(
    METHOD_NAMES.map((method) => [method, (input: unknown) => ipcRenderer.invoke(ipcChannel(method), input)]),
  );
  methods.onJobChanged = (listener: (change: unknown) => void) => {
    const handler = (_event: IpcRendererEvent, change: unknown) => listener(change);
    ipcRenderer.on(JOB_CHANGED_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(JOB_CHANGED_CHANNEL, handler);
    };
  };
  return methods as PreloadBridge;
}

contextBridge.exposeInMainWorld("exportConsole", buildBridge());
