import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiTokens } from "../../../shared/settings";

export interface Caller {
  userId: string;
  teams: readonly string[];
}

const digest = (token: string) => createHash("sha256").update(token).digest();

/**
 * Bearer tokens -> callers. Tokens are compared as SHA-256 digests in constant time, so
 * neither their length nor a prefix leaks through timing.
 */
export class ApiAuth {
  private readonly entries: { digest: Buffer; caller: Caller }[];

  constructor(tokens: ApiTokens) {
    this.entries = Object.entries(tokens).map(([token, caller]) => ({ digest: digest(token), caller }));
  }

  callerFor(authorization: string | undefined): Caller | null {
    const match = /^Bearer ([^\s]+)$/.exec(authorization ?? "");
    if (!match) return null;
    const presented = digest(match[1]!);
    let found: Caller | null = null;
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, presented)) found = entry.caller;
    return found;
  }
}
