/**
 * Papermark's web app keeps a finished export's CSV in blob storage and stores its URL as
 * the record's `result`. A result that is a single http(s) URL is therefore where the file
 * is, not the file: a CSV always starts with its header row.
 */
export function resultLocation(result: string): string | null {
  const text = result.trim();
  if (/\s/.test(text)) return null;
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}
