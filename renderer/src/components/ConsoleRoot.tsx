import { useEffect, useMemo, useRef, useState } from "react";
import { toApiError } from "../api/api-error";
import { browserTransport, takeTokenFromFragment, type BrowserEnvironment } from "../api/choose-transport";
import type { ConsoleTransport } from "../api/console-transport";
import { ConsoleContext } from "../state/console-context";
import { createConsoleModel, type ConsoleModelOptions } from "../state/console-model";
import { App } from "./App";
import { TokenForm } from "./TokenForm";

/**
 * Picks what to show: the console over the chosen transport, or (browser mode without a
 * usable token) the token form. A token the server refuses sends the user back to the form.
 */
export function ConsoleRoot({
  env,
  initialTransport,
  modelOptions,
  transportForToken = (token) => browserTransport(env, token),
}: {
  env: BrowserEnvironment;
  initialTransport: ConsoleTransport | null;
  modelOptions?: ConsoleModelOptions;
  /** Browser mode: the transport a token gives (tests pass a fake). */
  transportForToken?: (token: string) => ConsoleTransport;
}) {
  const [transport, setTransport] = useState(initialTransport);
  const [checked, setChecked] = useState(initialTransport?.kind !== "http");
  const [tokenError, setTokenError] = useState<string | null>(null);
  const model = useMemo(() => (transport ? createConsoleModel(transport, modelOptions) : null), [transport, modelOptions]);
  const signIn = (token: string) => {
    setTokenError(null);
    setChecked(false);
    setTransport(transportForToken(token));
  };
  const latestSignIn = useRef(signIn);
  useEffect(() => {
    latestSignIn.current = signIn;
  });

  // A console URL pasted into this tab (`#token=…`) signs in with its token, no reload needed.
  useEffect(() => {
    if (env.bridge || !env.onAddressChange) return;
    return env.onAddressChange(() => {
      const token = takeTokenFromFragment(env);
      if (token) latestSignIn.current(token);
    });
  }, [env]);

  useEffect(() => {
    if (!transport || checked) return;
    let current = true;
    transport.api.listTeams({}).then(
      () => current && setChecked(true),
      (error: unknown) => {
        if (!current) return;
        if (toApiError(error).code === "UNAUTHORIZED") {
          transport.signOut?.();
          setTokenError("The server did not accept that token.");
          setTransport(null);
        } else {
          setChecked(true); // unreachable or failing: the console shows why and keeps trying
        }
      },
    );
    return () => {
      current = false;
    };
  }, [transport, checked]);

  const signOut = () => {
    transport?.signOut?.();
    setTokenError(null);
    setTransport(null);
  };

  if (!transport || !model) {
    return (
      <TokenForm
        error={tokenError}
        onSubmit={signIn}
      />
    );
  }
  if (!checked) {
    return (
      <p className="table-message" role="status">
        Connecting…
      </p>
    );
  }
  return (
    <ConsoleContext.Provider value={model}>
      <App onSignOut={transport.signOut ? signOut : undefined} />
    </ConsoleContext.Provider>
  );
}
