import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { browserEnvironment, chooseTransport } from "./api/choose-transport";
import { ConsoleRoot } from "./components/ConsoleRoot";
import type { ConsoleModelOptions } from "./state/console-model";
import "./styles/app.css";

const env = browserEnvironment();
const modelOptions: ConsoleModelOptions = {
  storage: window.localStorage,
  clipboard: navigator.clipboard,
  systemTheme: window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light",
};

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <ConsoleRoot env={env} initialTransport={chooseTransport(env)} modelOptions={modelOptions} />
  </StrictMode>,
);
