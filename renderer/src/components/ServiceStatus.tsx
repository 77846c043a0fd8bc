import type { ConnectionStatus } from "../../../shared/connection-status";
import { useConsoleStore } from "../state/console-context";

const SERVICES: { key: keyof Omit<ConnectionStatus, "demo">; label: string }[] = [
  { key: "redis", label: "Redis" },
  { key: "postgres", label: "Postgres" },
  { key: "tinybird", label: "Tinybird" },
];

/** One dot per service the exports depend on (from getConnectionStatus), plus a demo tag. */
export function ServiceStatus() {
  const status = useConsoleStore((m) => m.connection, (s) => s.status);
  if (!status) return null;
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
    </ul>
  );
}
