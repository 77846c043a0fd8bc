import { resolve } from "node:path";
import { ensureElectronBinary, findElectronBinary } from "./electron-binary";

/**
 * `npm start` and `npm run dev` run this first: it fetches the Electron binary on first use
 * and exits 1 with what to do when it cannot. ELECTRON_PACKAGE_DIR points it elsewhere (tests).
 */
const packageDir = resolve(process.env.ELECTRON_PACKAGE_DIR ?? "node_modules/electron");
if (!findElectronBinary(packageDir)) {
  console.error("The Electron binary is not installed yet: downloading it (first use of the desktop app)…");
  const result = ensureElectronBinary(packageDir);
  if (!result.ok) {
    console.error(result.message);
    process.exit(1);
  }
  console.error(`Downloaded the Electron binary: ${result.binary}`);
}
