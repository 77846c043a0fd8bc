import { createContext, useContext } from "react";
import { useStore, type StoreApi } from "zustand";
import type { ConsoleModel } from "./console-model";

export const ConsoleContext = createContext<ConsoleModel | null>(null);

export function useConsole(): ConsoleModel {
  const model = useContext(ConsoleContext);
  if (!model) throw new Error("useConsole outside <ConsoleContext.Provider>");
  return model;
}

/** Reads one of the console's stores with a selector (re-renders only when the slice changes). */
export function useConsoleStore<S, T>(pick: (model: ConsoleModel) => StoreApi<S>, selector: (state: S) => T): T {
  return useStore(pick(useConsole()), selector);
}
