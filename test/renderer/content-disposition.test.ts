import { describe, expect, it } from "vitest";
import { fileNameFromContentDisposition } from "../../renderer/src/api/content-disposition";

describe("fileNameFromContentDisposition", () => {
  it("reads quoted, bare and RFC 5987 file names", () => {
    expect(fileNameFromContentDisposition('attachment; filename="visits-Pitch_Deck-2026-03-02.csv"')).toBe("visits-Pitch_Deck-2026-03-02.csv");
    expect(fileNameFromContentDisposition("attachment; filename=plain.csv")).toBe("plain.csv");
    expect(fileNameFromContentDisposition("attachment; filename=\"a.csv\"; filename*=UTF-8''caf%C3%A9.csv")).toBe("café.csv");
    expect(fileNameFromContentDisposition("inline")).toBeNull();
    expect(fileNameFromContentDisposition(null)).toBeNull();
  });
});
