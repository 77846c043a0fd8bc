import { defineConfig } from "vitest/config";

/**
 * `npm run test:faults`: the fault cases that take more than a few seconds each. Same
 * environment as vitest.config.ts (a zone far from UTC, forked workers), one file at a time.
 */
export default defineConfig({
  test: {
    include: ["test/faults-slow/**/*.test.ts"],
    environment: "node",
    env: { TZ: "Pacific/Auckland" },
    pool: "forks",
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
