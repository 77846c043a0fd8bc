import type { ConnectionStatus, TinybirdCircuit } from "../../../shared/connection-status";
import { useConsoleStore } from "../state/console-context";

const SERVICES: { key: "redis" | "postgres" | "tinybird"; label: string }[] = [
  { key: "redis", label: "Redis" },
  { key: "postgres", label: "Postgres" },
  { key: "tinybird", label: "Tinybird" },
];

/** What the Tinybird circuit breaker says, when it is not closed. */
function circuitText(circuit: TinybirdCircuit | undefined): { label: string; title: string } | null {
  if (!circuit || circuit.state === "closed") return null;
  const retryAt = circuit.retryAt ? new Date(circuit.retryAt).toLocaleTimeString() : "soon";
  const label = circuit.state === "open" ? `Tinybird paused until ${retryAt}` : "Tinybird: trying one request";
  const title = `${circuit.consecutiveFailures} failed requests in a row; exports fail fast until Tinybird answers again.${circuit.lastError ? ` Last error: ${circuit.lastError}` : ""}`;
  return { label, title };
}

/** One dot per service the exports depend on (from getConnectionStatus), the Tinybird circuit breaker, plus a demo tag. */
export function ServiceStatus() {
  const status: ConnectionStatus | null = useConsoleStore((m) => m.connection, (s) => s.status);
  if (!status) return null;
  const circuit = circuitText(status.tinybirdCircuit);
  return (
    <ul className="service-status" aria-label="Services">
      {status.demo && <li className="demo-tag">Demo data</li>}
      {SERVICES.map(({ key, label }) => (
        <li key={key} className={status[key].ok ? "is-ok" : "is-down"} title={status[key].message ?? (status[key].ok ? "reachable" : "unreachable")}>
          <span className="dot" aria-hidden="true" />
          {label}
          <span className="visually-hidden">{status[key].ok ? " reachable" : " unreachable"}</span>
        </li>
      ))}
      {status.tinybirdCallsToday && (
        <li className="tinybird-calls" title={`Tinybird calls sent by every runner on this Redis on ${status.tinybirdCallsToday.day} (UTC)`}>
          {/* The service's name goes on a narrow screen (the dot beside says Tinybird). */}
          <span>
            {status.tinybirdCallsToday.calls.toLocaleString("en-US")} <span className="wide-only">Tinybird </span>calls today
          </span>
        </li>
      )}
      {circuit && (
        <li className="is-down circuit-open" title={circuit.title}>
          <span className="dot" aria-hidden="true" />
          {circuit.label}
        </li>
      )}
    </ul>
  );
}
