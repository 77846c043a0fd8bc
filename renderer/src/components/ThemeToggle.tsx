import { useConsole, useConsoleStore } from "../state/console-context";
import { effectiveTheme } from "../state/theme-store";

/** Switches between the light and dark themes. */
export function ThemeToggle() {
  const { theme } = useConsole();
  const current = useConsoleStore((m) => m.theme, effectiveTheme);
  const next = current === "dark" ? "light" : "dark";
  return (
    <button type="button" className="theme-toggle" aria-label={`Switch to the ${next} theme`} onClick={() => theme.getState().toggle()}>
      {current === "dark" ? "☀ Light" : "☾ Dark"}
    </button>
  );
}
