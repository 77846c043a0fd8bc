import { useConsole, useConsoleStore } from "../state/console-context";
import { Modal } from "./Modal";
import { NewExportForm } from "./NewExportForm";

export function NewExportDialog() {
  const { ui, actions } = useConsole();
  const open = useConsoleStore((m) => m.ui, (s) => s.newExportOpen);
  if (!open) return null;
  const close = () => ui.getState().closeNewExport();
  return (
    <Modal title="New export" onClose={close}>
      <NewExportForm
        onCancel={close}
        onCreated={(job) => {
          close();
          actions.openDetail(job.id);
        }}
      />
    </Modal>
  );
}
