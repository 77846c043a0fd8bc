import { useEffect, useState } from "react";
import type { SettingsView } from "../../../shared/contract";
import { toApiError } from "../api/api-error";
import { useConsole, useConsoleStore } from "../state/console-context";
import { Modal } from "./Modal";
import { SettingsForm } from "./SettingsForm";
import { SettingsReadOnly } from "./SettingsReadOnly";

/**
 * The Settings dialog: the desktop app's editable settings, or (browser mode) a read-only
 * note that the server holds them. While a save restarts the core it cannot be closed.
 */
export function SettingsDialog() {
  const { ui } = useConsole();
  const open = useConsoleStore((m) => m.ui, (s) => s.settingsOpen);
  const [busy, setBusy] = useState(false);
  if (!open) return null;
  const close = () => {
    setBusy(false);
    ui.getState().closeSettings();
  };
  return (
    <Modal title="Settings" wide onClose={() => !busy && close()}>
      <SettingsPanel onClose={close} onBusyChange={setBusy} />
    </Modal>
  );
}

function SettingsPanel({ onClose, onBusyChange }: { onClose: () => void; onBusyChange: (busy: boolean) => void }) {
  const { transport } = useConsole();
  const [view, setView] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    transport.api.getSettings({}).then(
      (loaded) => live && setView(loaded),
      (error: unknown) => live && setLoadError(toApiError(error).message),
    );
    return () => {
      live = false;
    };
  }, [transport, attempt]);

  if (view) {
    return transport.readOnlySettings ? <SettingsReadOnly view={view} onClose={onClose} /> : <SettingsForm view={view} onClose={onClose} onBusyChange={onBusyChange} />;
  }
  return (
    <>
      {loadError ? (
        <p className="form-error" role="alert">
          Could not load the settings: {loadError}
        </p>
      ) : (
        <p className="settings-note" role="status">
          Loading settings…
        </p>
      )}
      <div className="dialog-buttons">
        {loadError && (
          <button
            type="button"
            onClick={() => {
              setLoadError(null);
              setAttempt(attempt + 1);
            }}
          >
            Try again
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </>
  );
}
