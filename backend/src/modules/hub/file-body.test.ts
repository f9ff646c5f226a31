import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File, startFixtureMirror, type MirrorFixture } from '../../../test/hub-fixture.js';
import { ChunkedDecoder, fileGet, type BodySink, type FileGetOptions } from './file-body.js';
import { ConnPool } from './file-connection.js';
import { HubClient } from './hub.client.js';
import { PartWriter } from './part-writer.js';
import { proxyFor } from './proxy-route.js';

const BODY = randomBytes(1024 * 1024 + 17);

/** Collects a body through small lent buffers, pausing every third fill and resuming on the next tick. */
function collector(room = 4099): { sink: BodySink; bytes: () => Buffer; resumeWith: (r: () => void) => void } {
  const parts: Buffer[] = [];
  let fills = 0;
  let last = Buffer.alloc(0);
  let resume: () => void = () => undefined;
  const sink: BodySink = {
    space: () => (last = Buffer.alloc(room)),
    filled: (n) => {
      parts.push(Buffer.from(last.subarray(0, n)));
      fills += 1;
      if (fills % 3 !== 0) return true;
      setImmediate(() => resume());
      return false;
    },
  };
  return { sink, bytes: () => Buffer.concat(parts), resumeWith: (r) => (resume = r) };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

function close(server: net.Server & { closeAllConnections?: () => void }): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((r) => server.close(() => r()));
}

/** A server speaking raw bytes: each request is answered by `answer`, which writes whatever it likes. */
async function rawServer(answer: (sock: net.Socket, request: string) => void): Promise<{ port: number; connections: () => number; server: net.Server }> {
  let connections = 0;
  const server = net.createServer((sock) => {
    connections += 1;
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const req = buf.slice(0, end);
        buf = buf.slice(end + 4);
        answer(sock, req);
      }
    });
    sock.on('error', () => undefined);
  });
  return { port: await listen(server), connections: () => connections, server };
}

function chunked(data: Buffer, sizes: number[]): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  let i = 0;
  while (at < data.length) {
    const n = Math.min(sizes[i++ % sizes.length]!, data.length - at);
    out.push(Buffer.from(`${n.toString(16)}${i % 2 ? ';ext=1' : ''}\r\n`), data.subarray(at, at + n), Buffer.from('\r\n'));
    at += n;
  }
  out.push(Buffer.from('0\r\nX-Trailer: yes\r\n\r\n'));
  return Buffer.concat(out);
}

const options = (pool: ConnPool, extra: Partial<FileGetOptions> = {}): FileGetOptions => ({ pool, proxy: null, timeoutMs: 5000, ...extra });

describe('file bodies over keep-alive connections', () => {
  let server: http.Server;
  let port: number;
  let connections = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/empty') return void res.writeHead(204).end();
      res.writeHead(200, { 'Content-Length': BODY.length }).end(BODY);
    });
    server.on('connection', () => (connections += 1));
    port = await listen(server);
  });
  afterAll(() => close(server));

  it('reads a sized body into lent buffers across pauses, then reuses the connection', async () => {
    const pool = new ConnPool(4000);
    const url = new URL(`http://127.0.0.1:${port}/a`);
    for (let i = 0; i < 2; i += 1) {
      const answer = await fileGet(url, {}, options(pool));
      expect([answer.status, answer.headers['content-length']]).toEqual([200, String(BODY.length)]);
      const c = collector();
      c.resumeWith(() => answer.body.resume());
      await answer.body.pump(c.sink);
      expect(c.bytes().equals(BODY)).toBe(true);
    }
    const empty = await fileGet(new URL(`http://127.0.0.1:${port}/empty`), {}, options(pool));
    expect(empty.status).toBe(204);
    expect(await empty.body.text(10)).toBe('');
    expect(connections).toBe(1);
    pool.close();
  });

  it('goes again on a fresh connection when a reused one is dropped before it answers', async () => {
    // Each connection answers one request and drops the next unanswered, as a server closing an idle one does.
    const served = new WeakMap<net.Socket, number>();
    const raw = await rawServer((sock) => {
      const n = (served.get(sock) ?? 0) + 1;
      served.set(sock, n);
      if (n > 1) return void sock.destroy();
      sock.write(`HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello`);
    });
    const pool = new ConnPool(4000);
    const url = new URL(`http://127.0.0.1:${raw.port}/b`);
    for (let i = 0; i < 3; i += 1) expect(await (await fileGet(url, {}, options(pool))).body.text(10)).toBe('hello');
    expect(raw.connections()).toBe(3);
    pool.close();
    await close(raw.server);
  });
});

describe('framing', () => {
  it('undoes chunked coding in place, whatever the read boundaries', () => {
    const data = randomBytes(50_000);
    const wire = chunked(data, [1, 4096, 7, 30_000, 333]);
    for (const step of [1, 2, 5, 64, 1000, 8191, wire.length]) {
      const dec = new ChunkedDecoder();
      const out: Buffer[] = [];
      for (let at = 0; at < wire.length; at += step) {
        const piece = Buffer.from(wire.subarray(at, at + step));
        const n = dec.decode(piece, piece.length);
        if (n instanceof Error) throw n;
        out.push(piece.subarray(0, n));
      }
      expect(dec.done).toBe(true);
      expect(Buffer.concat(out).equals(data)).toBe(true);
    }
    expect(new ChunkedDecoder().decode(Buffer.from('zz\r\n'), 4)).toBeInstanceOf(Error);
  });

  it('reads chunked bodies dribbled a few bytes at a time, skips 103 Early Hints, and keeps the connection', async () => {
    const wire = chunked(BODY.subarray(0, 200_000), [1000, 3, 65_536]);
    const raw = await rawServer((sock) => {
      sock.write('HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n');
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      for (let at = 0; at < 400; at += 7) sock.write(wire.subarray(at, Math.min(at + 7, 400)));
      sock.write(wire.subarray(400));
    });
    const pool = new ConnPool(4000);
    for (let i = 0; i < 2; i += 1) {
      const answer = await fileGet(new URL(`http://127.0.0.1:${raw.port}/c`), {}, options(pool));
      expect(answer.status).toBe(200);
      const c = collector(997);
      c.resumeWith(() => answer.body.resume());
      await answer.body.pump(c.sink);
      expect(c.bytes().equals(BODY.subarray(0, 200_000))).toBe(true);
    }
    expect(raw.connections()).toBe(1);
    pool.close();
    await close(raw.server);
  });

  it('reads an unsized body to the close, and fails one cut short', async () => {
    const raw = await rawServer((sock, req) => {
      if (req.startsWith('GET /short')) {
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`);
        sock.end(BODY.subarray(0, 1000));
      } else {
        sock.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n');
        sock.end(BODY.subarray(0, 70_001));
      }
    });
    const pool = new ConnPool(4000);
    const whole = await fileGet(new URL(`http://127.0.0.1:${raw.port}/all`), {}, options(pool));
    const all = collector();
    all.resumeWith(() => whole.body.resume());
    await whole.body.pump(all.sink);
    expect(all.bytes().equals(BODY.subarray(0, 70_001))).toBe(true);
    const short = await fileGet(new URL(`http://127.0.0.1:${raw.port}/short`), {}, options(pool));
    const c = collector();
    c.resumeWith(() => short.body.resume());
    await expect(short.body.pump(c.sink)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(c.bytes().equals(BODY.subarray(0, 1000))).toBe(true);
    pool.close();
    await close(raw.server);
  });

  it('times out a body that stops, and stops at once when aborted', async () => {
    const raw = await rawServer((sock) => {
      sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`);
      sock.write(BODY.subarray(0, 10));
    });
    const pool = new ConnPool(4000);
    const url = new URL(`http://127.0.0.1:${raw.port}/slow`);
    const slow = await fileGet(url, {}, options(pool, { timeoutMs: 200 }));
    await expect(slow.body.text(1e7)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    const ac = new AbortController();
    const stuck = await fileGet(url, {}, options(pool, { signal: ac.signal }));
    const reading = stuck.body.text(1e7);
    ac.abort(new Error('user cancelled'));
    await expect(reading).rejects.toThrow('user cancelled');
    pool.close();
    await close(raw.server);
  });

  it('writes a body to its file through two small slabs, reporting written ends in order', async () => {
    const server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Length': BODY.length }).end(BODY));
    const port = await listen(server);
    const pool = new ConnPool(4000);
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-part-'));
    const file = path.join(dir, 'x.part');
    const fh = await fsp.open(file, 'w');
    const ends: number[] = [];
    const answer = await fileGet(new URL(`http://127.0.0.1:${port}/w`), {}, options(pool));
    const writer = new PartWriter(fh, 0, { slabs: { bytes: 64 * 1024, count: 2 }, onWritten: (end) => ends.push(end) });
    let received = 0;
    await writer.receive(answer.body, BODY.length, () => new Error('too much'), (r) => (received = r));
    await fh.close();
    expect(received).toBe(BODY.length);
    expect(ends[ends.length - 1]).toBe(BODY.length);
    expect(ends.every((e, i) => i === 0 || e > ends[i - 1]!)).toBe(true);
    expect((await fsp.readFile(file)).equals(BODY)).toBe(true);
    pool.close();
    await fsp.rm(dir, { recursive: true, force: true });
    await close(server);
  });
});

describe('routes', () => {
  it('picks proxies as undici does: per scheme, https falling back to http, NO_PROXY by host, parent domain and port', () => {
    const s = { httpProxy: 'http://p:3128', noProxy: 'internal.lan, .corp.example:8443 *.test' };
    expect(proxyFor(new URL('http://huggingface.co/x'), s)?.host).toBe('p:3128');
    expect(proxyFor(new URL('https://cdn-lfs.hf.co/x'), s)?.host).toBe('p:3128');
    expect(proxyFor(new URL('https://cdn-lfs.hf.co/x'), { ...s, httpsProxy: 'http://q:8080' })?.host).toBe('q:8080');
    expect(proxyFor(new URL('http://a.internal.lan/x'), s)).toBeNull();
    expect(proxyFor(new URL('https://b.corp.example:8443/x'), s)).toBeNull();
    expect(proxyFor(new URL('https://b.corp.example/x'), s)?.host).toBe('p:3128');
    expect(proxyFor(new URL('http://mirror.test/x'), s)).toBeNull();
    expect(proxyFor(new URL('http://x.y/x'), { ...s, noProxy: '*' })).toBeNull();
    expect(proxyFor(new URL('http://x.y/x'), { httpProxy: '', noProxy: '' })).toBeNull();
  });
});

/** A CONNECT-only proxy (plain requests get 405) that records its tunnels and the Proxy-Authorization it saw. */
async function connectProxy(tlsOptions?: https.ServerOptions): Promise<{ url: string; tunnels: string[]; auth: (string | undefined)[]; server: http.Server }> {
  const tunnels: string[] = [];
  const auth: (string | undefined)[] = [];
  const refuse = (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(405).end();
  const server = tlsOptions ? https.createServer(tlsOptions, refuse) : http.createServer(refuse);
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    auth.push(req.headers['proxy-authorization']);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return { url: `${tlsOptions ? 'https' : 'http'}://127.0.0.1:${port}`, tunnels, auth, server };
}

describe('through a proxy and over TLS', () => {
  let fx: MirrorFixture;
  let work: string;
  beforeAll(async () => {
    fx = await startFixtureMirror();
    work = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-file-http-'));
  });
  afterAll(async () => {
    await fx.close();
    await fsp.rm(work, { recursive: true, force: true });
  });

  it('downloads a repository with every file body through CONNECT tunnels (to the Hub and its file host), or none with NO_PROXY', async () => {
    const proxy = await connectProxy();
    const repo = 'sokhan-lab/piper-fa-amir-medium';
    const via = new HubClient({ endpoint: fx.mirror.url, timeoutMs: 5000, retries: 0, proxy: { httpProxy: proxy.url, noProxy: '' } });
    const dest = path.join(work, 'via');
    const r = await via.downloadModel(repo, dest);
    for (const f of fx.repo(repo).files) expect(await sha256File(path.join(dest, f.path))).toBe(f.sha256);
    expect(r.files.length).toBe(fx.repo(repo).files.length);
    expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(fx.mirror.url).host, new URL(fx.mirror.fileHostUrl).host]));
    await via.close();
    proxy.tunnels.length = 0;
    const bypass = new HubClient({ endpoint: fx.mirror.url, timeoutMs: 5000, retries: 0, proxy: { httpProxy: proxy.url, noProxy: '127.0.0.1' } });
    await bypass.downloadModel(repo, path.join(work, 'bypass'));
    expect(proxy.tunnels).toEqual([]);
    await bypass.close();
    await close(proxy.server);
  });

  it('reads a body over TLS: directly, inside an authenticated tunnel, and through a TLS proxy', async (ctx) => {
    const key = path.join(work, 'key.pem');
    const cert = path.join(work, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    if (made.status !== 0) ctx.skip();
    const pems = { key: await fsp.readFile(key), cert: await fsp.readFile(cert) };
    const server = https.createServer(pems, (_req, res) => res.writeHead(200, { 'Content-Length': BODY.length }).end(BODY));
    const port = await listen(server);
    const proxy = await connectProxy();
    const proxyUrl = new URL(proxy.url);
    proxyUrl.username = 'sokhan';
    proxyUrl.password = 'p@ss';
    const tlsProxy = await connectProxy(pems);
    // The test's certificate is its own: trust is Node's business (NODE_EXTRA_CA_CERTS in real use).
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const pool = new ConnPool(4000);
    try {
      for (const route of [null, proxyUrl, new URL(tlsProxy.url)]) {
        const answer = await fileGet(new URL(`https://localhost:${port}/t`), {}, options(pool, { proxy: route }));
        const c = collector(16 * 1024 + 5);
        c.resumeWith(() => answer.body.resume());
        await answer.body.pump(c.sink);
        expect(createHash('sha256').update(c.bytes()).digest('hex')).toBe(createHash('sha256').update(BODY).digest('hex'));
      }
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
      pool.close();
    }
    expect(proxy.tunnels).toEqual([`localhost:${port}`]);
    expect(proxy.auth).toEqual([`Basic ${Buffer.from('sokhan:p@ss').toString('base64')}`]);
    expect(tlsProxy.tunnels).toEqual([`localhost:${port}`]);
    await close(proxy.server);
    await close(tlsProxy.server);
    await close(server);
  });
});
