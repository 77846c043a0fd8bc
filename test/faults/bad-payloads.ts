import { ID_PATTERN } from "../../shared/ids";

export { seededRandom } from "../../electron/dev/seeded-random";

/*
 * Generated bad input: wrong types, huge strings, path tricks, unicode, prototype-pollution
 * keys, nested junk. Deterministic for a seed, so a failure can be replayed.
 */

const NASTY_STRINGS = [
  "",
  " ",
  "../../etc/passwd",
  "..%2F..%2Fetc%2Fpasswd",
  "a:b",
  "export_job:*",
  "team_jobs:t1",
  "\u0000",
  "null",
  "undefined",
  "NaN",
  "💥".repeat(40),
  "é\u0301",
  "\u202Eevil",
  "<script>alert(1)</script>",
  "'; DROP TABLE \"View\"; --",
  "=HYPERLINK(\"http://x\")",
  "x".repeat(65),
  "x".repeat(100_000),
  "__proto__",
  "constructor",
  "t1\nt2",
  "%00",
  "%",
];

export function badValue(random: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  switch (Math.floor(random() * 10)) {
    case 0:
      return pick(NASTY_STRINGS);
    case 1:
      return pick([0, -1, 1.5, Number.MAX_SAFE_INTEGER, 1e308, -0]);
    case 2:
      return pick([true, false, null]);
    case 3:
      return depth > 2 ? [] : Array.from({ length: Math.floor(random() * 4) }, () => badValue(random, depth + 1));
    case 4:
      return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown;
    case 5:
      return depth > 2 ? {} : badObject(random, depth + 1);
    case 6:
      return pick(["PENDING", "DONE", "document", "dataroom-group", "per-view"]);
    case 7:
      return { id: pick(NASTY_STRINGS) };
    case 8:
      return pick(NASTY_STRINGS).slice(0, 70);
    default:
      return undefined;
  }
}

const KEYS = ["id", "type", "teamId", "resourceId", "groupId", "filter", "page", "status", "limit", "offset", "redisUrl", "tinybirdToken", "__proto__", "constructor", "extra"];

export function badObject(random: () => number, depth = 0): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const count = Math.floor(random() * 5);
  for (let i = 0; i < count; i++) {
    Object.defineProperty(object, KEYS[Math.floor(random() * KEYS.length)]!, { value: badValue(random, depth), enumerable: true, configurable: true, writable: true });
  }
  return object;
}

export function badPayload(random: () => number): unknown {
  return random() < 0.6 ? badObject(random) : badValue(random);
}

/** A path segment that is not a valid id (names like "constructor" are valid ids: skipped). */
export function badSegment(random: () => number): string {
  let raw = NASTY_STRINGS[Math.floor(random() * NASTY_STRINGS.length)]!;
  while (ID_PATTERN.test(raw)) raw = NASTY_STRINGS[Math.floor(random() * NASTY_STRINGS.length)]!;
  const segment = raw === "" ? "%20" : raw.length > 200 ? raw.slice(0, 200) : raw;
  // Raw (but URL-legal: fetch would silently drop a raw newline) or fully encoded.
  return random() < 0.5 ? encodeURIComponent(segment) : encodeURI(segment).replace(/\//g, "%2F").replace(/[?#]/g, "%3F");
}
