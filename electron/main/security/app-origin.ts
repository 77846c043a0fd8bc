/**
 * The renderer's own origin, app://renderer, served by a privileged custom scheme instead
 * of file:// (which would share one origin with every file on the disk).
 */
export const APP_SCHEME = "app";
export const APP_HOST = "renderer";
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** standard: real origin, relative URLs and 'self' in the CSP; secure: a secure context like https. */
export const APP_SCHEME_PRIVILEGES = { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } };

/** An exact origin: scheme and host (with port). */
export interface TrustedOrigin {
  protocol: string;
  host: string;
}

export const APP_ORIGIN: TrustedOrigin = { protocol: `${APP_SCHEME}:`, host: APP_HOST };

/** The origin of a URL we choose ourselves (electron-vite's dev server). */
export function originOf(url: string): TrustedOrigin {
  const { protocol, host } = new URL(url);
  return { protocol, host: host.toLowerCase() };
}

/**
 * True only for a URL with exactly this origin: same scheme, same host and port, and no
 * user or password (app://renderer@evil is host "evil"; app://renderer.evil is another host).
 * Compared field by field: Node's URL gives every custom scheme the origin "null".
 */
export function isSameOrigin(url: string, origin: TrustedOrigin): boolean {
  const parsed = parseUrl(url);
  if (!parsed || parsed.username !== "" || parsed.password !== "") return false;
  return parsed.protocol === origin.protocol && parsed.host.toLowerCase() === origin.host;
}

export function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
