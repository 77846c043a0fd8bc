import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

const nodeBuiltins = ["node:*", "fs", "path", "os", "child_process", "net", "http", "https", "crypto", "stream", "events", "url", "util"];

export default tseslint.config(
  { ignores: ["out/**", "dist/**", "node_modules/**", "bench/output/**", "test/e2e/output/**", ".demo-data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // Layering (VS Code style): imports only point down.
  {
    files: ["shared/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["../electron/*", "../renderer/*", "**/electron/**", "**/renderer/**", "electron", ...nodeBuiltins], message: "shared/ imports nothing of ours and no Node/Electron module." }] }],
    },
  },
  {
    files: ["electron/**/*.ts"],
    ignores: ["electron/main/**", "electron/preload/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "electron", message: "The core must run under plain Node: only electron/main and electron/preload may import electron." }], patterns: [{ group: ["**/renderer/**", "**/main/*", "**/preload/*"], message: "The core never imports the shell or the UI." }] }],
    },
  },
  {
    files: ["renderer/**/*.ts", "renderer/**/*.tsx"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "electron", message: "The renderer talks to main only through window.exportConsole." }], patterns: [{ group: ["**/electron/**", ...nodeBuiltins], message: "The renderer never imports Node or the core." }] }],
    },
  },
);
