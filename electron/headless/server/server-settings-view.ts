import type { SettingsView } from "../../../shared/contract";
import { SECRET_SETTINGS, type Settings } from "../../../shared/settings";

/**
 * What a browser may see of the server's settings: every value but the secrets (the
 * connection URLs and the Tinybird token), and the Tinybird host without any credentials.
 */
export function serverSettingsView(settings: Settings): SettingsView {
  const values: Record<string, unknown> = { ...settings };
  for (const secret of SECRET_SETTINGS) delete values[secret];
  const host = new URL(settings.tinybirdHost);
  host.username = "";
  host.password = "";
  return {
    configured: true,
    values: { ...(values as SettingsView["values"]), tinybirdHost: host.toString().replace(/\/$/, "") },
    tinybirdTokenSet: true,
    secretsEncrypted: false,
  };
}
