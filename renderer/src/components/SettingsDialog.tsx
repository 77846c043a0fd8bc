import { useConsole, useConsoleStore } from "../state/console-context";
import { Modal } from "./Modal";
import { SettingsForm } from "./SettingsForm";

export function SettingsDialog() {
  const { ui } = useConsole();
  const open = useConsoleStore((m) => m.ui, (s) => s.settingsOpen);
  if (!open) return null;
  const close = () => ui.getState().closeSettings();
  return (
    <Modal title="Settings" onClose={close}>
      <SettingsForm onDone={close} />
    </Modal>
  );
}
