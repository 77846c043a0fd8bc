import { describe, expect, it } from "vitest";
import type { SettingsView } from "../../shared/contract";
import { checkSettingsForm, formatDuration, initialFormValues } from "../../renderer/src/components/settings-form-model";

const SAVED: SettingsView = {
  configured: true,
  values: { tinybirdHost: "https://api.tinybird.co", jobTtlSeconds: 3600 },
  redisUrl: "redis://cache:6379",
  databaseUrl: "postgres://app:****@db/papermark",
  tinybirdTokenSet: true,
  secretsEncrypted: true,
};

describe("the settings form model", () => {
  it("words duration bounds", () => {
    expect(formatDuration(1000)).toBe("1 second");
    expect(formatDuration(60_000)).toBe("1 minute");
    expect(formatDuration(86_400_000)).toBe("24 hours");
    expect(formatDuration(365 * 86_400_000)).toBe("365 days");
    expect(formatDuration(1500)).toBe("1500 ms");
  });

  it("starts from the saved values, schema defaults for the rest, and secrets blank", () => {
    const values = initialFormValues(SAVED);
    expect(values).toMatchObject({ redisUrl: "", databaseUrl: "", tinybirdToken: "", tinybirdHost: "https://api.tinybird.co", mode: "auto", ttlDays: String(3600 / 86_400), timeoutMinutes: "15" });
  });

  it("finds nothing to send when nothing was touched, and no defaults are ever added", () => {
    expect(checkSettingsForm(SAVED, initialFormValues(SAVED))).toEqual({ ok: true, update: {}, changed: false });
    const checked = checkSettingsForm(SAVED, { ...initialFormValues(SAVED), bom: true });
    expect(checked).toEqual({ ok: true, update: { csv: { neutraliseFormulas: true, bom: true } }, changed: true });
  });

  it("requires the four connections only while nothing is saved", () => {
    const demo = { ...SAVED, configured: false };
    const checked = checkSettingsForm(demo, initialFormValues(demo));
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(Object.keys(checked.errors).sort()).toEqual(["databaseUrl", "redisUrl", "tinybirdHost", "tinybirdToken"]);
  });

  it("checks a typed secret with the shared schema", () => {
    const checked = checkSettingsForm(SAVED, { ...initialFormValues(SAVED), tinybirdToken: "has space", databaseUrl: "mysql://x" });
    expect(checked).toEqual({ ok: false, errors: { tinybirdToken: "the Tinybird token has white space", databaseUrl: "the database URL must be a postgres:// or postgresql:// URL" } });
  });
});
