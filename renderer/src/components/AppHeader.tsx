import { useConsole, useConsoleStore } from "../state/console-context";
import type { ConsoleView } from "../state/ui-store";
import { ServiceStatus } from "./ServiceStatus";
import { ThemeToggle } from "./ThemeToggle";

const VIEWS: [ConsoleView, string][] = [
  ["exports", "Exports"],
  ["activity", "Activity"],
];

export function AppHeader({ onSignOut }: { onSignOut?: () => void }) {
  const { transport, ui } = useConsole();
  const shown = useConsoleStore((m) => m.ui, (s) => s.view);
  return (
    <header className="app-header">
      <h1>Visits Export Console</h1>
      <nav className="view-switch" aria-label="Views">
        {VIEWS.map(([view, label]) => (
          <button key={view} type="button" aria-current={view === shown ? "page" : undefined} onClick={() => ui.getState().showView(view)}>
            {label}
          </button>
        ))}
      </nav>
      <ServiceStatus />
      <span className="header-actions">
        <ThemeToggle />
        {/* The desktop app edits its settings; in a browser the dialog shows they are the server's. */}
        <button type="button" aria-haspopup="dialog" onClick={() => ui.getState().openSettings()}>
          Settings
        </button>
        {transport.kind === "http" && onSignOut && (
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        )}
      </span>
    </header>
  );
}
