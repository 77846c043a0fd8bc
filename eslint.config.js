import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

const nodeBuiltins = ["node:*", "fs", "path", "os", "child_process", "net", "http", "https", "crypto", "stream", "events", "url", "util"];
const restrict = (message, group, paths = []) => ["error", { paths, patterns: [{ group, message }] }];

export default tseslint.config(
  { ignores: ["out/**", "dist/**", "node_modules/**", "bench/output/**", "test/e2e/output/**", ".demo-data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // Globals per runtime, as in electron-vite's template: Node for electron/, the browser for renderer/.
  { files: ["electron/**", "*.config.ts", "*.config.js"], languageOptions: { globals: globals.node } },
  { files: ["renderer/**"], languageOptions: { globals: globals.browser }, plugins: { "react-hooks": reactHooks }, rules: reactHooks.configs.recommended.rules },
  { files: ["test/**"], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  { files: ["shared/**"], languageOptions: { globals: globals["shared-node-browser"] } },

  // Layering (VS Code style): folders say where code runs, imports only point down.
  //   shared/            <- everything           (imports nothing of ours, no Node, no Electron)
  //   electron/core/     <- headless, desktop, main, dev   (plain Node; never Electron, the UI, or dev code)
  //   electron/headless/ <- dev, main?           (CLI and REST server over the core)
  //   electron/desktop/  <- main                 (the desktop console without the Electron shell)
  //   electron/dev/      <- main (demo injected), test  (demo, emulator, seeding: never imported by production code)
  //   electron/main/, electron/preload/          (the only places that import 'electron')
  //   electron/tooling/                          (fetch the binary, packaging hooks: imports nothing of ours)
  //   renderer/          <- nothing in electron/ (talks through window.exportConsole or HTTP)
  {
    files: ["shared/**/*.ts"],
    rules: { "no-restricted-imports": restrict("shared/ imports nothing of ours and no Node or Electron module.", ["**/electron/**", "**/renderer/**", "electron", ...nodeBuiltins]) },
  },
  {
    files: ["electron/core/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict(
        "The core runs under plain Node: it never imports the shell, the headless commands, the desktop console, dev code or the UI.",
        ["**/renderer/**", "**/main/**", "**/preload/**", "**/headless/**", "**/desktop/**", "**/dev/**"],
        [{ name: "electron", message: "Only electron/main and electron/preload may import electron." }],
      ),
    },
  },
  {
    files: ["electron/headless/**/*.ts", "electron/desktop/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict(
        "Production entry points never import the shell, the UI or dev code (the demo is injected by its caller).",
        ["**/renderer/**", "**/main/**", "**/preload/**", "**/dev/**"],
        [{ name: "electron", message: "Only electron/main and electron/preload may import electron." }],
      ),
    },
  },
  {
    files: ["electron/dev/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict("Dev code runs under plain Node: no shell, no UI.", ["**/renderer/**", "**/main/**", "**/preload/**"], [{ name: "electron", message: "Only electron/main and electron/preload may import electron." }]),
    },
  },
  {
    files: ["electron/tooling/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict("Build and launch tooling runs under plain Node before the app: it imports nothing of ours.", ["**/core/**", "**/headless/**", "**/desktop/**", "**/dev/**", "**/main/**", "**/preload/**", "**/renderer/**", "**/shared/**"], [{ name: "electron", message: "Tooling runs without the Electron binary." }]),
    },
  },
  {
    files: ["electron/preload/**/*.ts"],
    rules: { "no-restricted-imports": restrict("The sandboxed preload loads nothing but Electron and the dependency-free contract names.", ["**/core/**", "**/headless/**", "**/desktop/**", "**/dev/**", "**/renderer/**", ...nodeBuiltins]) },
  },
  {
    files: ["renderer/**/*.ts", "renderer/**/*.tsx"],
    rules: {
      "no-restricted-imports": restrict("The renderer never imports Node or the core.", ["**/electron/**", ...nodeBuiltins], [{ name: "electron", message: "The renderer talks to main only through window.exportConsole." }]),
    },
  },
);
