import { contextBridge } from "electron";

contextBridge.exposeInMainWorld("exportConsole", {});
