import type { WebContents } from "electron";
import { externalLinkToOpen } from "../../../shared/external-link";

/**
 * The window never leaves our page: navigations (also redirects and any frame's), new
 * windows and webviews are refused. A link the user follows (will-navigate, window.open,
 * target=_blank) opens in the system browser when the external-link rule allows it.
 */
export function installNavigationGuards(contents: WebContents, isAppUrl: (url: string) => boolean, openInBrowser: (url: string) => void): void {
  const refuseForeign = (event: { url: string; preventDefault(): void }) => {
    if (isAppUrl(event.url)) return false;
    event.preventDefault();
    return true;
  };
  contents.on("will-navigate", (event) => {
    if (refuseForeign(event) && externalLinkToOpen(event.url)) openInBrowser(event.url);
  });
  contents.on("will-redirect", (event) => void refuseForeign(event));
  contents.on("will-frame-navigate", (event) => void refuseForeign(event));
  contents.on("will-attach-webview", (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (externalLinkToOpen(url)) openInBrowser(url);
    return { action: "deny" };
  });
}
