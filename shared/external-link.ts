/**
 * The one rule for what is handed to the system browser (the shell's shell.openExternal,
 * the desktop console's "open in browser" of a web-app export's blob URL): an
 * https URL with a host and no user or password, returned as parsed (what was checked is
 * what opens). Everything else is refused: http (cleartext), file:, javascript:, data:,
 * custom schemes that start other programs, UNC paths (\\host\share), and any backslash
 * or scheme-relative //host form that a platform could read as a network path.
 */
export function externalLinkToOpen(url: string): string | null {
  const text = url.trim();
  if (text.includes("\\") || text.startsWith("//")) return null;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" || parsed.hostname === "") return null;
  if (parsed.username !== "" || parsed.password !== "") return null;
  return parsed.href;
}

/** What a refused link is told (never echoing the URL, which may carry credentials). */
export const EXTERNAL_LINK_REFUSED = "only https links without a user name or password are opened in the browser";
