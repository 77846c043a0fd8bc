// @vitest-environment jsdom
import { act, cleanup, render, screen } from "@testing-library/react";
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

  it("signs in with a console URL pasted into the open tab (the fragment's token), without a reload", async () => {
    let onChange: (() => void) | null = null;
    const stored = new Map<string, string>();
    const replaced: string[] = [];
    const location = { hash: "", pathname: "/", search: "", origin: "http://127.0.0.1:1" };
    const pastedEnv: BrowserEnvironment = {
      bridge: undefined,
      location,
      history: { replaceState: (_data, _unused, url) => void replaced.push(String(url)) },
      storage: { getItem: (key) => stored.get(key) ?? null, setItem: (key, value) => void stored.set(key, value), removeItem: (key) => void stored.delete(key) },
      onAddressChange: (listener) => {
        onChange = listener;
        return () => {
          onChange = null;
        };
      },
    };
    const oldTeam = new FakeConsoleApi([makeJob({ resourceName: "Old token's job" })]);
    const newTeam = new FakeConsoleApi([makeJob({ resourceName: "New token's job", teamId: "t9" })]);
    newTeam.teams = ["t9"];
    const tokens: string[] = [];
    render(
      <ConsoleRoot
        env={pastedEnv}
        initialTransport={oldTeam.transport("http")}
        modelOptions={{ pollMs: 60_000 }}
        transportForToken={(token) => {
          tokens.push(token);
          return newTeam.transport("http");
        }}
      />,
    );
    expect(await screen.findByText("Old token's job")).toBeTruthy();
    expect(onChange).not.toBeNull();

    location.hash = "#token=fresh-demo-token-123";
    act(() => onChange!());
    expect(await screen.findByText("New token's job")).toBeTruthy();
    expect(screen.queryByText("Old token's job")).toBeNull();
    expect(tokens).toEqual(["fresh-demo-token-123"]);
    expect(stored.get("exportConsole.token")).toBe("fresh-demo-token-123");
    expect(replaced).toEqual(["/"]); // the token left the address bar

    // An address change without a token (another fragment) changes nothing.
    location.hash = "#something-else";
    act(() => onChange!());
    expect(tokens).toEqual(["fresh-demo-token-123"]);
  });

  it("signs in from the token form too when a URL with a token is pasted", async () => {
    let onChange: (() => void) | null = null;
    const location = { hash: "", pathname: "/", search: "", origin: "http://127.0.0.1:1" };
    const pastedEnv: BrowserEnvironment = { ...env, location, onAddressChange: (listener) => ((onChange = listener), () => (onChange = null)) };
    const fake = new FakeConsoleApi([makeJob({ resourceName: "After pasting" })]);
    render(<ConsoleRoot env={pastedEnv} initialTransport={null} modelOptions={{ pollMs: 60_000 }} transportForToken={() => fake.transport("http")} />);
    expect(screen.getByLabelText("API token")).toBeTruthy();
    location.hash = "#token=pasted-token-0123456789";
    act(() => onChange!());
    expect(await screen.findByText("After pasting")).toBeTruthy();
  });
});
