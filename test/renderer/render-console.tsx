import { cleanup, render } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { afterEach, vi } from "vitest";
import { App } from "../../renderer/src/components/App";
import { ConsoleContext } from "../../renderer/src/state/console-context";
import { createConsoleModel } from "../../renderer/src/state/console-model";
import type { FakeConsoleApi } from "./fake-console-api";

afterEach(() => cleanup());

/** The whole console over a fake API, polling slowly so tests drive refreshes themselves. */
export function renderConsole(fake: FakeConsoleApi, kind: "ipc" | "http" = "ipc", options: { storage?: Pick<Storage, "getItem" | "setItem"> } = {}) {
  const clipboard = { writeText: vi.fn(async () => {}) };
  const model = createConsoleModel(fake.transport(kind), { pollMs: 60_000, coalesceMs: 0, noticeMs: 0, clipboard, ...options });
  const user = userEvent.setup();
  const view = render(
    <ConsoleContext.Provider value={model}>
      <App />
    </ConsoleContext.Provider>,
  );
  return { ...view, model, user, clipboard };
}
