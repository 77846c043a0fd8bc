import { useId, useState, type FormEvent } from "react";

/** Browser mode without a token: asks for the server's API token. */
export function TokenForm({ error, onSubmit }: { error?: string | null; onSubmit: (token: string) => void }) {
  const [token, setToken] = useState("");
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) onSubmit(token.trim());
  };
  return (
    <main className="token-page">
      <form className="token-form" onSubmit={submit}>
        <h1>Visits Export Console</h1>
        <p>This console talks to the export server. Enter the API token you were given.</p>
        <label htmlFor={id}>API token</label>
        <input id={id} type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} autoFocus />
        {error && (
          <p id={`${id}-error`} className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={!token.trim()}>
          Connect
        </button>
      </form>
    </main>
  );
}
