import { useConsole, useConsoleStore } from "../state/console-context";

/** Short messages about what an action did, announced politely to screen readers. */
export function Notices() {
  const { ui } = useConsole();
  const notices = useConsoleStore((m) => m.ui, (s) => s.notices);
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice-${notice.tone}`}>
          <span>{notice.text}</span>
          <button type="button" className="close-button" aria-label="Dismiss" onClick={() => ui.getState().dismiss(notice.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
