import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The Electron binary is not downloaded at install time (package.json's allowScripts denies
 * electron's install script, so `npm install` works where it cannot be downloaded). The
 * commands that run the desktop app fetch it on first use with electron's own installer.
 */

/** What the desktop commands need, and what works without it: one message for every caller. */
export const WORKS_WITHOUT_BINARY =
  "Everything else works without it: npm test, npm run demo, npm run serve / worker / export, and the console in a browser.";

/** The executable electron's index.js would start, or null when it is not there. */
export function findElectronBinary(packageDir: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const pathFile = join(packageDir, "path.txt");
  const executable = existsSync(pathFile) ? readFileSync(pathFile, "utf8").trim() : null;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? join(override, executable || "electron") : executable ? join(packageDir, "dist", executable) : null;
  return binary && existsSync(binary) ? binary : null;
}

export type EnsureResult = { ok: true; binary: string; downloaded: boolean } | { ok: false; message: string };

/**
 * Returns the binary, running electron's installer (node <packageDir>/install.js) first when it
 * is missing. ELECTRON_SKIP_BINARY_DOWNLOAD is dropped for that run: it is meant for installs,
 * and whoever starts the desktop app wants the binary.
 */
export function ensureElectronBinary(packageDir: string, env: NodeJS.ProcessEnv = process.env): EnsureResult {
  const present = findElectronBinary(packageDir, env);
  if (present) return { ok: true, binary: present, downloaded: false };

  const installer = join(packageDir, "install.js");
  if (!existsSync(installer)) return { ok: false, message: missingBinaryMessage(`${installer} does not exist: run \`npm install\` first.`) };
  const { ELECTRON_SKIP_BINARY_DOWNLOAD: _skipped, ...installEnv } = env;
  const run = spawnSync(process.execPath, [installer], { cwd: packageDir, env: installEnv, encoding: "utf8" });
  const binary = findElectronBinary(packageDir, env);
  if (run.status === 0 && binary) return { ok: true, binary, downloaded: true };
  const output = `${run.stderr ?? ""}\n${run.stdout ?? ""}`;
  const reason = run.error?.message ?? firstErrorLine(output) ?? `the installer exited with ${run.status ?? run.signal} and left no binary`;
  return { ok: false, message: missingBinaryMessage(`downloading it failed: ${reason}`) };
}

function firstErrorLine(output: string): string | null {
  const lines = output.split("\n").map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /error/i.test(line)) ?? lines[0] ?? null;
}

function missingBinaryMessage(reason: string): string {
  return [
    `The Electron binary is not installed, and ${reason}`,
    "The desktop app (npm start, npm run dev) needs it. To get it:",
    "  - allow downloads from github.com (or set ELECTRON_MIRROR to a mirror you can reach) and run the command again, or",
    "  - run `node node_modules/electron/install.js` yourself, or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron.",
    WORKS_WITHOUT_BINARY,
  ].join("\n");
}
