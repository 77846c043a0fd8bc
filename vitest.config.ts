import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // test/faults-slow runs as `npm run test:faults` (also in .ci/run).
    exclude: ["test/bench/**", "test/faults-slow/**", "node_modules/**"],
    environment: "node",
    // A zone far from UTC: anything that reads Papermark's UTC timestamps as local time fails.
    env: { TZ: "Pacific/Auckland" },
    pool: "forks",
    // 2 cores here: two files at a time keeps Redis/PGlite-heavy files from starving each other.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
