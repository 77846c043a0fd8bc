import { DEFAULT_SETTINGS } from "../../../shared/settings";
import { encodeRow, type CellOptions } from "./csv-cell";

export interface CsvOptions extends CellOptions {
  /** Start with a UTF-8 byte order mark so Excel reads the file as UTF-8. */
  bom: boolean;
}

/** Where CSV text goes: a file stream, a Redis APPEND, a string in a test. */
export type CsvSink = (chunk: string) => Promise<void>;

/**
 * Streams rows to a sink in chunks of about `chunkChars` (UTF-16 code units, which is bytes
 * for ASCII and fewer than the UTF-8 bytes otherwise), so memory holds one chunk, never
 * the whole file. Rows are separated by LF with none after the last, byte for byte what
 * Papermark's `rows.join("\n")` produces.
 */
export class CsvWriter {
  private buffer = "";
  private started = false;
  rows = 0;

  constructor(
    private readonly sink: CsvSink,
    private readonly options: CsvOptions = DEFAULT_SETTINGS.csv,
    private readonly chunkChars = 64 * 1024,
  ) {}

  async writeRow(cells: readonly string[]): Promise<void> {
    if (!this.started) {
      this.started = true;
      if (this.options.bom) this.buffer += "\uFEFF";
    } else {
      this.buffer += "\n";
    }
    this.buffer += encodeRow(cells, this.options);
    this.rows += 1;
    if (this.buffer.length >= this.chunkChars) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer === "") return;
    const chunk = this.buffer;
    this.buffer = "";
    await this.sink(chunk);
  }
}

/** A sink that collects everything into a string (tests, small exports). */
export function stringSink(): { sink: CsvSink; text: () => string } {
  const parts: string[] = [];
  return {
    sink: async (chunk) => {
      parts.push(chunk);
    },
    text: () => parts.join(""),
  };
}
