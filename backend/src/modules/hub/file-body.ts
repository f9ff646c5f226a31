import { networkError, openConn, type Conn, type ConnPool, type ReadTarget } from './file-connection.js';

/** Where a body's bytes go: buffers its reader lends, which the socket fills in place (no copy, no allocation). */
export interface BodySink {
  /** Room for the next bytes; never empty. */
  space(): Buffer;
  /** `n` body bytes were put at the start of the last space(). False pauses the body until its resume(). */
  filled(n: number): boolean;
}

export interface FileAnswer {
  status: number;
  /** Lower-case names; repeated fields joined with ", ". */
  headers: Record<string, string>;
  body: FileBody;
}

export interface FileGetOptions {
  pool: ConnPool;
  proxy: URL | null;
  /** Connect, answer and idle-body timeout, each. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A discarded body (a redirect's) is read to its end, to keep the connection, up to this size; past it the connection goes. */
const DRAIN_MAX = 64 * 1024;

type Framing = { kind: 'length'; left: number } | { kind: 'chunked'; chunks: ChunkedDecoder } | { kind: 'close' };

/**
 * One HTTP/1.1 GET, on a pooled keep-alive connection when one is idle (a reused one that turns out closed before
 * any byte of the answer is dropped and the request goes on the next, finally a fresh one). Resolves with the
 * answer's head; the body stays unread until its reader lends it buffers.
 */
export async function fileGet(url: URL, headers: Record<string, string>, opts: FileGetOptions): Promise<FileAnswer> {
  const key = `${opts.proxy?.href ?? ''}|${url.origin}`;
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new TypeError(`invalid header ${name}`);
    lines.push(`${name}: ${value}`);
  }
  const request = `${lines.join('\r\n')}\r\n\r\n`;
  for (;;) {
    const conn = opts.pool.take(key) ?? (await openConn(url, opts.proxy, opts));
    try {
      return await exchange(conn, request, opts, (body) => body.reusable && opts.pool.give(key, conn));
    } catch (err) {
      conn.destroy();
      if (err instanceof StaleConnection) continue;
      throw err;
    }
  }
}

/** A reused connection that ended before answering: the request was never read, so it goes again. */
class StaleConnection extends Error {}

/** Writes the request and parses the answer head (skipping 1xx), reading into the connection's scratch buffer. */
function exchange(conn: Conn, request: string, opts: FileGetOptions, onDone: (body: FileBody) => void): Promise<FileAnswer> {
  return new Promise<FileAnswer>((resolve, reject) => {
    let used = 0;
    let settled = false;
    const settle = (err: Error | null, answer?: FileAnswer) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', abort);
      if (err) reject(err);
      else resolve(answer!);
    };
    const abort = () => settle(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
    const target: ReadTarget = {
      buffer: () => conn.scratch.subarray(used),
      read: (_buf, n) => {
        used += n;
        for (;;) {
          const head = parseHead(conn.scratch.subarray(0, used));
          if (head === null) {
            if (used < conn.scratch.length) return true;
            settle(networkError('EPROTO', 'the answer head is larger than 64 KiB'));
            return false;
          }
          if (head instanceof Error) {
            settle(head);
            return false;
          }
          if (head.status >= 100 && head.status < 200) {
            // An interim answer (103 Early Hints, 100 Continue): the real one follows.
            conn.scratch.copyWithin(0, head.size, used);
            used -= head.size;
            continue;
          }
          const framing = framingOf(head.status, head.headers);
          if (framing instanceof Error) {
            settle(framing);
            return false;
          }
          const rest = Buffer.from(conn.scratch.subarray(head.size, used));
          const keepAlive = head.http11 && !/\bclose\b/i.test(head.headers.connection ?? '');
          const body = new FileBody(conn, framing, rest, keepAlive, opts, onDone);
          settle(null, { status: head.status, headers: head.headers, body });
          // Nothing more is read until the body has a reader (an empty body already gave the connection back).
          return body.reusable;
        }
      },
      closed: (err) => {
        const e = err ?? networkError('ECONNRESET', 'the server closed the connection before answering');
        settle(used === 0 && conn.reused ? new StaleConnection(e.message) : e);
      },
    };
    conn.target = target;
    conn.idleTimeout(opts.timeoutMs);
    if (opts.signal?.aborted) return abort();
    opts.signal?.addEventListener('abort', abort, { once: true });
    conn.write(request);
    conn.resume();
  });
}

interface Head {
  status: number;
  http11: boolean;
  headers: Record<string, string>;
  /** Bytes of the head, blank line included. */
  size: number;
}

function parseHead(buf: Buffer): Head | Error | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) return networkError('EPROTO', `not an HTTP/1.x answer: ${(lines[0] ?? '').slice(0, 80)}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /^[ \t]/.test(line)) return networkError('EPROTO', 'a malformed header line');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(m[2]), http11: m[1] === '1', headers, size: end + 4 };
}

/** How the body ends (RFC 9112 §6.3): none, chunked, a Content-Length, or the connection's close. */
function framingOf(status: number, headers: Record<string, string>): Framing | Error {
  if (status === 204 || status === 304) return { kind: 'length', left: 0 };
  const te = headers['transfer-encoding'];
  if (te !== undefined) return /(?:^|,)\s*chunked\s*$/i.test(te) ? { kind: 'chunked', chunks: new ChunkedDecoder() } : { kind: 'close' };
  const cl = headers['content-length'];
  if (cl === undefined) return { kind: 'close' };
  const values = new Set(cl.split(',').map((v) => v.trim()));
  const only = values.size === 1 ? [...values][0]! : '';
  if (!/^\d+$/.test(only) || !Number.isSafeInteger(Number(only))) return networkError('EPROTO', `invalid Content-Length ${cl}`);
  return { kind: 'length', left: Number(only) };
}

/**
 * An answer's body, read straight into the buffers its reader lends (`pump`): the socket's reads land in them,
 * so a large file crosses into JavaScript without a copy or an allocation per read. Bytes that arrive while the
 * reader is paused (or before it came) wait in the connection's scratch buffer and are copied over on resume.
 * A body read to its end gives its connection back to the pool, when the server keeps it alive.
 */
export class FileBody implements ReadTarget {
  private sink: BodySink | null = null;
  private paused = false;
  private done = false;
  private failure: Error | null = null;
  /** Bytes came past the body's end: the connection is not reused. */
  private extra = false;
  /** The server closed an unsized body while some of it still waits in `pending`. */
  private endAfterPending = false;
  private waiter: { resolve: () => void; reject: (err: Error) => void } | null = null;
  private readonly abort = () => this.fail(this.opts.signal?.reason instanceof Error ? this.opts.signal.reason : new Error('aborted'));

  constructor(
    private readonly conn: Conn,
    private readonly framing: Framing,
    /** Bytes that came with the head. */
    private pending: Buffer | null,
    private readonly keepAlive: boolean,
    private readonly opts: FileGetOptions,
    private readonly onDone: (body: FileBody) => void,
  ) {
    if (pending?.length === 0) this.pending = null;
    conn.target = this;
    conn.idleTimeout(0);
    opts.signal?.addEventListener('abort', this.abort, { once: true });
    if (framing.kind === 'length' && framing.left === 0) {
      this.extra = this.pending !== null;
      this.finish();
    }
  }

  /** The connection can serve another request: the server keeps it, and the body ended exactly where it said. */
  get reusable(): boolean {
    return this.done && this.failure === null && this.keepAlive && !this.extra && this.framing.kind !== 'close';
  }

  /** Reads the whole body into `sink`; resolves at its end, rejects on a network failure, a timeout or abort. */
  pump(sink: BodySink): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve();
    if (this.sink) return Promise.reject(new Error('the body is already being read'));
    this.sink = sink;
    const finished = new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
    this.resume();
    return finished;
  }

  /** Goes on after the sink's filled() answered false. */
  resume(): void {
    if (!this.sink || this.done) return;
    this.paused = false;
    this.drain();
    if (this.paused || this.done) return;
    this.conn.idleTimeout(this.opts.timeoutMs);
    this.conn.resume();
  }

  /** The body as text (error answers), refusing more than `max` bytes. */
  async text(max: number): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    let room = Buffer.allocUnsafe(16 * 1024);
    await this.pump({
      space: () => room,
      filled: (n) => {
        size += n;
        if (size > max) {
          this.fail(new Error(`answer larger than ${max} bytes`));
          return false;
        }
        parts.push(room.subarray(0, n));
        room = room.subarray(n);
        if (room.length === 0) room = Buffer.allocUnsafe(16 * 1024);
        return true;
      },
    });
    return Buffer.concat(parts).toString('utf8');
  }

  /** Reads a small body to its end to keep the connection; anything larger (or unsized) closes it. */
  async dump(): Promise<void> {
    if (this.done) return;
    const left = this.framing.kind === 'length' ? this.framing.left : Infinity;
    if (left > DRAIN_MAX) return this.destroy();
    const bin = Buffer.allocUnsafe(16 * 1024);
    await this.pump({ space: () => bin, filled: () => true }).catch(() => undefined);
  }

  destroy(err?: Error): void {
    this.fail(err ?? networkError('ECONNABORTED', 'the body was not read'));
  }

  buffer(): Buffer {
    if (this.sink && !this.paused && !this.done && this.pending === null) return this.sink.space();
    return this.conn.scratch;
  }

  read(buf: Buffer, n: number): boolean {
    if (buf === this.conn.scratch) {
      const got = Buffer.from(buf.subarray(0, n));
      this.pending = this.pending ? Buffer.concat([this.pending, got]) : got;
      this.drain();
    } else {
      this.landed(buf, n);
    }
    if (this.done) return true; // a pooled connection keeps reading, to notice when the server closes it
    const more = this.sink !== null && !this.paused;
    if (!more) this.conn.idleTimeout(0);
    return more;
  }

  closed(err: Error | null): void {
    if (this.done) return;
    if (err === null && this.framing.kind === 'close') {
      // The end of an unsized body; bytes that came with it are delivered first.
      if (this.pending === null) this.finish();
      else this.endAfterPending = true;
      return;
    }
    this.fail(err ?? networkError('ECONNRESET', 'the connection closed before the body ended'));
  }

  /** Hands bytes that wait in `pending` to the sink, as far as it takes them. */
  private drain(): void {
    while (this.pending !== null && this.sink && !this.paused && !this.done) {
      const room = this.sink.space();
      const n = Math.min(room.length, this.pending.length);
      this.pending.copy(room, 0, 0, n);
      this.pending = n === this.pending.length ? null : this.pending.subarray(n);
      this.landed(room, n);
    }
    if (this.pending === null && this.endAfterPending && !this.done) this.finish();
  }

  /** `n` raw bytes are at the start of `room` (the sink's last space()): unframe them and pass the body bytes on. */
  private landed(room: Buffer, n: number): void {
    const f = this.framing;
    let data = n;
    if (f.kind === 'length') {
      data = Math.min(n, f.left);
      f.left -= data;
      if (n > data) this.extra = true;
    } else if (f.kind === 'chunked') {
      const out = f.chunks.decode(room, n);
      if (out instanceof Error) return this.fail(out);
      data = out;
      if (f.chunks.done && f.chunks.trailing > 0) this.extra = true;
    }
    if (data > 0 && !this.sink!.filled(data)) this.paused = true;
    if ((f.kind === 'length' && f.left === 0) || (f.kind === 'chunked' && f.chunks.done)) this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.release();
    if (this.pending !== null) this.extra = true;
    if (this.reusable) this.onDone(this);
    else this.conn.destroy();
    this.waiter?.resolve();
    this.waiter = null;
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.failure = err;
    this.release();
    this.conn.destroy();
    this.waiter?.reject(err);
    this.waiter = null;
  }

  private release(): void {
    this.opts.signal?.removeEventListener('abort', this.abort);
    if (this.conn.target === this) this.conn.target = null;
  }
}

/** Chunked transfer coding, undone in place: chunk sizes, extensions, CRLFs and trailers are cut from the buffer. */
export class ChunkedDecoder {
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  private left = 0;
  private line = '';
  done = false;
  /** Bytes after the end of the body in the last buffer (none on a well-behaved connection). */
  trailing = 0;

  /** Decodes `buf[0..n)` in place; answers how many body bytes are now at its start. */
  decode(buf: Buffer, n: number): number | Error {
    let w = 0;
    let i = 0;
    while (i < n) {
      if (this.state === 'data') {
        const take = Math.min(this.left, n - i);
        if (w !== i) buf.copyWithin(w, i, i + take);
        w += take;
        i += take;
        this.left -= take;
        if (this.left === 0) this.state = 'data-end';
        continue;
      }
      if (this.state === 'done') {
        this.trailing = n - i;
        break;
      }
      // A line: a chunk size, the CRLF after a chunk's data, or a trailer field.
      const lf = buf.indexOf(0x0a, i);
      const stop = lf < 0 || lf >= n ? n : lf + 1;
      this.line += buf.toString('latin1', i, stop);
      i = stop;
      if (this.line.length > 8192) return networkError('EPROTO', 'a chunk line is too long');
      if (!this.line.endsWith('\n')) continue;
      const text = this.line.replace(/\r?\n$/, '');
      this.line = '';
      if (this.state === 'data-end') {
        if (text !== '') return networkError('EPROTO', 'chunk data does not end with CRLF');
        this.state = 'size';
      } else if (this.state === 'size') {
        const size = /^([0-9a-fA-F]+)(?:[ \t]*;.*)?$/.exec(text)?.[1];
        if (size === undefined || size.length > 12) return networkError('EPROTO', `a bad chunk size "${text.slice(0, 20)}"`);
        this.left = Number.parseInt(size, 16);
        this.state = this.left === 0 ? 'trailer' : 'data';
      } else if (text === '') {
        this.state = 'done';
        this.done = true;
      }
    }
    return w;
  }
}
