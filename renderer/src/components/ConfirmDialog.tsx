import { useId, useState } from "react";
import { useConsole, useConsoleStore } from "../state/console-context";
import { Modal } from "./Modal";

/** Asks before something that cannot be undone (deleting exports, going back to the demo). */
export function ConfirmDialog() {
  const { ui } = useConsole();
  const confirmation = useConsoleStore((m) => m.ui, (s) => s.confirmation);
  const messageId = useId();
  const [busy, setBusy] = useState(false);
  if (!confirmation) return null;

  const close = () => ui.getState().closeConfirmation();
  const confirm = async () => {
    setBusy(true);
    try {
      await confirmation.onConfirm();
    } finally {
      setBusy(false);
      close();
    }
  };

  return (
    <Modal title={confirmation.title} role="alertdialog" describedBy={messageId} onClose={close}>
      <p id={messageId}>{confirmation.message}</p>
      <div className="dialog-buttons">
        <button type="button" onClick={close} disabled={busy} data-autofocus>
          Keep
        </button>
        <button type="button" className="danger" onClick={() => void confirm()} disabled={busy}>
          {busy ? (confirmation.busyLabel ?? "Deleting…") : confirmation.confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
