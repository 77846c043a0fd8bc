// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../../renderer/src/api/api-error";
import type { BrowserEnvironment } from "../../renderer/src/api/choose-transport";
import { ConsoleRoot } from "../../renderer/src/components/ConsoleRoot";
import { FakeConsoleApi, makeJob } from "./fake-console-api";

afterEach(() => cleanup());

const env: BrowserEnvironment = {
  bridge: undefined,
  location: { hash: "", pathname: "/", search: "", origin: "http://127.0.0.1:1" },
  history: { replaceState: () => {} },
  storage: { getItem: () => null, setItem: () => {}, removeItem: () => {} },
};

describe("ConsoleRoot", () => {
  it("asks for a token in browser mode when none was given", () => {
    render(<ConsoleRoot env={env} initialTransport={null} />);
    expect(screen.getByLabelText("API token")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Connect" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("goes back to the token form when the server refuses the token", async () => {
    const fake = new FakeConsoleApi([]);
    fake.api.listTeams = async () => {
      throw new ApiError("UNAUTHORIZED", "a valid bearer token is required");
    };
    let signedOut = false;
    render(<ConsoleRoot env={env} initialTransport={{ ...fake.transport("http"), signOut: () => void (signedOut = true) }} />);
    expect((await screen.findByRole("alert")).textContent).toBe("The server did not accept that token.");
    expect(signedOut).toBe(true);
  });

  it("opens the console when the token is accepted", async () => {
    const job = makeJob({ resourceName: "Accepted" });
    render(<ConsoleRoot env={env} initialTransport={new FakeConsoleApi([job]).transport("http")} modelOptions={{ pollMs: 60_000 }} />);
    expect(await screen.findByText("Accepted")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Sign out" })).toBeTruthy();
  });
});
