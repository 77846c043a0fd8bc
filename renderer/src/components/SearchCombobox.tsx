import { useEffect, useRef, useState, type InputHTMLAttributes, type KeyboardEvent } from "react";
import { toApiError } from "../api/api-error";

export interface SearchOption {
  id: string;
  name: string;
  /** Shown beside the name, e.g. "12 views". */
  detail?: string;
}

/** Wait after the last keystroke before searching. */
const SEARCH_DELAY_MS = 250;

/**
 * A text input that suggests matches while typing (an ARIA combobox): whatever is typed is
 * the value, so pasting an id works without the list; picking a match puts its id in.
 */
export function SearchCombobox({
  value,
  onChange,
  search,
  listLabel,
  inputProps,
}: {
  value: string;
  onChange: (value: string) => void;
  /** Matches for the text, or null when there is nothing to search yet. */
  search: ((text: string) => Promise<SearchOption[]>) | null;
  listLabel: string;
  inputProps: InputHTMLAttributes<HTMLInputElement> & { id: string; "data-autofocus"?: boolean };
}) {
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<SearchOption[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [active, setActive] = useState(-1);
  const latest = useRef(0);
  const listId = `${inputProps.id}-matches`;

  useEffect(() => {
    if (!open || !search) return;
    const request = ++latest.current;
    const timer = setTimeout(() => {
      search(value.trim()).then(
        (found) => {
          if (request !== latest.current) return; // an older answer
          setOptions(found);
          setMessage(found.length === 0 ? "No matches" : null);
          setActive(-1);
        },
        (error: unknown) => {
          if (request !== latest.current) return;
          setOptions([]);
          setMessage(`Search failed: ${toApiError(error).message}`);
        },
      );
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [open, search, value]);

  const pick = (option: SearchOption) => {
    onChange(option.id);
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setOpen(true);
      if (options.length) setActive((index) => (event.key === "ArrowDown" ? (index + 1) % options.length : (index - 1 + options.length) % options.length));
    } else if (event.key === "Enter" && open && active >= 0 && options[active]) {
      event.preventDefault(); // picks the match instead of submitting the form
      pick(options[active]!);
    } else if (event.key === "Escape" && showList) {
      event.stopPropagation(); // closes the list, not the dialog
      setOpen(false);
    }
  };

  const showList = open && search !== null && (options.length > 0 || message !== null);
  return (
    <div className="combobox">
      <input
        {...inputProps}
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
        autoComplete="off"
        value={value}
        onChange={(event) => {
          onChange(event.target.value);
          setOpen(true);
        }}
        // Opened by typing, arrows or a click, not by focus: a failed check focuses the first bad
        // field, and Escape must then still reach the dialog.
        onClick={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <ul id={listId} role="listbox" aria-label={listLabel} className="combobox-list" hidden={!showList}>
        {options.map((option, index) => (
          <li
            key={option.id}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? "active" : undefined}
            // Keeps the focus in the input, so blur does not close the list before the click.
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => pick(option)}
          >
            <span className="combobox-name">{option.name}</span>
            <code className="combobox-id">{option.id}</code>
            {option.detail && <span className="combobox-detail">{option.detail}</span>}
          </li>
        ))}
        {message && (
          <li role="presentation" className="combobox-message">
            {message}
          </li>
        )}
      </ul>
    </div>
  );
}
