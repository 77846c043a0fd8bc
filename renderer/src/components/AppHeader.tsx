import { useConsole } from "../state/console-context";
import { ServiceStatus } from "./ServiceStatus";
import { ThemeToggle } from "./ThemeToggle";

export function AppHeader({ onSignOut }: { onSignOut?: () => void }) {
  const { transport } = useConsole();
  return (
    <header className="app-header">
      <h1>Visits Export Console</h1>
      <ServiceStatus />
      <span className="header-actions">
        <ThemeToggle />
        {transport.kind === "http" && onSignOut && (
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        )}
      </span>
    </header>
  );
}
