/**
 * The renderer's Content-Security-Policy: injected into index.html at build time, sent as a
 * header by the headless server and by the Electron shell (covers the dev server).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
