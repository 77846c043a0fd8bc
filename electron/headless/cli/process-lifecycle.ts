import { AppError } from "../../../shared/errors";

export function logLine(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

/** Prints a one-line error and exits non-zero: what every command does on a bad start. */
export function fail(error: unknown, code = 1): never {
  const message = error instanceof AppError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

/**
 * Keeps a long-running command alive until SIGINT/SIGTERM, then stops everything it
 * started. A second signal while stopping exits at once.
 */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    logLine(`${signal}: stopping…`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => fail(error),
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
