import { useConsole } from "../state/console-context";
import { CopyIcon } from "./CopyIcon";
import { shortId } from "./job-format";

/** An export's id: its first characters, and a button that copies all of it. */
export function ExportIdCell({ id }: { id: string }) {
  const { actions } = useConsole();
  return (
    <span className="id-cell">
      <code title={id}>{shortId(id)}</code>
      <button type="button" className="icon-button" aria-label={`Copy id of export ${id}`} title="Copy the full id" onClick={() => void actions.copyId(id)}>
        <CopyIcon />
      </button>
    </span>
  );
}
