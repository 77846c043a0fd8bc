import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SECRET_SHAPE = /^[A-Za-z0-9_-]{16,200}$/;

/**
 * A random token kept in the demo's data folder (`<dataDir>/<name>`, readable by its owner
 * only): the demo hands out the same one after a restart, so open tabs and scripts keep
 * working. A missing or unreadable file gets a new token.
 */
export function keptSecret(dataDir: string, name: string, prefix: string): string {
  const file = join(dataDir, name);
  try {
    const stored = readFileSync(file, "utf8").trim();
    if (SECRET_SHAPE.test(stored)) return stored;
  } catch {
    // none yet
  }
  const secret = `${prefix}${randomBytes(16).toString("hex")}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
