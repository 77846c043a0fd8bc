import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { FuseV1Options, getCurrentFuseWire } from "@electron/fuses";
import { Arch, type AfterPackContext, type Configuration } from "electron-builder";
import { afterAll, describe, expect, it } from "vitest";
import { flipPackagedFuses, fuseConfig, packagedExecutable } from "../../electron/tooling/electron-fuses";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "vec-package-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// electron-builder's own config loader and schema check (what `npm run package` runs first).
const builderRequire = createRequire(createRequire(import.meta.url).resolve("electron-builder"));
const builderConfig = builderRequire("app-builder-lib/out/util/config/config.js") as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<Configuration>;
  validateConfiguration(config: Configuration, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const asar = builderRequire("@electron/asar") as { listPackage(archive: string): string[] };
const debugLogger = { isEnabled: false, add() {} };
const loaded = await builderConfig.getConfig(root, "electron-builder.config.ts", null);

const SENTINEL = "dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX";
/** A file with Electron's fuse wire as an unpacked Electron ships it: 9 fuses, Electron's defaults. */
function fakeElectronBinary(path: string) {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, Buffer.concat([Buffer.from("\x7fELF…code…"), Buffer.from(SENTINEL), Buffer.from([1, 9]), Buffer.from("101100011"), Buffer.from("…more code")]));
  chmodSync(path, 0o755);
}

describe("the electron-builder config", () => {
  it("loads the way the CLI loads it and passes electron-builder's schema", async () => {
    await expect(builderConfig.validateConfiguration(loaded, debugLogger)).resolves.toBeUndefined();
    // The check can fail: a misplaced option is refused.
    await expect(builderConfig.validateConfiguration({ ...loaded, linux: { ...loaded.linux, title: "x" } as never }, debugLogger)).rejects.toThrow(/title/);
  });

  it("builds Linux AppImage and deb, macOS and Windows installers with the app's name and icon", () => {
    expect(loaded.productName).toBe("Visits Export Console");
    expect(loaded.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(loaded.linux?.target).toEqual(["AppImage", "deb"]);
    expect(loaded.mac?.target).toBeDefined();
    expect(loaded.win?.target).toBeDefined();
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string>; author: { email: string } };
    expect(manifest.scripts.package).toContain("electron-builder --config electron-builder.config.ts");
    expect(manifest.author.email).toContain("@"); // the deb needs a maintainer address
    // A 1024 px PNG: electron-builder makes the .icns and .ico from it.
    const png = readFileSync(join(root, loaded.icon!));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1024, 1024]);
  });

  it("packs the electron-vite build into an asar archive and flips the fuses after packing", () => {
    // Only the build and package.json (electron-builder adds the production dependencies).
    expect(loaded.files).toEqual([{ filter: ["out/**/*", "package.json", "!out/**/*.map"] }]);
    expect(loaded.asar).toBe(true);
    expect(loaded.directories?.output).toBe("dist"); // git-ignored
    expect(typeof loaded.afterPack).toBe("function");
    expect((loaded.afterPack as () => void).name).toBe("flipPackagedFuses");
  });
});

describe("the fuses (afterPack)", () => {
  const packager = { executableName: "visits-export-console", appInfo: { productFilename: "Visits Export Console" } };
  const context = (platform: string, arch: Arch, appOutDir: string) => ({ appOutDir, electronPlatformName: platform, arch, packager }) as unknown as AfterPackContext;

  it("names the binary electron-builder writes on each platform", () => {
    expect(packagedExecutable(context("linux", Arch.x64, "/o"))).toBe("/o/visits-export-console");
    expect(packagedExecutable(context("win32", Arch.x64, "/o"))).toBe("/o/Visits Export Console.exe");
    expect(packagedExecutable(context("darwin", Arch.arm64, "/o"))).toBe("/o/Visits Export Console.app");
    expect(fuseConfig(context("darwin", Arch.arm64, "/o")).resetAdHocDarwinSignature).toBe(true);
    expect(fuseConfig(context("darwin", Arch.x64, "/o")).resetAdHocDarwinSignature).toBe(false);
    expect(() => packagedExecutable(context("plan9", Arch.x64, "/o"))).toThrow(/unknown platform plan9/);
  });

  for (const platform of ["linux", "win32"]) {
    it(`flips them in the packaged ${platform} binary with @electron/fuses`, async () => {
      const appOutDir = join(dir, platform);
      const binary = packagedExecutable(context(platform, Arch.x64, appOutDir));
      fakeElectronBinary(binary);
      const before = readFileSync(binary);
      await flipPackagedFuses(context(platform, Arch.x64, appOutDir));
      const wire = (await getCurrentFuseWire(binary)) as unknown as Record<number, number>;
      const on = (fuse: FuseV1Options) => String.fromCharCode(wire[fuse]!);
      expect(on(FuseV1Options.RunAsNode)).toBe("0");
      expect(on(FuseV1Options.EnableCookieEncryption)).toBe("1");
      expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe("0");
      expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe("0");
      expect(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe("1");
      expect(on(FuseV1Options.OnlyLoadAppFromAsar)).toBe("1");
      expect(on(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe("0");
      expect(String.fromCharCode(wire[8]!)).toBe("1"); // WasmTrapHandlers: Electron's default, left alone
      const after = readFileSync(binary);
      expect(after.length).toBe(before.length); // only wire bytes change
      expect(after.subarray(0, before.indexOf(SENTINEL))).toEqual(before.subarray(0, before.indexOf(SENTINEL)));
    });
  }

  it("fails packaging when the binary has no fuse wire", async () => {
    const appOutDir = join(dir, "no-wire");
    mkdirSync(appOutDir);
    copyFileSync(join(root, "package.json"), join(appOutDir, "visits-export-console"));
    await expect(flipPackagedFuses(context("linux", Arch.x64, appOutDir))).rejects.toThrow(/sentinel/);
  });
});

describe("npm run package's packaging step", () => {
  /**
   * The real electron-builder CLI with this config, for Linux's unpacked folder, given a
   * stand-in Electron distribution (electronDist) instead of the download it cannot make here.
   * The project is a copy with a small out/ (no build needed) and the real node_modules.
   */
  it("packs out/ and the production dependencies into app.asar and flips the fuses in the executable", async () => {
    const project = join(dir, "project");
    mkdirSync(join(project, "out/main"), { recursive: true });
    mkdirSync(join(project, "out/renderer"), { recursive: true });
    writeFileSync(join(project, "out/main/index.js"), "export {};\n");
    writeFileSync(join(project, "out/main/index.js.map"), "{}\n");
    writeFileSync(join(project, "out/renderer/index.html"), "<!doctype html>\n");
    for (const file of ["package.json", "package-lock.json", "electron-builder.config.ts"]) copyFileSync(join(root, file), join(project, file));
    for (const link of ["node_modules", "electron", "build"]) symlinkSync(join(root, link), join(project, link));
    const electronDist = join(dir, "electron-dist");
    fakeElectronBinary(join(electronDist, "electron"));
    writeFileSync(join(electronDist, "version"), "v41.7.1");
    const output = join(dir, "packaged");

    const cli = join(root, "node_modules/electron-builder/cli.js");
    const args = [cli, "--config", "electron-builder.config.ts", "--linux", "dir", `-c.electronDist=${electronDist}`, `-c.directories.output=${output}`];
    await promisify(execFile)(process.execPath, args, { cwd: project, env: { ...process.env, CI: "true" }, maxBuffer: 16 << 20 });

    const appDir = join(output, "linux-unpacked");
    const files = asar.listPackage(join(appDir, "resources/app.asar"));
    expect(files).toEqual(expect.arrayContaining(["/package.json", "/out/main/index.js", "/out/renderer/index.html", "/node_modules/bullmq/package.json"]));
    expect(files).not.toContain("/out/main/index.js.map");
    expect(files.filter((file) => /^\/(electron|test|renderer|shared|build)\//.test(file))).toEqual([]);
    const wire = readFileSync(join(appDir, "visits-export-console"));
    const fuses = wire.subarray(wire.indexOf(SENTINEL) + SENTINEL.length + 2, wire.indexOf(SENTINEL) + SENTINEL.length + 11).toString();
    // RunAsNode, cookie encryption, NODE_OPTIONS, --inspect, ASAR integrity, only ASAR, V8 snapshot, file:// privileges, wasm traps
    expect(fuses).toBe("010011001");
  }, 240_000);
});
