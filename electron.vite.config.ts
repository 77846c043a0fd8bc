import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "electron-vite";
import { CONTENT_SECURITY_POLICY } from "./shared/content-security-policy";

export default defineConfig({
  main: {
    build: {
      outDir: "out/main",
      rollupOptions: { input: { index: resolve(__dirname, "electron/main/index.ts") } },
    },
  },
  preload: {
    build: {
      outDir: "out/preload",
      // Sandboxed preloads cannot be ES modules.
      rollupOptions: { input: { index: resolve(__dirname, "electron/preload/index.ts") }, output: { format: "cjs", entryFileNames: "[name].cjs" } },
    },
  },
  renderer: {
    root: "renderer",
    plugins: [
      react(),
      // One policy for index.html, the server's header and the shell's header.
      { name: "content-security-policy", transformIndexHtml: (html: string) => html.replace("%CONTENT_SECURITY_POLICY%", CONTENT_SECURITY_POLICY) },
    ],
    build: {
      outDir: "out/renderer",
      rollupOptions: { input: { index: resolve(__dirname, "renderer/index.html") } },
    },
  },
});
