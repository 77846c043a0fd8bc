import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** The slice of PGlite this server drives: raw wire-protocol messages, under its query lock. */
export interface PGliteWire {
  readonly waitReady: Promise<void>;
  execProtocolRaw(message: Uint8Array): Promise<Uint8Array>;
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export interface PgliteWireServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: what DATABASE_URL takes (PGlite has one database and ignores the names). */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface WireServerOptions {
  /** Absent or 0: a free port. */
  port?: number;
  /** How long a client may hold the database idle inside a transaction before it is rolled back and disconnected. */
  idleInTransactionTimeoutMs?: number;
  /** One line per connection the server closes on its own (and why). */
  log?: (line: string) => void;
}

/** The longest message a client may send (the startup packet included): a longer one is refused before its bytes are kept. */
export const MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;
/**
 * While a client is inside a transaction, every other client and the demo's own queries wait:
 * one left idle there (a psql session after BEGIN) is rolled back and disconnected after this
 * long, as Postgres's idle_in_transaction_session_timeout does.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

// Messages a client may send before its startup message (first 4 bytes: length; next 4: code).
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const PROTOCOL_3 = 196608;
const TERMINATE = 0x58; // 'X'
/** Frontend messages after which the client waits for answers (Sync, simple Query, Flush): a batch ends there. */
const ENDS_BATCH = new Set([0x53 /* Sync */, 0x51 /* simple Query */, 0x48 /* Flush */]);
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'
// SQLSTATEs
const PROTOCOL_VIOLATION = "08P01";
const IDLE_IN_TRANSACTION_TIMEOUT = "25P03";

/**
 * Serves an in-process PGlite over TCP on 127.0.0.1, so `pg` clients in other processes (the
 * CLI, `worker`, `serve`, psql) read the demo's database while the demo itself keeps using it
 * in-process. PGlite is a single session: each client's batch of messages (up to its Sync or
 * simple Query) runs alone under PGlite's query lock, so clients and the demo's own queries
 * never interleave inside one another's statements; a client inside a transaction keeps the
 * lock until the transaction ends (or it disconnects, or idles there for longer than
 * IDLE_IN_TRANSACTION_TIMEOUT_MS: either rolls the transaction back). A malformed or oversized
 * message closes only the connection that sent it.
 * No TLS and no password (PGlite accepts any user): it listens on the loopback only.
 */
export async function servePgliteOverTcp(db: PGliteWire, options: WireServerOptions = {}): Promise<PgliteWireServer> {
  await db.waitReady;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    new WireConnection(db, socket, options.idleInTransactionTimeoutMs ?? IDLE_IN_TRANSACTION_TIMEOUT_MS, options.log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Batch {
  messages: Buffer[];
  /** Called once its answers are written (or the connection is gone). */
  executed(): void;
}

class WireConnection {
  /** Received bytes not parsed yet. */
  private buffer = Buffer.alloc(0);
  /**
   * Chunks received after `buffer`, joined to it only once the message being waited for is
   * whole: a long message comes in many chunks, and joining on each one copies it over and over.
   */
  private pending: Buffer[] = [];
  private buffered = 0;
  /** Bytes `buffer` needs before the next message (or its header) can be read. */
  private needed = 0;
  private started = false;
  /** Complete messages of the batch being collected. */
  private messages: Buffer[] = [];
  /** Batches run one at a time, in arrival order. */
  private work: Promise<void> = Promise.resolve();
  /** While this client holds PGlite's lock between batches: gives it the next batch (null: closed). */
  private handOver: ((batch: Batch | null) => void) | null = null;
  private closed = false;
  /** Who, in log lines (the address is gone once the socket is). */
  private readonly peer: string;

  constructor(
    private readonly db: PGliteWire,
    private readonly socket: Socket,
    private readonly idleInTransactionTimeoutMs: number,
    private readonly log: ((line: string) => void) | undefined,
  ) {
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", () => socket.destroy());
    socket.once("close", () => {
      this.closed = true;
      this.takeHandOver()?.(null);
    });
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.pending.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < this.needed) return;
    this.buffer = Buffer.concat([this.buffer, ...this.pending], this.buffered);
    this.pending = [];
    for (;;) {
      if (!this.started) {
        if (this.buffer.length < 4) return this.waitFor(4);
        const length = this.buffer.readInt32BE(0);
        // Its own length and a code at least; refused before its bytes come when too long.
        if (length < 8 || length > MAX_MESSAGE_LENGTH) return this.refuse(PROTOCOL_VIOLATION, `invalid length of startup packet: ${length}`);
        if (this.buffer.length < length) return this.waitFor(length);
        const message = Buffer.from(this.buffer.subarray(0, length));
        this.buffer = this.buffer.subarray(length);
        const code = message.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write("N"); // no encryption: go on in plain text
          continue;
        }
        if (code !== PROTOCOL_3) {
          // A CancelRequest needs a second session, which PGlite does not have.
          this.socket.destroy();
          return;
        }
        this.started = true;
        this.enqueue([message]);
        continue;
      }
      if (this.buffer.length < 5) return this.waitFor(5);
      // The length counts itself (4 bytes) but not the type byte before it.
      const declared = this.buffer.readInt32BE(1);
      if (declared < 4 || declared > MAX_MESSAGE_LENGTH) return this.refuse(PROTOCOL_VIOLATION, `invalid message length: ${declared}`);
      const length = 1 + declared;
      if (this.buffer.length < length) return this.waitFor(length);
      const message = Buffer.from(this.buffer.subarray(0, length));
      this.buffer = this.buffer.subarray(length);
      if (message[0] === TERMINATE) {
        this.socket.end();
        return;
      }
      this.messages.push(message);
      if (ENDS_BATCH.has(message[0]!)) {
        const messages = this.messages;
        this.messages = [];
        this.enqueue(messages);
      }
    }
  }

  /** Keeps the bytes received so far until `needed` are in. */
  private waitFor(needed: number): void {
    this.needed = needed;
    this.buffered = this.buffer.length;
  }

  /** Answers a FATAL ErrorResponse, closes the connection and gives up its hold on the database (the transaction is rolled back). */
  private refuse(sqlState: string, message: string, why = ""): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer = Buffer.alloc(0);
    this.pending = [];
    this.log?.(`${this.peer}: ${message}${why && ` (${why})`}`);
    this.socket.end(errorResponse(sqlState, message), () => this.socket.destroy());
    this.takeHandOver()?.(null);
  }

  private enqueue(messages: Buffer[]): void {
    this.work = this.work.then(() => new Promise<void>((executed) => this.run({ messages, executed })));
  }

  private takeHandOver(): ((batch: Batch | null) => void) | null {
    const handOver = this.handOver;
    this.handOver = null;
    return handOver;
  }

  private run(batch: Batch): void {
    if (this.closed) return batch.executed();
    const handOver = this.takeHandOver();
    if (handOver) return handOver(batch); // this client holds the lock already
    void this.db.runExclusive(async () => {
      let current: Batch | null = batch;
      let idle = true;
      try {
        while (current) {
          const status = await this.execute(current.messages);
          // No ReadyForQuery yet (a Flush mid-sequence) counts as busy, like a transaction.
          idle = status === IDLE;
          if (idle || this.closed) break;
          const next = new Promise<Batch | null>((resolve) => (this.handOver = resolve));
          current.executed();
          const timeout = setTimeout(
            () =>
              this.refuse(IDLE_IN_TRANSACTION_TIMEOUT, "terminating connection due to idle-in-transaction timeout", `idle for more than ${this.idleInTransactionTimeoutMs} ms while holding the database`),
            this.idleInTransactionTimeoutMs,
          );
          try {
            current = await next;
          } finally {
            clearTimeout(timeout);
          }
        }
        if (!idle) await this.db.execProtocolRaw(simpleQuery("ROLLBACK")); // left inside a transaction
      } catch {
        this.socket.destroy();
      } finally {
        this.handOver = null;
        current?.executed();
      }
    });
  }

  /** Runs one batch and writes its answers; the transaction status of its last ReadyForQuery, or null. */
  private async execute(messages: Buffer[]): Promise<number | null> {
    let status: number | null = null;
    for (const message of messages) {
      const answer = await this.db.execProtocolRaw(message);
      if (answer.length === 0) continue;
      if (!this.closed) this.socket.write(answer);
      status = readyStatus(answer) ?? status;
    }
    return status;
  }
}

/** The transaction status of the last ReadyForQuery in a backend answer, or null when it has none. */
function readyStatus(answer: Uint8Array): number | null {
  const view = Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength);
  let status: number | null = null;
  for (let offset = 0; offset + 5 <= view.length; ) {
    const type = view[offset]!;
    const length = view.readInt32BE(offset + 1);
    if (type === READY_FOR_QUERY && length === 5) status = view[offset + 5]!;
    offset += 1 + length;
  }
  return status;
}

/** A FATAL ErrorResponse: the client reports it and expects the connection to close. */
function errorResponse(sqlState: string, message: string): Buffer {
  const fields = Buffer.from(["SFATAL", "VFATAL", `C${sqlState}`, `M${message}`].map((field) => `${field}\0`).join("") + "\0", "utf8");
  const header = Buffer.alloc(5);
  header[0] = 0x45; // 'E'
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, "utf8");
  const message = Buffer.alloc(5 + text.length);
  message[0] = 0x51;
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
