import { join } from "node:path";
import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from "@electron/fuses";
import { Arch, type AfterPackContext } from "electron-builder";

/**
 * Electron's fuses, flipped in the packaged binary before it is signed (electron-builder's
 * afterPack). Each one turns off a way to run the app's binary as something else.
 */
export const FUSES = {
  /** ELECTRON_RUN_AS_NODE=1 would turn the signed app into a plain Node interpreter. */
  [FuseV1Options.RunAsNode]: false,
  /** Cookies and other Chromium storage encrypted with an OS-keychain key. */
  [FuseV1Options.EnableCookieEncryption]: true,
  /** NODE_OPTIONS (e.g. --require of any file) is ignored. */
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  /** --inspect and friends are ignored: no debugger attaches to the main process. */
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  /** app.asar must match the hash recorded at build time (macOS and Windows; see the README). */
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  /** The app is loaded from app.asar only, never from an app/ folder planted beside it. */
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  /** The usual V8 snapshot; the browser-process one is not built. */
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  /** The renderer loads from the app:// scheme, so file:// needs none of its old privileges. */
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} as const;

/** The file that carries the fuse wire, as electron-builder names the packaged executable. */
export function packagedExecutable(context: Pick<AfterPackContext, "appOutDir" | "electronPlatformName" | "packager">): string {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === "linux") return join(appOutDir, (packager as unknown as { executableName: string }).executableName);
  const extension = { darwin: ".app", mas: ".app", win32: ".exe" }[electronPlatformName];
  if (extension === undefined) throw new Error(`electron-fuses: unknown platform ${electronPlatformName}`);
  return join(appOutDir, `${packager.appInfo.productFilename}${extension}`);
}

export function fuseConfig(context: Pick<AfterPackContext, "electronPlatformName" | "arch">): FuseV1Config {
  // Rewriting the binary breaks the ad-hoc signature Apple silicon requires; reset it (signing, if configured, follows).
  const resetAdHocDarwinSignature = context.electronPlatformName === "darwin" && context.arch === Arch.arm64;
  return { version: FuseVersion.V1, resetAdHocDarwinSignature, ...FUSES };
}

/** electron-builder's afterPack hook. */
export async function flipPackagedFuses(context: AfterPackContext): Promise<void> {
  await flipFuses(packagedExecutable(context), fuseConfig(context));
}
