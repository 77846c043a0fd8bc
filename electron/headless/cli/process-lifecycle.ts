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

/** What shells and `timeout` expect after a signal: 128 + its number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * For a command that cleans up before it exits (the export CLI): the first SIGINT or
 * SIGTERM aborts `signal`, and `exitCode()` then says which code to exit with. A second
 * signal exits at once, without waiting for the clean-up.
 */
export function abortOnSignals(): { signal: AbortSignal; exitCode(): number | undefined } {
  const controller = new AbortController();
  let received: HandledSignal | undefined;
  const onSignal = (name: HandledSignal) => {
    if (received) process.exit(SIGNAL_EXIT_CODES[name]);
    received = name;
    controller.abort();
  };
  for (const name of Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]) process.on(name, () => onSignal(name));
  return { signal: controller.signal, exitCode: () => (received ? SIGNAL_EXIT_CODES[received] : undefined) };
}
