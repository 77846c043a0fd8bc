import type { Configuration } from "electron-builder";
import { flipPackagedFuses } from "./electron/tooling/electron-fuses";

/**
 * `npm run package`: installers for Linux (AppImage, deb), macOS (dmg, zip) and Windows (NSIS)
 * from the electron-vite build in out/. electron-builder downloads Electron for each target.
 */
const config: Configuration = {
  appId: "dev.visits-export-console.desktop",
  productName: "Visits Export Console",
  directories: { output: "dist", buildResources: "build" },
  icon: "build/icon.png",
  // Only the build and package.json; production dependencies are added by electron-builder.
  files: ["out/**/*", "package.json", "!out/**/*.map"],
  asar: true,
  // No native module needs rebuilding for Electron (msgpackr-extract is optional, N-API), and
  // skipping it keeps packaging on Node 20 (@electron/rebuild 4 wants Node 22).
  npmRebuild: false,
  afterPack: flipPackagedFuses,
  linux: {
    target: ["AppImage", "deb"],
    category: "Office",
    executableName: "visits-export-console",
    synopsis: "Export the visits of a Papermark document or dataroom to CSV",
  },
  mac: { target: ["dmg", "zip"], category: "public.app-category.business", hardenedRuntime: true },
  win: { target: ["nsis"] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
};

export default config;
