import type { Session } from "electron";
import { APP_SCHEME } from "./app-origin";
import { isPermissionGranted } from "./permission-policy";
import { createRendererProtocolHandler } from "./renderer-protocol";

export interface SessionHardening {
  /** The built renderer folder app://renderer serves. */
  rendererDir: string;
  isAppUrl(url: string): boolean;
  contentSecurityPolicy: string;
}

/**
 * What the session enforces for every page: the app:// scheme serving only the renderer
 * folder, the CSP as a header on every response (also the dev server's), and the permission
 * rule for both requests and checks.
 */
export function hardenSession(session: Session, { rendererDir, isAppUrl, contentSecurityPolicy }: SessionHardening): void {
  session.protocol.handle(APP_SCHEME, createRendererProtocolHandler(rendererDir, (fileUrl) => session.fetch(fileUrl), contentSecurityPolicy));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, "Content-Security-Policy": [contentSecurityPolicy] } });
  });
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted({ permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame }, isAppUrl));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    return isPermissionGranted({ permission, requestingUrl: details.requestingUrl ?? requestingOrigin, isMainFrame: details.isMainFrame }, isAppUrl);
  });
}
