import { createStore } from "zustand/vanilla";

/** Selected job ids, in @tanstack/react-table's RowSelectionState shape. */
export type SelectedIds = Record<string, boolean>;

export interface SelectionState {
  selected: SelectedIds;
  setSelected(selected: SelectedIds): void;
  toggle(id: string): void;
  clear(): void;
  /** Drops ids that are no longer shown (deleted, or on another page). */
  keepOnly(ids: readonly string[]): void;
  selectedIds(): string[];
}

export type SelectionStore = ReturnType<typeof createSelectionStore>;

export function createSelectionStore() {
  return createStore<SelectionState>()((set, get) => ({
    selected: {},
    setSelected: (selected) => set({ selected }),
    toggle: (id) =>
      set((state) => {
        const selected = { ...state.selected };
        if (selected[id]) delete selected[id];
        else selected[id] = true;
        return { selected };
      }),
    clear: () => set((state) => (Object.keys(state.selected).length === 0 ? state : { selected: {} })),
    keepOnly: (ids) =>
      set((state) => {
        const shown = new Set(ids);
        const kept = Object.keys(state.selected).filter((id) => state.selected[id] && shown.has(id));
        if (kept.length === Object.keys(state.selected).length) return state;
        return { selected: Object.fromEntries(kept.map((id) => [id, true])) };
      }),
    selectedIds: () => Object.keys(get().selected).filter((id) => get().selected[id]),
  }));
}
