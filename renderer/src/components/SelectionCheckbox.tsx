import { useEffect, useRef } from "react";

/** A checkbox that can also show "some selected" (indeterminate, which has no HTML attribute). */
export function SelectionCheckbox({ checked, indeterminate = false, label, onChange }: { checked: boolean; indeterminate?: boolean; label: string; onChange: (checked: boolean) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return <input ref={ref} type="checkbox" className="selection-checkbox" checked={checked} aria-label={label} onChange={(event) => onChange(event.target.checked)} onClick={(event) => event.stopPropagation()} />;
}
