import { execFile, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ensureElectronBinary, findElectronBinary } from "../../electron/tooling/electron-binary";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "vec-install-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** This process's environment without any Electron download variable or npm run's npm_* settings. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([key]) => !key.startsWith("ELECTRON_") && !key.toLowerCase().startsWith("npm_"));
  return { ...Object.fromEntries(kept), ...extra };
}

describe("npm install without the Electron binary", () => {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { allowScripts: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { hasInstallScript?: boolean }> };

  it("never runs electron's install script, and reviews every other install script", () => {
    expect(manifest.allowScripts.electron).toBe(false);
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
    expect(withScripts).toContain("electron");
    // A future npm blocks unreviewed scripts: each one is allowed or denied on purpose.
    for (const name of withScripts) expect(typeof manifest.allowScripts[name], name).toBe("boolean");
  });

  it("a clean copy installs with `npm ci` and no Electron download variable set", async () => {
    const clone = join(dir, "clone");
    mkdirSync(clone);
    for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(root, file), join(clone, file));
    const { stdout, stderr } = await promisify(execFile)("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: clone, env: cleanEnv(), maxBuffer: 16 << 20 });
    expect(`${stdout}${stderr}`).toMatch(/added \d+ packages/);
    const electronDir = join(clone, "node_modules/electron");
    expect(existsSync(join(electronDir, "install.js"))).toBe(true);
    // Its install script did not run: no binary was fetched (here it cannot be; elsewhere it is not).
    expect(existsSync(join(electronDir, "path.txt"))).toBe(false);
    expect(findElectronBinary(electronDir, cleanEnv())).toBeNull();
  }, 300_000);
});

describe("the desktop commands fetch the binary on first use", () => {
  let count = 0;
  /** A stand-in for node_modules/electron whose install.js behaves as given. */
  function fakeElectronPackage(installScript: string): string {
    const packageDir = join(dir, `electron-${++count}`);
    mkdirSync(packageDir);
    writeFileSync(join(packageDir, "install.js"), installScript);
    return packageDir;
  }
  // Like electron's installer: honours the skip variable, writes dist/<exe> and path.txt.
  const workingInstaller = `
    const fs = require("fs"), path = require("path");
    if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0);
    fs.mkdirSync(path.join(__dirname, "dist"));
    fs.writeFileSync(path.join(__dirname, "dist", "electron"), "");
    fs.writeFileSync(path.join(__dirname, "path.txt"), "electron");
    fs.writeFileSync(path.join(__dirname, "ran"), "");
  `;
  const offlineInstaller = `console.error("RequestError: getaddrinfo ENOTFOUND github.com\\n    at ClientRequest.<anonymous>"); process.exit(1);`;

  it("downloads a missing binary, even when ELECTRON_SKIP_BINARY_DOWNLOAD is set", () => {
    const packageDir = fakeElectronPackage(workingInstaller);
    expect(findElectronBinary(packageDir, {})).toBeNull();
    const result = ensureElectronBinary(packageDir, { ...cleanEnv(), ELECTRON_SKIP_BINARY_DOWNLOAD: "1" });
    expect(result).toEqual({ ok: true, binary: join(packageDir, "dist", "electron"), downloaded: true });
  });

  it("leaves an installed binary alone", () => {
    const packageDir = fakeElectronPackage(workingInstaller);
    mkdirSync(join(packageDir, "dist"));
    writeFileSync(join(packageDir, "dist", "electron"), "");
    writeFileSync(join(packageDir, "path.txt"), "electron");
    expect(ensureElectronBinary(packageDir, cleanEnv())).toEqual({ ok: true, binary: join(packageDir, "dist", "electron"), downloaded: false });
    expect(existsSync(join(packageDir, "ran"))).toBe(false);
  });

  it("says why and what to do when it cannot download (the command npm start runs)", () => {
    const packageDir = fakeElectronPackage(offlineInstaller);
    const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "electron/tooling/ensure-electron-command.ts")], {
      cwd: root,
      env: cleanEnv({ ELECTRON_PACKAGE_DIR: packageDir }),
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("The Electron binary is not installed, and downloading it failed: RequestError: getaddrinfo ENOTFOUND github.com");
    expect(run.stderr).toContain("node node_modules/electron/install.js");
    expect(run.stderr).toContain("npm test, npm run demo");
    expect(run.stderr).not.toContain("at ClientRequest");
  });

  it("says so when the package itself is missing", () => {
    const result = ensureElectronBinary(join(dir, "no-such-package"), cleanEnv());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/install\.js does not exist: run `npm install` first/);
  });
});
