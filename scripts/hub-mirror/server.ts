import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiHandler } from './api-host.js';
import { TokenBook } from './auth.js';
import { createFileHostHandler, UrlSigner } from './file-host.js';
import { RepoStore } from './repo-store.js';
import { emptyStats, type HubMirrorStats, type MirrorFaults, type MirrorRequestLog, type MirrorTokens } from './types.js';

export type { HubMirrorStats, MirrorFaults, MirrorRequestLog, MirrorTokenEntry, MirrorTokens } from './types.js';
export type { RepoMetaFile, GatedMode } from './repo-store.js';

export interface HubMirrorOptions {
  /** The folder of repositories: `<dir>/<owner>/<name>/…` (models), `<dir>/datasets/<owner>/<name>/…`. */
  dir: string;
  /** API host port; 0 (default) picks a free one. */
  port?: number;
  /** File host port; 0 (default) picks a free one. */
  filePort?: number;
  /** Interface both listeners bind to (default 127.0.0.1). */
  host?: string;
  /** token → user; merged over `<dir>/tokens.json`. */
  tokens?: MirrorTokens;
  /** Initial faults; the returned `faults` object is the live one. */
  faults?: MirrorFaults;
  /** Page size of /api/models when no `limit` is given (default 1000). */
  listPageSize?: number;
  /** Page size of tree listings (default 1000, as the Hub). */
  treePageSize?: number;
  /** Hash every file before listening (default true). The CLI warms in the background instead. */
  prewarm?: boolean;
  /** Base URL clients use for the API host, when behind a proxy (default: from the request's Host header). */
  publicUrl?: string;
  /** Base URL clients use for the file host (default: the request's host name with the file port). */
  publicFileHostUrl?: string;
  /** Lifetime of signed file-host URLs (default 3600). */
  signedUrlTtlSeconds?: number;
  /** HMAC secret for signed URLs (default: random per start, so old URLs stop working after a restart). */
  signingSecret?: string;
  /** Called with unexpected handler errors (default: console.error). */
  onError?: (err: unknown) => void;
}

export interface HubMirror {
  /** API host base URL, e.g. http://127.0.0.1:41234 — what HF_ENDPOINT is set to. */
  url: string;
  /** File host base URL (another origin: LFS redirects point here). */
  fileHostUrl: string;
  port: number;
  filePort: number;
  /** Live faults: change fields at any time. */
  faults: MirrorFaults;
  /** Live counters. */
  stats: HubMirrorStats;
  /** Clears every fault (in place) and the memory of files already dropped once. */
  resetFaults(): void;
  /** Zeroes the counters (in place). */
  resetStats(): void;
  /** Hashes every repository now; resolves to the number of repositories. */
  warm(): Promise<number>;
  close(): Promise<void>;
}

const MAX_LOG = 500;
const HOST_HEADER_RE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader || !HOST_HEADER_RE.test(hostHeader)) return null;
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : (hostHeader.split(':')[0] ?? null);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Records each request in the stats log and turns handler errors into a 500 (or a cut connection mid-body). */
function instrument(host: 'api' | 'file', handler: Handler, stats: HubMirrorStats, onError: (err: unknown) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = host === 'file' ? (req.url ?? '/').split('?')[0] ?? '/' : (req.url ?? '/');
    res.once('close', () => {
      const entry: MirrorRequestLog = {
        host,
        method: req.method ?? 'GET',
        url,
        status: res.statusCode,
        range: typeof req.headers.range === 'string' ? req.headers.range : null,
        hasAuthorization: req.headers.authorization !== undefined,
        at: Date.now(),
      };
      stats.requests.push(entry);
      if (stats.requests.length > MAX_LOG) stats.requests.splice(0, stats.requests.length - MAX_LOG);
    });
    handler(req, res).catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) {
        const body = JSON.stringify({ error: 'Internal Error' });
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      } else {
        res.destroy();
      }
    });
  };
}

/**
 * Starts a Hugging Face Hub-compatible server over a folder: an API/resolve host and a separate file host
 * (another port, so another origin, like the Hub's CDN).
 */
export async function startHubMirror(opts: HubMirrorOptions): Promise<HubMirror> {
  const host = opts.host ?? '127.0.0.1';
  const store = await RepoStore.open(opts.dir);
  const faults: MirrorFaults = { ...(opts.faults ?? {}) };
  const stats = emptyStats();
  const dropped = new Set<string>();
  const signer = new UrlSigner(opts.signingSecret ?? randomBytes(32).toString('hex'), opts.signedUrlTtlSeconds ?? 3600);
  const tokens = new TokenBook(store.rootReal, opts.tokens ?? {});
  const onError = opts.onError ?? ((err: unknown) => console.error('[hub-mirror]', err));
  if (opts.prewarm !== false) await store.warm();

  let apiPort = 0;
  let filePort = 0;
  const apiServer = http.createServer();
  const fileServer = http.createServer();
  const defaultApiBase = (): string => `http://${urlHost(host)}:${apiPort}`;

  const apiHandler = createApiHandler({
    store,
    tokens,
    faults,
    stats,
    signer,
    apiBase: (req) => {
      if (opts.publicUrl) return opts.publicUrl.replace(/\/+$/, '');
      const h = req.headers.host;
      return h && HOST_HEADER_RE.test(h) ? `http://${h}` : defaultApiBase();
    },
    fileBase: (req) => {
      if (opts.publicFileHostUrl) return opts.publicFileHostUrl.replace(/\/+$/, '');
      return `http://${hostnameOf(req.headers.host) ?? urlHost(host)}:${filePort}`;
    },
    listPageSize: opts.listPageSize ?? 1000,
    treePageSize: opts.treePageSize ?? 1000,
  });
  const fileHandler = createFileHostHandler({ store, faults, stats, signer, dropped });
  apiServer.on('request', instrument('api', apiHandler, stats, onError));
  fileServer.on('request', instrument('file', fileHandler, stats, onError));

  try {
    apiPort = await listen(apiServer, opts.port ?? 0, host);
    filePort = await listen(fileServer, opts.filePort ?? 0, host);
  } catch (err) {
    await Promise.all([closeServer(apiServer), closeServer(fileServer)]);
    throw err;
  }

  return {
    url: defaultApiBase(),
    fileHostUrl: `http://${urlHost(host)}:${filePort}`,
    port: apiPort,
    filePort,
    faults,
    stats,
    resetFaults() {
      for (const key of Object.keys(faults) as (keyof MirrorFaults)[]) delete faults[key];
      dropped.clear();
    },
    resetStats() {
      Object.assign(stats, emptyStats());
    },
    warm: () => store.warm(),
    async close() {
      await Promise.all([closeServer(apiServer), closeServer(fileServer)]);
    },
  };
}
