import { createStore } from "zustand/vanilla";

export type Theme = "light" | "dark";
export type ThemePreference = Theme | "system";

export const THEME_STORAGE_KEY = "exportConsole.theme";

export interface ThemeState {
  preference: ThemePreference;
  systemTheme: Theme;
  setPreference(preference: ThemePreference): void;
  setSystemTheme(theme: Theme): void;
  /** Switches to the other theme (an explicit choice that overrides the system's). */
  toggle(): void;
}

export type ThemeStore = ReturnType<typeof createThemeStore>;

export function effectiveTheme(state: Pick<ThemeState, "preference" | "systemTheme">): Theme {
  return state.preference === "system" ? state.systemTheme : state.preference;
}

/** Light or dark: follows prefers-color-scheme until the user picks one, which is remembered. */
export function createThemeStore(options: { storage?: Pick<Storage, "getItem" | "setItem">; systemTheme?: Theme } = {}) {
  const stored = options.storage?.getItem(THEME_STORAGE_KEY);
  const preference: ThemePreference = stored === "light" || stored === "dark" ? stored : "system";
  return createStore<ThemeState>()((set, get) => ({
    preference,
    systemTheme: options.systemTheme ?? "light",
    setPreference: (next) => {
      options.storage?.setItem(THEME_STORAGE_KEY, next);
      set({ preference: next });
    },
    setSystemTheme: (systemTheme) => set({ systemTheme }),
    toggle: () => get().setPreference(effectiveTheme(get()) === "dark" ? "light" : "dark"),
  }));
}
