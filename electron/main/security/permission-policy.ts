/** What Chromium tells the session's permission handlers about a request or check. */
export interface PermissionQuery {
  permission: string;
  /** The page or origin asking. */
  requestingUrl: string;
  isMainFrame: boolean;
}

/**
 * Every permission is refused (camera, notifications, geolocation, …) except writing text to
 * the clipboard from our own page's top frame: the console's "copy id" button needs it.
 * The same rule answers setPermissionRequestHandler and setPermissionCheckHandler.
 */
export function isPermissionGranted(query: PermissionQuery, isAppUrl: (url: string) => boolean): boolean {
  return query.permission === "clipboard-sanitized-write" && query.isMainFrame && isAppUrl(query.requestingUrl);
}
