import { createStore } from "zustand/vanilla";

export interface Confirmation {
  title: string;
  message: string;
  confirmLabel: string;
  /** The confirm button's text while onConfirm runs (default "Deleting…"). */
  busyLabel?: string;
  onConfirm: () => void | Promise<void>;
}

export interface Notice {
  id: number;
  text: string;
  tone: "info" | "error";
}

/** A web-app export whose CSV is kept at a URL (Papermark's blob storage). */
export interface ResultLocation {
  id: string;
  url: string;
}

/** What the console's main area shows: the exports table, or the team's activity (audit trail). */
export type ConsoleView = "exports" | "activity";

export interface UiState {
  view: ConsoleView;
  newExportOpen: boolean;
  settingsOpen: boolean;
  confirmation: Confirmation | null;
  resultLocation: ResultLocation | null;
  notices: Notice[];
  openNewExport(): void;
  closeNewExport(): void;
  openSettings(): void;
  closeSettings(): void;
  askToConfirm(confirmation: Confirmation): void;
  closeConfirmation(): void;
  showResultLocation(location: ResultLocation): void;
  closeResultLocation(): void;
  notify(text: string, tone?: Notice["tone"]): void;
  dismiss(id: number): void;
  showView(view: ConsoleView): void;
}

export type UiStore = ReturnType<typeof createUiStore>;

/** Dialogs and short notices. Notices go away by themselves after `noticeMs`. */
export function createUiStore(options: { noticeMs?: number } = {}) {
  const noticeMs = options.noticeMs ?? 5000;
  let nextId = 1;
  return createStore<UiState>()((set, get) => ({
    view: "exports",
    newExportOpen: false,
    settingsOpen: false,
    confirmation: null,
    resultLocation: null,
    notices: [],
    openNewExport: () => set({ newExportOpen: true }),
    closeNewExport: () => set({ newExportOpen: false }),
    openSettings: () => set({ settingsOpen: true }),
    closeSettings: () => set({ settingsOpen: false }),
    askToConfirm: (confirmation) => set({ confirmation }),
    closeConfirmation: () => set({ confirmation: null }),
    showResultLocation: (resultLocation) => set({ resultLocation }),
    closeResultLocation: () => set({ resultLocation: null }),
    notify: (text, tone = "info") => {
      const id = nextId++;
      set((state) => ({ notices: [...state.notices.slice(-3), { id, text, tone }] }));
      if (noticeMs > 0) setTimeout(() => get().dismiss(id), noticeMs);
    },
    dismiss: (id) => set((state) => ({ notices: state.notices.filter((notice) => notice.id !== id) })),
    showView: (view) => set({ view }),
  }));
}
