import { createStore } from "zustand/vanilla";

export const COLUMNS_STORAGE_KEY = "exportConsole.columns";

/** Column id -> shown; the same shape as @tanstack/react-table's VisibilityState. */
export type ColumnVisibility = Record<string, boolean>;

export interface ColumnsState {
  visibility: ColumnVisibility;
  setVisible(columnId: string, visible: boolean): void;
  reset(): void;
}

export type ColumnsStore = ReturnType<typeof createColumnsStore>;

function readStored(storage: Pick<Storage, "getItem"> | undefined): ColumnVisibility {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(COLUMNS_STORAGE_KEY) ?? "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, boolean] => typeof entry[1] === "boolean"));
  } catch {
    return {}; // unreadable: start from the defaults
  }
}

/**
 * Which of the jobs table's columns are shown: the defaults (fit a 1,280 px screen), changed
 * by the user in the Columns menu and remembered in storage.
 */
export function createColumnsStore(options: { defaults: ColumnVisibility; storage?: Pick<Storage, "getItem" | "setItem"> }) {
  const save = (visibility: ColumnVisibility) => options.storage?.setItem(COLUMNS_STORAGE_KEY, JSON.stringify(visibility));
  return createStore<ColumnsState>()((set, get) => ({
    visibility: { ...options.defaults, ...readStored(options.storage) },
    setVisible: (columnId, visible) => {
      const visibility = { ...get().visibility, [columnId]: visible };
      save(visibility);
      set({ visibility });
    },
    reset: () => {
      save({});
      set({ visibility: { ...options.defaults } });
    },
  }));
}
