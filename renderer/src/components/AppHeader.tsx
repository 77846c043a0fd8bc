import { useConsole } from "../state/console-context";
import { ServiceStatus } from "./ServiceStatus";
import { ThemeToggle } from "./ThemeToggle";

export function AppHeader({ onSignOut }: { onSignOut?: () => void }) {
  const { transport, ui } = useConsole();
  return (
    <header className="app-header">
      <h1>Visits Export Console</h1>
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
