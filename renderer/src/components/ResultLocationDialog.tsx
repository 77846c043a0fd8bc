import { useId } from "react";
import { useConsole, useConsoleStore } from "../state/console-context";
import { Modal } from "./Modal";

/**
 * A web-app export keeps its CSV in Papermark's blob storage: say where, and offer to open
 * it (desktop: the system browser through the main process; browser: a plain link).
 */
export function ResultLocationDialog() {
  const { ui, actions, transport } = useConsole();
  const location = useConsoleStore((m) => m.ui, (s) => s.resultLocation);
  const messageId = useId();
  if (!location) return null;
  const close = () => ui.getState().closeResultLocation();
  const secure = location.url.startsWith("https:");

  return (
    <Modal title="The CSV is in Papermark's storage" describedBy={messageId} onClose={close}>
      <p id={messageId}>
        Export {location.id} was made by Papermark&apos;s web app, which keeps its CSV at <code className="result-location">{location.url}</code>
      </p>
      <div className="dialog-buttons">
        <button type="button" onClick={close}>
          Close
        </button>
        {transport.kind === "http" ? (
          <a className="button" href={location.url} target="_blank" rel="noopener noreferrer" onClick={close} data-autofocus>
            Open the CSV
          </a>
        ) : secure ? (
          <button type="button" className="primary" onClick={() => void actions.openResultLocation(location.id)} data-autofocus>
            Open in browser
          </button>
        ) : null}
      </div>
    </Modal>
  );
}
