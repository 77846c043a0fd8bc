import { parseUrl } from "./app-origin";

/**
 * The one rule for what the shell hands to the system browser (shell.openExternal): an
 * https URL with a host and no user or password, returned as parsed (what was checked is
 * what opens). Everything else is refused: http (cleartext), file:, javascript:, data:,
 * custom schemes that start other programs, UNC paths (\\host\share), and any backslash
 * or scheme-relative //host form that a platform could read as a network path.
 */
export function externalLinkToOpen(url: string): string | null {
  const text = url.trim();
  if (text.includes("\\") || text.startsWith("//")) return null;
  const parsed = parseUrl(text);
  if (!parsed || parsed.protocol !== "https:" || parsed.hostname === "") return null;
  if (parsed.username !== "" || parsed.password !== "") return null;
  return parsed.href;
}
