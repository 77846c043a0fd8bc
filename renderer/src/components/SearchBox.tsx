import { useEffect, useState } from "react";
import { useConsole, useConsoleStore } from "../state/console-context";

export const SEARCH_DEBOUNCE_MS = 300;

/** Text search over job ids, resource names and resource or group ids, sent to the server after a short pause in typing. */
export function SearchBox() {
  const { filters } = useConsole();
  const search = useConsoleStore((m) => m.filters, (s) => s.search);
  const [text, setText] = useState(search);
  // The store's search changed elsewhere (cleared filters): show it. Adjusted during render, as React advises.
  const [shown, setShown] = useState(search);
  if (search !== shown) {
    setShown(search);
    setText(search);
  }
  useEffect(() => {
    if (text === filters.getState().search) return;
    const timer = setTimeout(() => filters.getState().setSearch(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, filters]);

  return (
    <input
      type="search"
      className="search-box"
      placeholder="Search id, resource name or id"
      aria-label="Search exports by id, resource name or resource id"
      value={text}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === "Enter") filters.getState().setSearch(text);
      }}
    />
  );
}
