import { describe, expect, it } from "vitest";
import { SseParser } from "../../renderer/src/api/sse-parser";
import { fileNameFromContentDisposition } from "../../renderer/src/api/content-disposition";

describe("SseParser", () => {
  it("returns the data of complete events, across chunk boundaries, ignoring comments", () => {
    const parser = new SseParser();
    expect(parser.push(": connected\n\nda")).toEqual([]);
    expect(parser.push('ta: {"a":1}\n')).toEqual([]);
    expect(parser.push("\ndata: two\r\ndata: lines\r\n\r\n: ping\n\n")).toEqual(['{"a":1}', "two\nlines"]);
    expect(parser.push("data:no-space\n\n")).toEqual(["no-space"]);
  });
});

describe("fileNameFromContentDisposition", () => {
  it("reads quoted, bare and RFC 5987 file names", () => {
    expect(fileNameFromContentDisposition('attachment; filename="visits-Pitch_Deck-2026-03-02.csv"')).toBe("visits-Pitch_Deck-2026-03-02.csv");
    expect(fileNameFromContentDisposition("attachment; filename=plain.csv")).toBe("plain.csv");
    expect(fileNameFromContentDisposition("attachment; filename=\"a.csv\"; filename*=UTF-8''caf%C3%A9.csv")).toBe("café.csv");
    expect(fileNameFromContentDisposition("inline")).toBeNull();
    expect(fileNameFromContentDisposition(null)).toBeNull();
  });
});
