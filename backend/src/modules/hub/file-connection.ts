import net from 'node:net';
import tls from 'node:tls';

/** Bytes read before a body has somewhere to go: an answer's head, or what arrives while the body is paused. */
const SCRATCH_BYTES = 64 * 1024;
/** Idle connections kept per origin (and route); more are closed. */
const MAX_IDLE_PER_KEY = 8;

/** Who a connection's reads are handed to: the answer being parsed, then its body. */
export interface ReadTarget {
  /** Where the next read goes; asked after every read. */
  buffer(): Buffer;
  /** `n` bytes were read into `buf` (the last buffer() answer). False stops reading until resume(). */
  read(buf: Buffer, n: number): boolean;
  /** The peer ended (null) or the connection failed or closed. */
  closed(err: Error | null): void;
}

export function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * A TCP or TLS connection read with `onread`: the kernel copies into a buffer its target lends (a body's slab)
 * instead of into a fresh allocation per read, so a large body costs no per-chunk garbage. Reads are handed to
 * whichever target holds the connection; an idle one (in the pool) treats any byte as the end of it. TLS inside
 * a proxy tunnel cannot take `onread` (Node ignores it when TLS wraps a socket): its chunks are copied into the
 * target's buffers instead.
 */
export class Conn {
  readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  target: ReadTarget | null = null;
  /** Taken from the pool: it may have been closed by the server meanwhile. */
  reused = false;
  private sock: net.Socket | null = null;
  private timeoutMs = 0;

  /** The `onread` option of the socket this connection reads. */
  onread() {
    return {
      buffer: () => this.target?.buffer() ?? this.scratch,
      callback: (n: number, buf: Buffer): boolean => {
        if (this.target) return this.target.read(buf, n);
        this.destroy();
        return false;
      },
    };
  }

  attach(sock: net.Socket, copied = false): void {
    this.sock = sock;
    if (copied) sock.on('data', (chunk: Buffer) => this.copyIn(chunk));
    const closed = (err: Error | null) => {
      const t = this.target;
      this.target = null;
      t?.closed(err);
    };
    sock.on('error', (err) => closed(err));
    sock.on('end', () => closed(null));
    sock.on('close', () => closed(networkError('ECONNRESET', 'the connection closed')));
    sock.on('timeout', () => {
      const ms = this.timeoutMs;
      sock.destroy(networkError('ETIMEDOUT', `no data from ${sock.remoteAddress ?? 'the server'} in ${ms} ms`));
    });
  }

  /** Hands a chunk of a socket read without `onread` to the target, through its buffers, pausing when it asks. */
  private copyIn(chunk: Buffer): void {
    let more = true;
    for (let at = 0; at < chunk.length; ) {
      const t = this.target;
      if (!t) {
        this.destroy();
        return;
      }
      const room = t.buffer();
      const n = Math.min(room.length, chunk.length - at);
      chunk.copy(room, 0, at, at + n);
      at += n;
      // Bytes past a pause still go in: a paused target keeps them for later.
      more = t.read(room, n) && more;
    }
    if (!more) this.sock?.pause();
  }

  get socket(): net.Socket {
    if (!this.sock) throw new Error('not connected');
    return this.sock;
  }

  get alive(): boolean {
    return this.sock !== null && !this.sock.destroyed && this.sock.writable && this.sock.readable;
  }

  /** Fails the connection when it sees no byte for `ms` (0: never, while a paused body waits for its reader). */
  idleTimeout(ms: number): void {
    this.timeoutMs = ms;
    this.sock?.setTimeout(ms);
  }

  pause(): void {
    this.sock?.pause();
  }

  resume(): void {
    this.sock?.resume();
  }

  write(data: string): void {
    this.socket.write(data);
  }

  destroy(err?: Error): void {
    this.sock?.destroy(err);
  }
}

/** Idle keep-alive connections by route (`proxy|origin`), so a file's redirect, its pieces and the next file reuse them. */
export class ConnPool {
  private readonly idle = new Map<string, Conn[]>();

  constructor(private readonly keepAliveMs: number) {}

  private readonly leave = new Map<Conn, () => void>();

  take(key: string): Conn | null {
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const conn = list.pop()!;
      const leave = this.leave.get(conn);
      this.leave.delete(conn);
      if (leave) conn.socket.off('close', leave);
      if (conn.alive) {
        conn.reused = true;
        conn.socket.ref();
        return conn;
      }
    }
    return null;
  }

  give(key: string, conn: Conn): void {
    const list = this.idle.get(key) ?? [];
    if (!conn.alive || list.length >= MAX_IDLE_PER_KEY) {
      conn.destroy();
      return;
    }
    conn.target = null;
    conn.idleTimeout(this.keepAliveMs);
    list.push(conn);
    this.idle.set(key, list);
    // A closed idle connection leaves the pool at once; an idle one does not keep the process alive.
    const leave = () => {
      this.leave.delete(conn);
      const at = list.indexOf(conn);
      if (at >= 0) list.splice(at, 1);
    };
    this.leave.set(conn, leave);
    conn.socket.once('close', leave);
    conn.socket.unref();
    conn.resume();
  }

  close(): void {
    for (const list of this.idle.values()) for (const conn of list) conn.destroy();
    this.idle.clear();
  }
}

interface OpenOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Opens a connection to `target`'s origin: directly, or through `proxy` with a CONNECT tunnel (as undici's
 * ProxyAgent does, for http targets too), with TLS to https targets (and to an https proxy).
 */
export async function openConn(target: URL, proxy: URL | null, opts: OpenOptions): Promise<Conn> {
  if (proxy && proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw networkError('EPROTO', `file transfers go through http(s) proxies only, not ${proxy.protocol}`);
  }
  const conn = new Conn();
  const hop = proxy ?? target;
  const first = await connect(conn, hop, opts);
  if (!proxy) return conn;
  try {
    await tunnel(conn, target, proxy, opts);
  } catch (err) {
    conn.destroy();
    throw err;
  }
  if (target.protocol !== 'https:') return conn;
  // TLS to the target inside the tunnel: TLS reads the tunnel's socket from here on, and closes with it.
  conn.idleTimeout(0);
  const inner = new Conn();
  await connect(inner, target, opts, first).catch((err: unknown) => {
    first.destroy();
    throw err;
  });
  inner.socket.once('close', () => first.destroy());
  return inner;
}

function defaultPort(u: URL): number {
  return Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
}

/** One TCP (or TLS) connection, or TLS over `over`; resolves once it is ready to write. */
function connect(conn: Conn, to: URL, opts: OpenOptions, over?: net.Socket): Promise<net.Socket> {
  const host = to.hostname.replace(/^\[|\]$/g, '');
  const port = defaultPort(to);
  const onread = conn.onread();
  const secure = to.protocol === 'https:';
  // TLS sockets take `onread` too (they are net.Sockets); @types/node lists it for net only.
  const tlsOptions: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
    ...(over ? { socket: over } : { host, port }),
    ...(net.isIP(host) ? {} : { servername: host }),
    ALPNProtocols: ['http/1.1'],
    onread,
  };
  const sock = secure ? tls.connect(tlsOptions) : net.connect({ host, port, onread });
  conn.attach(sock, over !== undefined);
  conn.idleTimeout(opts.timeoutMs);
  return new Promise<net.Socket>((resolve, reject) => {
    const done = (err: Error | null) => {
      sock.off(secure ? 'secureConnect' : 'connect', ok);
      sock.off('error', done);
      sock.off('close', closed);
      opts.signal?.removeEventListener('abort', abort);
      if (err) {
        sock.destroy();
        reject(err);
      } else resolve(sock);
    };
    const ok = () => done(null);
    const closed = () => done(networkError('ECONNRESET', `the connection to ${to.host} closed while opening`));
    const abort = () => done(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
    sock.once(secure ? 'secureConnect' : 'connect', ok);
    sock.once('error', done);
    sock.once('close', closed);
    if (opts.signal?.aborted) abort();
    else opts.signal?.addEventListener('abort', abort, { once: true });
  });
}

/** Asks the proxy for a tunnel to `target` and reads its answer head (nothing may follow it before we speak). */
function tunnel(conn: Conn, target: URL, proxy: URL, opts: OpenOptions): Promise<void> {
  const authority = `${target.hostname}:${defaultPort(target)}`;
  let auth = '';
  if (proxy.username || proxy.password) {
    auth = `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}\r\n`;
  }
  return new Promise<void>((resolve, reject) => {
    let used = 0;
    const finish = (err: Error | null) => {
      conn.target = null;
      opts.signal?.removeEventListener('abort', abort);
      if (err) reject(err);
      else resolve();
    };
    const abort = () => {
      conn.destroy();
      finish(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
    };
    conn.target = {
      buffer: () => conn.scratch.subarray(used),
      read: (_buf, n) => {
        used += n;
        const head = conn.scratch.subarray(0, used);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (used < conn.scratch.length) return true;
          finish(networkError('EPROTO', `the proxy ${proxy.host} sent an oversized answer to CONNECT`));
          return false;
        }
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (status < 200 || status > 299) finish(networkError('ECONNREFUSED', `the proxy ${proxy.host} answered ${status || 'garbage'} to CONNECT ${authority}`));
        else if (end + 4 !== used) finish(networkError('EPROTO', `the proxy ${proxy.host} sent bytes before the tunnel was used`));
        else finish(null);
        return false;
      },
      closed: (err) => finish(err ?? networkError('ECONNRESET', `the proxy ${proxy.host} closed the tunnel`)),
    };
    if (opts.signal?.aborted) return abort();
    opts.signal?.addEventListener('abort', abort, { once: true });
    conn.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
  });
}
