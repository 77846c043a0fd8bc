import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";

/** `npm run icon`: renders build/icon.svg to build/icon.png (1024 px, transparent corners) with the system Chromium. */
const svg = readFileSync(resolve("build/icon.svg"), "utf8");
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 1024 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator("svg").screenshot({ path: resolve("build/icon.png"), omitBackground: true });
} finally {
  await browser.close();
}
