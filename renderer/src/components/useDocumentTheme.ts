import { useEffect } from "react";
import { useConsole, useConsoleStore } from "../state/console-context";
import { effectiveTheme } from "../state/theme-store";

const DARK_QUERY = "(prefers-color-scheme: dark)";

/** Puts the theme on <html data-theme> and follows the system's light/dark setting. */
export function useDocumentTheme(): void {
  const { theme } = useConsole();
  const current = useConsoleStore((m) => m.theme, effectiveTheme);

  useEffect(() => {
    document.documentElement.dataset.theme = current;
  }, [current]);

  useEffect(() => {
    if (typeof window.matchMedia !== "function") return;
    const query = window.matchMedia(DARK_QUERY);
    const update = () => theme.getState().setSystemTheme(query.matches ? "dark" : "light");
    update();
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, [theme]);
}
