import type { ConsoleApi } from "../../../shared/contract";

/** The API plus what the UI must know about the transport behind it. */
export interface ConsoleTransport {
  kind: "ipc" | "http";
  api: ConsoleApi;
  /** Browser mode lists one team at a time: listJobs needs filter.teamId. */
  teamRequired: boolean;
  /**
   * Browser mode: the server's environment holds the settings, so getSettings is a read-only
   * view and setSettings refuses. The desktop app edits them.
   */
  readOnlySettings: boolean;
  /** Forgets the browser-mode token (absent in the desktop app). */
  signOut?: () => void;
}
