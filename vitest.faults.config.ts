import { defineConfig } from "vitest/config";
import base from "./vitest.config";

/** `npm run test:faults`: the fault cases that take more than a few seconds each. */
export default defineConfig({
  test: { ...base.test, include: ["test/faults-slow/**/*.test.ts"], exclude: ["node_modules/**"], maxWorkers: 1, testTimeout: 300_000 },
});
