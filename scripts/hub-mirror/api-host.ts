import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canAccess, type Caller, type TokenBook } from './auth.js';
import { sendFile } from './file-response.js';
import type { UrlSigner } from './file-host.js';
import { lfsPointer } from './hashing.js';
import { contentDisposition, delay, sendHubError, sendJson } from './http-util.js';
import { allFields, listItem, repoInfo, treeEntries, whoami, type TreeEntry } from './presenters.js';
import { safeRelativePath, type RepoHeader, type RepoKind, type RepoSnapshot, type RepoStore } from './repo-store.js';
import type { HubMirrorStats, MirrorFaults } from './types.js';

export interface ApiHostDeps {
  store: RepoStore;
  tokens: TokenBook;
  faults: MirrorFaults;
  stats: HubMirrorStats;
  signer: UrlSigner;
  /** Base URL of this host as the client reached it (for Link headers). */
  apiBase(req: IncomingMessage): string;
  /** Base URL of the file host for redirects, as reachable by this client. */
  fileBase(req: IncomingMessage): string;
  listPageSize: number;
  treePageSize: number;
}

const INVALID_CREDENTIALS = 'Invalid credentials in Authorization header';
const SORT_KEYS = ['downloads', 'likes', 'lastModified', 'createdAt', 'trendingScore', 'id'] as const;
type SortKey = (typeof SORT_KEYS)[number];

class BadRequest extends Error {}

/** The Hub's API and resolve host. */
export function createApiHandler(deps: ApiHostDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { faults, stats } = deps;
    stats.apiRequests += 1;
    if (req.headers.range) stats.rangeRequests += 1;
    if (faults.delayMs && faults.delayMs > 0) await delay(faults.delayMs);
    if (faults.rateLimitNext && faults.rateLimitNext > 0) {
      faults.rateLimitNext -= 1;
      stats.rateLimited += 1;
      sendHubError(req, res, 429, 'You have been rate-limited; you can retry this action in about 1 second.', 'RateLimited', {
        'Retry-After': '1',
        RateLimit: '"api";r=0;t=1',
        'RateLimit-Policy': '"fixed window";"api";q=500;w=300',
      });
      return;
    }
    if (faults.failNext5xx && faults.failNext5xx > 0) {
      faults.failNext5xx -= 1;
      stats.failed5xx += 1;
      sendHubError(req, res, 503, 'Service Unavailable');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
      sendHubError(req, res, 405, 'Method not allowed');
      return;
    }

    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    let segments: string[];
    try {
      if (rawPath.includes('\0') || /%00/i.test(rawPath) || rawPath.includes('\\') || /%5c/i.test(rawPath)) throw new BadRequest();
      segments = rawPath.split('/').slice(1).map((s) => decodeURIComponent(s));
    } catch {
      sendHubError(req, res, 400, 'Invalid path');
      return;
    }
    if (segments.length > 1 && segments[segments.length - 1] === '' && segments[0] === 'api') segments.pop();

    const caller = await deps.tokens.identify(req.headers.authorization);
    if (caller.kind === 'invalid') {
      sendHubError(req, res, 401, INVALID_CREDENTIALS);
      return;
    }

    try {
      await route(deps, req, res, segments, query, caller);
    } catch (err) {
      if (err instanceof BadRequest) sendHubError(req, res, 400, err.message);
      else throw err;
    }
  };
}

async function route(
  deps: ApiHostDeps,
  req: IncomingMessage,
  res: ServerResponse,
  s: string[],
  query: URLSearchParams,
  caller: Caller,
): Promise<void> {
  if (s[0] === 'api' && s[2]?.includes('/')) {
    // `owner%2Fname` as one encoded segment: the same repo id.
    s = [...s.slice(0, 2), ...s[2].split('/'), ...s.slice(3)];
  }
  const [a, b, c, d, e, f] = s;
  const kindOf = (segment: string | undefined): RepoKind | null =>
    segment === 'models' ? 'model' : segment === 'datasets' ? 'dataset' : null;
  if (req.method === 'POST') {
    // The only write-free POST of the Hub's read API: paths-info.
    const kind = kindOf(b);
    if (a === 'api' && kind && c !== undefined && d !== undefined && e === 'paths-info' && s.length >= 6) {
      return pathsInfo(deps, req, res, kind, c, d, s.slice(5).join('/'), caller);
    }
    sendHubError(req, res, 405, 'Method not allowed');
    return;
  }
  if (a === 'api') {
    if (b === 'whoami-v2' && s.length === 2) {
      if (caller.kind !== 'user') sendHubError(req, res, 401, INVALID_CREDENTIALS);
      else sendJson(req, res, 200, whoami(caller.entry));
      return;
    }
    const kind = kindOf(b);
    if (kind && s.length === 2) return listRepos(deps, req, res, kind, query, caller);
    if (kind && c !== undefined && d !== undefined) {
      if (s.length === 4) return info(deps, req, res, kind, c, d, 'main', query, caller);
      if (e === 'revision' && s.length >= 6) return info(deps, req, res, kind, c, d, s.slice(5).join('/'), query, caller);
      if (e === 'tree' && f !== undefined) return tree(deps, req, res, kind, c, d, f, s.slice(6).join('/'), query, caller);
    }
    sendHubError(req, res, 404, 'Not Found');
    return;
  }
  if (a === 'datasets' && b !== undefined && c !== undefined && (d === 'resolve' || d === 'raw') && e !== undefined && s.length >= 6) {
    return resolve(deps, req, res, 'dataset', b, c, e, s.slice(5), caller, d);
  }
  if (a !== undefined && b !== undefined && (c === 'resolve' || c === 'raw') && d !== undefined && s.length >= 5) {
    return resolve(deps, req, res, 'model', a, b, d, s.slice(4), caller, c);
  }
  sendHubError(req, res, 404, 'Not Found');
}

/** The repo if it exists and the caller may see it; otherwise the Hub's answer has been sent. */
async function visibleRepo(
  deps: ApiHostDeps,
  req: IncomingMessage,
  res: ServerResponse,
  kind: RepoKind,
  owner: string,
  name: string,
  caller: Caller,
): Promise<RepoHeader | null> {
  const header = await deps.store.findRepo(kind, owner, name);
  if (!header) {
    sendHubError(req, res, 404, 'Repository not found', 'RepoNotFound');
    return null;
  }
  if (header.meta.private && !canAccess(caller, header.id)) {
    // Like the Hub: a private repo is indistinguishable from a missing one.
    sendHubError(req, res, caller.kind === 'user' ? 404 : 401, 'Repository not found', 'RepoNotFound');
    return null;
  }
  return header;
}

async function atRevision(
  deps: ApiHostDeps,
  req: IncomingMessage,
  res: ServerResponse,
  header: RepoHeader,
  rev: string,
): Promise<RepoSnapshot | null> {
  const snapshot = await deps.store.snapshot(header);
  // `HEAD` and `refs/heads/main` are the Hub's aliases of main (the official JS client asks for HEAD).
  if (rev === 'main' || rev === 'HEAD' || rev === 'refs/heads/main' || rev === snapshot.sha) return snapshot;
  sendHubError(req, res, 404, `Invalid rev id: ${rev}`, 'RevisionNotFound');
  return null;
}

/**
 * The hostilePaths fault: extra, untrusted names listed in siblings, tree and paths-info (never served), so
 * tests can prove a client refuses them rather than writing outside its folder.
 */
function withInjected(snapshot: RepoSnapshot | null, faults: MirrorFaults): RepoSnapshot | null {
  const extra = snapshot ? faults.hostilePaths?.[snapshot.id] : undefined;
  if (!snapshot || !extra || extra.length === 0) return snapshot;
  const injected = extra.map((p) => ({
    path: p,
    absPath: '',
    size: 16,
    mtimeMs: 0,
    ino: 0,
    sha256: createHash('sha256').update(`hostile:${p}`).digest('hex'),
    oid: createHash('sha1').update(`hostile:${p}`).digest('hex'),
    lfs: null,
  }));
  return { ...snapshot, files: [...snapshot.files, ...injected] };
}

async function readConfig(s: RepoHeader): Promise<Record<string, unknown> | undefined> {
  const entry = s.entries.find((e) => e.path === 'config.json');
  if (!entry || entry.size > 1 << 20) return undefined;
  try {
    const parsed: unknown = JSON.parse(await fsp.readFile(entry.absPath, 'utf8'));
    if (!parsed || typeof parsed !== 'object') return undefined;
    const cfg = parsed as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of ['architectures', 'model_type', 'tokenizer_config']) if (key in cfg) out[key] = cfg[key];
    return out;
  } catch {
    return undefined;
  }
}

async function info(
  deps: ApiHostDeps,
  req: IncomingMessage,
  res: ServerResponse,
  kind: RepoKind,
  owner: string,
  name: string,
  rev: string,
  query: URLSearchParams,
  caller: Caller,
): Promise<void> {
  const header = await visibleRepo(deps, req, res, kind, owner, name, caller);
  if (!header) return;
  const snapshot = withInjected(await atRevision(deps, req, res, header, rev), deps.faults);
  if (!snapshot) return;
  const blobs = query.get('blobs') === 'true' || query.get('blobs') === '1';
  const body = repoInfo(snapshot, await readConfig(snapshot), blobs);
  const expand = expandList(query);
  sendJson(req, res, 200, expand.length > 0 ? pick(body, expand) : body);
}

function expandList(query: URLSearchParams): string[] {
  return [...query.getAll('expand'), ...query.getAll('expand[]')].flatMap((v) => v.split(',')).filter(Boolean);
}

function pick(all: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { _id: all._id, id: all.id };
  for (const k of keys) if (k in all) out[k] = all[k];
  return out;
}

function matchesFilter(h: RepoHeader, raw: string): boolean {
  const f = raw.toLowerCase();
  const tags = h.meta.tags.map((t) => t.toLowerCase());
  if (tags.includes(f)) return true;
  if (h.meta.pipeline_tag?.toLowerCase() === f || h.meta.library_name?.toLowerCase() === f) return true;
  const lang = /^language:(.+)$/.exec(f)?.[1];
  if (lang) return h.meta.language.some((l) => l.toLowerCase() === lang);
  return h.meta.language.some((l) => l.toLowerCase() === f);
}

function sortValue(h: RepoHeader, key: SortKey): number | string {
  switch (key) {
    case 'downloads':
      return h.meta.downloads;
    case 'likes':
      return h.meta.likes;
    case 'trendingScore':
      return h.meta.trendingScore;
    case 'lastModified':
      return Date.parse(h.meta.lastModified);
    case 'createdAt':
      return Date.parse(h.meta.createdAt);
    case 'id':
      return h.id.toLowerCase();
  }
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ $offset: offset })).toString('base64url');
}

function decodeCursor(cursor: string | null): number {
  if (!cursor) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { $offset?: unknown };
    if (typeof parsed.$offset === 'number' && Number.isInteger(parsed.$offset) && parsed.$offset >= 0) return parsed.$offset;
  } catch {
    // falls through to the error below
  }
  throw new BadRequest('Invalid cursor');
}

function parseLimit(raw: string | null, fallback: number, max: number): number {
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new BadRequest('Invalid limit');
  return Math.min(n, max);
}

/** The Link header for the next page: the same URL with a new cursor, as the Hub does. */
function nextLink(base: string, pathname: string, query: URLSearchParams, offset: number): string {
  const next = new URLSearchParams(query);
  next.set('cursor', encodeCursor(offset));
  return `<${base}${pathname}?${next.toString()}>; rel="next"`;
}

async function listRepos(
  deps: ApiHostDeps,
  req: IncomingMessage,
  res: ServerResponse,
  kind: RepoKind,
  query: URLSearchParams,
  caller: Caller,
): Promise<void> {
  const sortRaw = query.get('sort');
  const sort = (sortRaw ?? 'trendingScore') as SortKey;
  if (!SORT_KEYS.includes(sort)) throw new BadRequest(`Invalid sort parameter: ${sortRaw ?? ''}`);
  const ascending = query.get('direction') === '1';
  const limit = parseLimit(query.get('limit'), deps.listPageSize, 1000);
  const offset = decodeCursor(query.get('cursor'));

  const search = query.get('search')?.toLowerCase() ?? '';
  const author = query.get('author')?.toLowerCase();
  const filters = query.getAll('filter').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const pipeline = query.get('pipeline_tag');
  const library = query.get('library');
  const language = query.get('language');
  const gated = query.get('gated');

  const all = await deps.store.listRepos(kind);
  const matches = all.filter(
    (h) =>
      (!h.meta.private || canAccess(caller, h.id)) &&
      (!search || h.id.toLowerCase().includes(search)) &&
      (!author || h.owner.toLowerCase() === author) &&
      filters.every((flt) => matchesFilter(h, flt)) &&
      (!pipeline || h.meta.pipeline_tag === pipeline) &&
      (!library || h.meta.library_name === library || h.meta.tags.includes(library)) &&
      (!language || h.meta.language.includes(language)) &&
      (gated === null || (gated === 'true') === (h.meta.gated !== false)),
  );
  matches.sort((x, y) => {
    const vx = sortValue(x, sort);
    const vy = sortValue(y, sort);
    if (vx !== vy) return (vx < vy ? -1 : 1) * (ascending ? 1 : -1);
    return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
  });

  const page = matches.slice(offset, offset + limit);
  const full = query.get('full') === 'true' || query.get('full') === '1';
  const expand = expandList(query);
  const wantCard = query.get('cardData') === 'true';
  const wantConfig = query.get('config') === 'true';
  const needSnapshot = full || expand.some((k) => ['sha', 'siblings', 'usedStorage'].includes(k));
  const items: Record<string, unknown>[] = [];
  for (const h of page) {
    const source = needSnapshot ? (withInjected(await deps.store.snapshot(h), deps.faults) ?? h) : h;
    const config = wantConfig || expand.includes('config') ? await readConfig(h) : undefined;
    const fields = allFields(source, config, false);
    let item: Record<string, unknown>;
    if (expand.length > 0) item = pick(fields, expand);
    else {
      item = listItem(h);
      if (full) {
        for (const k of ['author', 'sha', 'lastModified', 'gated', 'disabled', 'siblings']) item[k] = fields[k];
      }
      if (wantCard) item.cardData = fields.cardData;
      if (config) item.config = config;
    }
    items.push(item);
  }
  const headers: Record<string, string> = {};
  if (offset + limit < matches.length) {
    headers.Link = nextLink(deps.apiBase(req), kind === 'model' ? '/api/models' : '/api/datasets', query, offset + limit);
  }
  sendJson(req, res, 200, items, headers);
}

async function tree(
  deps: ApiHostDeps,
  req: IncomingMessage,
  res: ServerResponse,
  kind: RepoKind,
  owner: string,
  name: string,
  rev: string,
  subPath: string,
  query: URLSearchParams,
  caller: Caller,
): Promise<void> {
  const header = await visibleRepo(deps, req, res, kind, owner, name, caller);
  if (!header) return;
  const snapshot = withInjected(await atRevision(deps, req, res, header, rev), deps.faults);
  if (!snapshot) return;
  const prefix = subPath.replace(/\/+$/, '');
  if (prefix && (safeRelativePath(prefix) === null || !snapshot.directories.some((d) => d.path === prefix))) {
    sendHubError(req, res, 404, `Entry not found: ${prefix}`, 'EntryNotFound');
    return;
  }
  const recursive = query.get('recursive') === 'true' || query.get('recursive') === '1';
  const entries = treeEntries(snapshot, prefix, recursive);
  const offset = decodeCursor(query.get('cursor'));
  const limit = parseLimit(query.get('limit'), deps.treePageSize, deps.treePageSize);
  const headers: Record<string, string> = {};
  if (offset + limit < entries.length) {
    const encodedPath = prefix ? `/${prefix.split('/').map(encodeURIComponent).join('/')}` : '';
    const pathname = `/api/${kind === 'model' ? 'models' : 'datasets'}/${header.id}/tree/${encodeURIComponent(rev)}${encodedPath}`;
    headers.Link = nextLink(deps.apiBase(req), pathname, query, offset + limit);
  }
  sendJson(req, res, 200, entries.slice(offset, offset + limit), headers);
}

async function resolve(
  deps: ApiHostDeps,
  req: IncomingMessage,
  res: ServerResponse,
  kind: RepoKind,
  owner: string,
  name: string,
  rev: string,
  pathSegments: string[],
  caller: Caller,
  mode: 'resolve' | 'raw',
): Promise<void> {
  if (mode === 'resolve') deps.stats.resolveCount += 1;
  const relPath = safeRelativePath(pathSegments.join('/'));
  if (!relPath) {
    sendHubError(req, res, 400, 'Invalid file path');
    return;
  }
  const header = await visibleRepo(deps, req, res, kind, owner, name, caller);
  if (!header) return;
  const snapshot = await atRevision(deps, req, res, header, rev);
  if (!snapshot) return;
  const what = kind === 'model' ? 'model' : 'dataset';
  if (header.meta.gated !== false && !canAccess(caller, header.id)) {
    if (caller.kind !== 'user') {
      sendHubError(
        req,
        res,
        401,
        `Access to ${what} ${header.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
        'GatedRepo',
      );
    } else {
      sendHubError(
        req,
        res,
        403,
        `Access to ${what} ${header.id} is restricted and you are not in the authorized list. Visit ${deps.apiBase(req)}/${kind === 'dataset' ? 'datasets/' : ''}${header.id} to ask for access.`,
        'GatedRepo',
      );
    }
    return;
  }
  const file = snapshot.files.find((f) => f.path === relPath);
  if (!file) {
    sendHubError(req, res, 404, `Entry not found`, 'EntryNotFound');
    return;
  }
  const common = { 'X-Repo-Commit': snapshot.sha };
  if (file.lfs && mode === 'raw') {
    // raw/ serves what git stores: the LFS pointer, not the content.
    const pointer = lfsPointer(file.lfs.sha256, file.lfs.size);
    res.writeHead(200, {
      ...common,
      ETag: `"${file.oid}"`,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(pointer),
    });
    res.end(req.method === 'HEAD' ? undefined : pointer);
    return;
  }
  if (file.lfs) {
    const location = deps.signer.url(deps.fileBase(req), kind, header.id, file.lfs.sha256, file.path);
    const body = `Found. Redirecting to ${location}`;
    res.writeHead(302, {
      ...common,
      Location: location,
      'X-Linked-Size': String(file.size),
      'X-Linked-Etag': `"${file.lfs.sha256}"`,
      ETag: `"${file.lfs.sha256}"`,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  await sendFile(
    req,
    res,
    { absPath: file.absPath, size: file.size, mtimeMs: file.mtimeMs, relPath: file.path, repoId: header.id, etag: `"${file.oid}"` },
    {
      faults: deps.faults,
      stats: deps.stats,
      headers: { ...common, 'Content-Disposition': contentDisposition(file.path) },
      ignoreRange: false,
      drop: null,
    },
  );
}

/** Reads a small request body (paths-info sends a list of paths), refusing more than 1 MiB. */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1 << 20) throw new BadRequest('Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `POST /api/models/{id}/paths-info/{rev}` with JSON `{paths, expand}` or a form `paths=…&expand=…`. */
async function pathsInfo(
  deps: ApiHostDeps,
  req: IncomingMessage,
  res: ServerResponse,
  kind: RepoKind,
  owner: string,
  name: string,
  rev: string,
  caller: Caller,
): Promise<void> {
  const raw = await readBody(req);
  let paths: string[] = [];
  let expand: boolean;
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw || '{}');
    } catch {
      throw new BadRequest('Invalid JSON body');
    }
    const body = (parsed ?? {}) as { paths?: unknown; expand?: unknown };
    if (Array.isArray(body.paths)) paths = body.paths.filter((p): p is string => typeof p === 'string');
    else if (typeof body.paths === 'string') paths = [body.paths];
    expand = body.expand === true || body.expand === 'true';
  } else {
    const form = new URLSearchParams(raw);
    paths = form.getAll('paths').flatMap((p) => p.split(','));
    expand = form.get('expand') === 'true' || form.get('expand') === '1';
  }
  const header = await visibleRepo(deps, req, res, kind, owner, name, caller);
  if (!header) return;
  const snapshot = withInjected(await atRevision(deps, req, res, header, rev), deps.faults);
  if (!snapshot) return;
  const out: (TreeEntry & { lastCommit?: unknown })[] = [];
  for (const wanted of paths) {
    const p = wanted.replace(/\/+$/, '');
    const file = snapshot.files.find((f) => f.path === p);
    const dir = snapshot.directories.find((d) => d.path === p);
    let entry: TreeEntry | null = null;
    if (file) {
      entry = { type: 'file', oid: file.oid, size: file.size, path: file.path };
      if (file.lfs) entry.lfs = { oid: file.lfs.sha256, size: file.lfs.size, pointerSize: file.lfs.pointerSize };
    } else if (dir) {
      entry = { type: 'directory', oid: dir.oid, size: 0, path: dir.path };
    }
    if (!entry) continue;
    out.push(expand ? { ...entry, lastCommit: { id: snapshot.sha, title: 'Mirror snapshot', date: header.meta.lastModified } } : entry);
  }
  sendJson(req, res, 200, out);
}
