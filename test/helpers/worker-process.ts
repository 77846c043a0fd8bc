import { spawn, type ChildProcess } from "node:child_process";

export interface WorkerProcess {
  process: ChildProcess;
  output: () => string;
}

/** `npm run worker` as a child process (through tsx), configured by environment. */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "electron/headless/cli/worker-command.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { process: child, output: () => output };
}
