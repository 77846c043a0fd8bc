import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import type { SettingsView } from "../../shared/contract";
import { AppError } from "../../shared/errors";
import { SECRET_SETTINGS, settingsSchema, type Settings } from "../../shared/settings";
import { describeSettingsError } from "../headless/env-settings";

/** safeStorage, seen from the core: the OS keychain encrypts, we only store ciphertext. */
export interface SecretCipher {
  isAvailable(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

const fileSchema = z.object({
  version: z.literal(1),
  settings: z.record(z.string(), z.unknown()),
  /** base64 ciphertext per secret setting */
  secrets: z.record(z.string(), z.string()),
});

/** Shows a URL without its password. */
function maskUrl(value: string | undefined): string | undefined {
  if (!value) return value;
  try {
    const url = new URL(value);
    if (url.password) url.password = "****";
    return url.toString();
  } catch {
    return "(invalid URL)";
  }
}

/**
 * The desktop app's settings, in a JSON file in the app's data folder. Secrets (Tinybird
 * token, database and Redis URLs, which carry passwords) are stored only encrypted; if the
 * OS offers no encryption, they are not stored at all and saving says so.
 */
export class SettingsStore {
  constructor(
    private readonly file: string,
    private readonly cipher: SecretCipher,
  ) {}

  /** The saved settings, or null when there are none (the app then runs the demo). */
  load(): Settings | null {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AppError("BAD_INPUT", `the settings file ${this.file} is not valid JSON; fix or delete it`);
    }
    const file = fileSchema.safeParse(json);
    if (!file.success) throw new AppError("BAD_INPUT", `the settings file ${this.file} has an unknown layout; fix or delete it`);
    const secrets: Record<string, string> = {};
    for (const [name, encoded] of Object.entries(file.data.secrets)) {
      try {
        secrets[name] = this.cipher.decrypt(Buffer.from(encoded, "base64"));
      } catch {
        throw new AppError("BAD_INPUT", `the stored ${name} cannot be decrypted on this machine; enter it again`);
      }
    }
    const parsed = settingsSchema.safeParse({ ...file.data.settings, ...secrets });
    if (!parsed.success) throw new AppError("BAD_INPUT", `saved settings are invalid: ${describeSettingsError(parsed.error, {})}`);
    return parsed.data;
  }

  /** Merges `update` into the saved settings (omitted secrets keep their value) and saves. */
  save(update: Partial<Settings>): Settings {
    let current: Partial<Settings> = {};
    try {
      current = this.load() ?? {};
    } catch {
      current = {}; // an unreadable file is replaced by a complete update
    }
    const parsed = settingsSchema.safeParse({ ...current, ...update });
    if (!parsed.success) throw new AppError("BAD_INPUT", `invalid settings: ${describeSettingsError(parsed.error, {})}`);
    if (!this.cipher.isAvailable()) {
      throw new AppError("UNAVAILABLE", "this system offers no secure storage (OS keychain), so secrets cannot be saved");
    }
    const settings = parsed.data;
    const plain: Record<string, unknown> = { ...settings };
    const secrets: Record<string, string> = {};
    for (const name of SECRET_SETTINGS) {
      secrets[name] = this.cipher.encrypt(String(settings[name])).toString("base64");
      delete plain[name];
    }
    mkdirSync(dirname(this.file), { recursive: true });
    // Write then rename: a crash mid-write never leaves half a settings file.
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify({ version: 1, settings: plain, secrets }, null, 2), { mode: 0o600 });
    renameSync(temp, this.file);
    return settings;
  }

  /** Forgets the saved settings (no copy is kept): the app goes back to the demo. */
  clear(): void {
    rmSync(this.file, { force: true });
  }

  view(settings: Settings | null, demo: boolean): SettingsView {
    const { tinybirdToken, databaseUrl, redisUrl, ...values } = settings ?? ({} as Partial<Settings>);
    return {
      configured: !demo && settings !== null,
      values,
      redisUrl: maskUrl(redisUrl),
      databaseUrl: maskUrl(databaseUrl),
      tinybirdTokenSet: Boolean(tinybirdToken),
      secretsEncrypted: this.cipher.isAvailable(),
    };
  }
}
