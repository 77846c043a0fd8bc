import { useRef, useState } from "react";
import { useConsole, useConsoleStore } from "../state/console-context";
import { OPTIONAL_COLUMNS } from "../state/column-defaults";

/** Which columns the jobs table shows (remembered on this computer). Escape or a click outside closes it. */
export function ColumnMenu() {
  const { columns } = useConsole();
  const visibility = useConsoleStore((m) => m.columns, (s) => s.visibility);
  const menu = useRef<HTMLDetailsElement>(null);
  // The choices exist only while the menu is open: their labels repeat the filters' words.
  const [open, setOpen] = useState(false);
  const close = () => setOpen(false);
  return (
    <details
      ref={menu}
      className="column-menu"
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) {
          event.stopPropagation();
          close();
          menu.current?.querySelector("summary")?.focus();
        }
      }}
      onBlur={(event) => {
        if (!menu.current?.contains(event.relatedTarget as Node | null)) close();
      }}
    >
      <summary>Columns</summary>
      {open && (
      <fieldset className="column-menu-list">
        <legend>Shown columns</legend>
        {OPTIONAL_COLUMNS.map(([id, label]) => (
          // Not a <label>: "Status" and "Type" already label the toolbar's filters.
          <div key={id} className="column-choice">
            <input type="checkbox" aria-label={`Show the ${label} column`} checked={visibility[id] !== false} onChange={(event) => columns.getState().setVisible(id, event.target.checked)} />
            <span aria-hidden="true" onClick={() => columns.getState().setVisible(id, visibility[id] === false)}>
              {label}
            </span>
          </div>
        ))}
        <button type="button" onClick={() => columns.getState().reset()}>
          Default columns
        </button>
      </fieldset>
      )}
    </details>
  );
}
