import type { ConsoleApi } from "../../../shared/contract";

/** The API plus what the UI must know about the transport behind it. */
export interface ConsoleTransport {
  kind: "ipc" | "http";
  api: ConsoleApi;
  /** Browser mode lists one team at a time: listJobs needs filter.teamId. */
  teamRequired: boolean;
  /** Forgets the browser-mode token (absent in the desktop app). */
  signOut?: () => void;
}
