import { EventEmitter } from "node:events";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/**
 * A stand-in for the `electron` module (the binary cannot be installed here): records what
 * the glue asks of it, and lets tests drive events, IPC calls and dialogs.
 */
export function createFakeElectron() {
  const handlers = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>();
  const rendererListeners = new Map<string, (event: unknown, payload: unknown) => void>();
  const exposed: Record<string, unknown> = {};
  const windows: FakeBrowserWindow[] = [];
  const invocations: { channel: string; payload: unknown }[] = [];
  let nextId = 1;

  class FakeWebContents extends EventEmitter {
    readonly id = nextId++;
    windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
    readonly mainFrame = { url: "" };
    readonly sent: { channel: string; payload: unknown }[] = [];
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.windowOpenHandler = handler;
    }
    send(channel: string, payload: unknown) {
      this.sent.push({ channel, payload });
    }
  }

  class FakeBrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    loadedUrl: string | null = null;
    constructor(readonly options: Record<string, unknown>) {
      super();
      windows.push(this);
    }
    loadURL(url: string) {
      this.loadedUrl = url;
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    }
    show() {}
    isMinimized() {
      return false;
    }
    restore() {}
    focus() {}
  }

  const app = Object.assign(new EventEmitter(), {
    singleInstance: true,
    quitCalls: 0,
    isPackaged: false,
    requestSingleInstanceLock: () => app.singleInstance,
    // Never ready: importing the main entry registers everything without starting the demo.
    whenReady: () => new Promise<void>(() => {}),
    quit: () => {
      app.quitCalls += 1;
    },
    getPath: () => "/tmp/fake-electron-user-data",
  });

  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, payload: unknown) => Promise<unknown>) => handlers.set(channel, handler),
      removeHandler: (channel: string) => handlers.delete(channel),
    },
    ipcRenderer: {
      invoke: (channel: string, payload: unknown) => {
        invocations.push({ channel, payload });
        return Promise.resolve({ ok: true, value: null });
      },
      on: (channel: string, listener: (event: unknown, payload: unknown) => void) => rendererListeners.set(channel, listener),
      removeListener: (channel: string) => rendererListeners.delete(channel),
    },
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => {
        exposed[key] = api;
      },
    },
    shell: { opened: [] as string[], openExternal: (url: string) => (electron.shell.opened.push(url), Promise.resolve()) },
    dialog: { showSaveDialog: async () => ({ canceled: true, filePath: undefined }) },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (plain: string) => Buffer.from([...Buffer.from(plain)].map((b) => b ^ 0x5a)),
      decryptString: (cipher: Buffer) => Buffer.from([...cipher].map((b) => b ^ 0x5a)).toString(),
    },
    Notification: class {
      static isSupported() {
        return true;
      }
      show() {}
    },
    Menu: { setApplicationMenu: () => {}, buildFromTemplate: (template: unknown) => template },
    protocol: {
      privilegedSchemes: [] as { scheme: string; privileges: Record<string, boolean> }[],
      registerSchemesAsPrivileged: (schemes: { scheme: string; privileges: Record<string, boolean> }[]) => {
        electron.protocol.privilegedSchemes.push(...schemes);
      },
    },
    session: { defaultSession: createFakeSession() },
  };
  return { electron, handlers, rendererListeners, exposed, windows, invocations };
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string; isMainFrame: boolean }) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, requestingOrigin: string, details: { requestingUrl?: string; isMainFrame: boolean }) => boolean;
type HeadersListener = (details: { responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void;

/** A session that records what is installed on it; fetch reads file:// URLs from the disk as Electron's does. */
export function createFakeSession() {
  const session = {
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    headersListener: null as HeadersListener | null,
    permissionRequestHandler: null as PermissionRequestHandler | null,
    permissionCheckHandler: null as PermissionCheckHandler | null,
    protocol: {
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
        session.protocolHandlers.set(scheme, handler);
      },
    },
    fetch: async (url: string) => new Response(await readFile(fileURLToPath(url))),
    webRequest: {
      onHeadersReceived: (listener: HeadersListener) => {
        session.headersListener = listener;
      },
    },
    setPermissionRequestHandler: (handler: PermissionRequestHandler) => {
      session.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler: (handler: PermissionCheckHandler) => {
      session.permissionCheckHandler = handler;
    },
  };
  return session;
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
