import { useEffect } from "react";
import { useConsole, useConsoleStore } from "../state/console-context";
import { ActivityView } from "./ActivityView";
import { AppHeader } from "./AppHeader";
import { ConfirmDialog } from "./ConfirmDialog";
import { ResultLocationDialog } from "./ResultLocationDialog";
import { ConnectionBanner } from "./ConnectionBanner";
import { DetailPanel } from "./DetailPanel";
import { JobsTable } from "./JobsTable";
import { NewExportDialog } from "./NewExportDialog";
import { Notices } from "./Notices";
import { Pager } from "./Pager";
import { SettingsDialog } from "./SettingsDialog";
import { TableMessage } from "./TableMessage";
import { Toolbar } from "./Toolbar";
import { useDocumentTheme } from "./useDocumentTheme";

/**
 * The console: header, banner, then the exports view (filters, the jobs table with its pager,
 * the detail panel) or the team's activity. The exports view stays mounted while hidden, so
 * its sorting and open details are as they were on the way back.
 */
export function App({ onSignOut }: { onSignOut?: () => void }) {
  const model = useConsole();
  const loading = useConsoleStore((m) => m.jobs, (s) => s.phase === "idle" || s.phase === "loading");
  const view = useConsoleStore((m) => m.ui, (s) => s.view);
  useDocumentTheme();
  useEffect(() => model.sync.start(), [model]);

  return (
    <div className="app">
      <AppHeader onSignOut={onSignOut} />
      <ConnectionBanner />
      <div className="view exports-view" hidden={view !== "exports"}>
        <Toolbar />
        <main className="jobs-area" aria-label="Exports" aria-busy={loading}>
          {/* The detail panel lies over the table (never over the pager): opening it leaves the columns as they are. */}
          <div className="workspace">
            <JobsTable />
            <TableMessage />
            <DetailPanel />
          </div>
          <Pager />
        </main>
      </div>
      {view === "activity" && <ActivityView />}
      <NewExportDialog />
      <SettingsDialog />
      <ConfirmDialog />
      <ResultLocationDialog />
      <Notices />
    </div>
  );
}
