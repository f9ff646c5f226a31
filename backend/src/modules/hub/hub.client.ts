import { promises as fsp } from 'node:fs';
import picomatch from 'picomatch';
import { isValidRepoId, type HubSort } from '@sokhan/common';
import { AppError } from '../../platform/http/errors.js';
import { fetchFile, partPath, resolveUrl, type FetchedFile, type PlannedFile } from './file-transfer.js';
import type { TransferSettings } from './transfer-settings.js';
import { hubBadResponse, hubOffline, unsafePath } from './hub.errors.js';
import { HubHttp, readText, type HubHttpOptions } from './hub.http.js';
import { assertRepoId, fileTarget, isSafeRepoPath } from './hub.paths.js';
import {
  hubModelInfoSchema,
  hubSearchSchema,
  hubTreeSchema,
  hubWhoamiSchema,
  type HubModelInfo,
  type HubModelSummary,
  type HubTreeEntry,
} from './hub.schemas.js';
import type { z } from 'zod';

export interface HubClientOptions extends HubHttpOptions {
  /** HF_HUB_OFFLINE=1: every network call is refused with HUB_OFFLINE. */
  offline?: boolean;
}

export type TokenCheck =
  | { valid: true; username: string; fullname: string | null; orgs: string[]; tokenRole: string | null; tokenName: string | null }
  | { valid: false };

export interface SearchOptions {
  author?: string;
  task?: string;
  /** Tags (`filter=`), e.g. a language code. */
  filter?: string[];
  sort?: HubSort;
  limit?: number;
  /** An opaque cursor from a previous page; when given the other options are taken from it. */
  cursor?: string;
  token?: string | null;
  signal?: AbortSignal;
}

export interface SearchPage {
  items: HubModelSummary[];
  nextCursor: string | null;
}

export interface RepoOptions {
  revision?: string;
  token?: string | null;
  signal?: AbortSignal;
}

/** A file of a repository as the tree lists it. */
export interface RepoFile extends PlannedFile {
  oid: string | null;
}

export interface DownloadProgress {
  /** The file that moved last. */
  file: string | null;
  bytesDownloaded: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  /** Bytes that came over the network (not from disk), for speed. */
  networkBytes: number;
}

export interface DownloadPlan {
  commit: string;
  files: RepoFile[];
  bytesTotal: number;
}

export interface DownloadOptions {
  revision?: string;
  /** Pin the commit (a resumed download keeps the one it started with). */
  commit?: string;
  include?: string[];
  exclude?: string[];
  /** Files in flight at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called once the file list is known, before any byte moves. */
  onPlan?: (plan: DownloadPlan, info: HubModelInfo | null) => void | Promise<void>;
  /** How each file travels (parallel ranges, chunk maps, connection bounds); default: one stream per file. */
  transfer?: TransferSettings;
}

export interface DownloadResult {
  /** The canonical id the files were read under (a renamed repo's new name). */
  repoId: string;
  commit: string;
  path: string;
  sizeBytes: number;
  files: FetchedFile[];
  info: HubModelInfo | null;
}

/**
 * Fields asked of /api/models, so every search item carries what the list shows. With `expand` the Hub answers
 * only these (plus `_id`, `id`), so the repo's size, `usedStorage`, must be named here too.
 */
const SEARCH_EXPAND = ['author', 'pipeline_tag', 'library_name', 'downloads', 'likes', 'tags', 'lastModified', 'createdAt', 'gated', 'private', 'usedStorage'];

function nextLink(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (m && /\brel\s*=\s*"?next"?/i.test(m[2] ?? '')) return m[1] ?? null;
  }
  return null;
}

function encodeRepo(repoId: string): string {
  return repoId.split('/').map(encodeURIComponent).join('/');
}

/**
 * Model info answers the repo asked for when its `id` is that repo (any case), or the repo a same-origin
 * redirect led to (a rename). Anything else, or an id we could not use as a folder name, is not trusted.
 */
function answersFor(asked: string, id: string, finalUrl: string): boolean {
  if (!isValidRepoId(id)) return false;
  if (id.toLowerCase() === asked.toLowerCase()) return true;
  const pathname = new URL(finalUrl).pathname.toLowerCase();
  const at = `/api/models/${encodeRepo(id)}`.toLowerCase();
  return pathname.endsWith(at) || pathname.includes(`${at}/`);
}

/** Include/exclude globs over repository paths; exclude wins. Empty include takes everything. */
export function fileFilter(include: string[] = [], exclude: string[] = []): (p: string) => boolean {
  const inc = include.length > 0 ? picomatch(include, { dot: true }) : () => true;
  const exc = exclude.length > 0 ? picomatch(exclude, { dot: true }) : () => false;
  return (p) => inc(p) && !exc(p);
}

/**
 * The client of the Hub's HTTP API (or any mirror at HF_ENDPOINT): search, details, file lists, token checks
 * and verified downloads. Every answer is checked with zod; unknown fields are tolerated.
 */
export class HubClient {
  readonly http: HubHttp;
  readonly offline: boolean;

  constructor(opts: HubClientOptions) {
    this.http = new HubHttp(opts);
    this.offline = opts.offline === true;
  }

  get endpoint(): string {
    return this.http.endpoint;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** whoami-v2 with the token: valid with the account, or `{valid: false}` when the Hub refuses it. */
  async validateToken(token: string, signal?: AbortSignal): Promise<TokenCheck> {
    this.online();
    try {
      const { data } = await this.http.getJson(this.http.url('/api/whoami-v2'), { token, tokenCheck: true, signal });
      const who = this.parse(hubWhoamiSchema, data, 'whoami-v2');
      return {
        valid: true,
        username: who.name,
        fullname: who.fullname ?? null,
        orgs: (who.orgs ?? []).map((o) => o.name).filter((n): n is string => typeof n === 'string'),
        tokenRole: who.auth?.accessToken?.role ?? null,
        tokenName: who.auth?.accessToken?.displayName ?? null,
      };
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_TOKEN') return { valid: false };
      throw err;
    }
  }

  /** `GET /api/models` with search and filters; the Link header's next page becomes an opaque cursor. */
  async searchModels(query: string, opts: SearchOptions = {}): Promise<SearchPage> {
    this.online();
    let url: string;
    if (opts.cursor) {
      url = `${this.http.url('/api/models')}?${decodeCursor(opts.cursor)}`;
    } else {
      const params = new URLSearchParams();
      if (query) params.set('search', query);
      if (opts.author) params.set('author', opts.author);
      if (opts.task) params.set('pipeline_tag', opts.task);
      for (const f of opts.filter ?? []) params.append('filter', f);
      params.set('sort', opts.sort ?? 'downloads');
      params.set('direction', '-1');
      params.set('limit', String(opts.limit ?? 20));
      for (const e of SEARCH_EXPAND) params.append('expand', e);
      url = `${this.http.url('/api/models')}?${params.toString()}`;
    }
    const { data, headers } = await this.http.getJson(url, { token: opts.token, signal: opts.signal });
    const items = this.parse(hubSearchSchema, data, 'model list');
    const next = nextLink(headers.link);
    return { items, nextCursor: next ? this.cursorFor(next, '/api/models') : null };
  }

  /**
   * `GET /api/models/{repo}` or `/revision/{rev}`. A renamed repository (`bert-base-uncased`) is redirected to
   * its new name; the answer's `id` is then the canonical id, and callers store and fetch under it.
   */
  async getModelInfo(repoId: string, opts: RepoOptions & { blobs?: boolean } = {}): Promise<HubModelInfo> {
    this.online();
    assertRepoId(repoId);
    const rev = opts.revision && opts.revision !== 'main' ? `/revision/${encodeURIComponent(opts.revision)}` : '';
    const url = this.http.url(`/api/models/${encodeRepo(repoId)}${rev}${opts.blobs ? '?blobs=true' : ''}`);
    const answer = await this.http.getJson(url, { token: opts.token, repoId, signal: opts.signal });
    const info = this.parse(hubModelInfoSchema, answer.data, 'model info');
    if (!answersFor(repoId, info.id, answer.url)) {
      throw hubBadResponse(this.endpoint, `asked for ${repoId}, the model info is of ${JSON.stringify(info.id.slice(0, 120))}`);
    }
    return info;
  }

  /**
   * A small text file of the repository (its model card, README.md) at a revision, or null when there is none or
   * it is larger than `maxBytes`. Resolved like any file, so a mirror or the Hub's CDN may answer.
   */
  async readTextFile(repoId: string, filePath: string, opts: RepoOptions & { maxBytes: number }): Promise<string | null> {
    this.online();
    assertRepoId(repoId);
    if (!isSafeRepoPath(filePath)) throw unsafePath(filePath);
    let res;
    try {
      res = await this.http.get(resolveUrl(this.http, repoId, opts.revision ?? 'main', filePath), { token: opts.token, repoId, signal: opts.signal });
    } catch (err) {
      // The repository was just found: a 404 here is the file missing.
      if (err instanceof AppError && err.code === 'REPO_NOT_FOUND') return null;
      throw err;
    }
    return readText(res.body, opts.maxBytes).catch(() => null);
  }

  /** Every file of the repository at a revision (recursive tree, all Link pages). */
  async listModelFiles(repoId: string, opts: RepoOptions = {}): Promise<RepoFile[]> {
    this.online();
    assertRepoId(repoId);
    const rev = encodeURIComponent(opts.revision ?? 'main');
    let url: string | null = this.http.url(`/api/models/${encodeRepo(repoId)}/tree/${rev}?recursive=true`);
    const entries: HubTreeEntry[] = [];
    for (let page = 0; url; page += 1) {
      if (page > 1000) throw hubBadResponse(this.endpoint, 'too many tree pages');
      const res: { data: unknown; headers: Record<string, string> } = await this.http.getJson(url, {
        token: opts.token,
        repoId,
        signal: opts.signal,
      });
      entries.push(...this.parse(hubTreeSchema, res.data, 'file tree'));
      const next = nextLink(res.headers.link);
      url = next ? this.sameOrigin(next) : null;
    }
    return entries
      .filter((e) => e.type === 'file')
      .map((e) => {
        const sha256 = e.lfs?.oid ?? e.lfs?.sha256 ?? null;
        return {
          path: e.path,
          size: e.lfs?.size ?? e.size ?? 0,
          sha256: sha256 && /^[0-9a-f]{64}$/i.test(sha256) ? sha256.toLowerCase() : null,
          lfs: e.lfs !== undefined,
          oid: e.oid ?? null,
          gitOid: !e.lfs && e.oid && /^[0-9a-f]{40}$/i.test(e.oid) ? e.oid.toLowerCase() : null,
        };
      });
  }

  /**
   * Downloads a repository into `destDir` (created if needed): the file list at a pinned commit, filtered by
   * globs, `concurrency` files at a time, each resumable and verified. On failure (not on abort) the `.part`
   * files are removed; files already verified stay, so a retry skips them.
   */
  async downloadModel(
    repoId: string,
    destDir: string,
    token?: string | null,
    onProgress?: (p: DownloadProgress) => void,
    opts: DownloadOptions = {},
  ): Promise<DownloadResult> {
    this.online();
    assertRepoId(repoId);
    let info: HubModelInfo | null = null;
    let commit = opts.commit;
    if (!commit) {
      info = await this.getModelInfo(repoId, { revision: opts.revision, token, signal: opts.signal });
      commit = info.sha ?? opts.revision ?? 'main';
    }
    // The files are read under the canonical id (a renamed repo's new name), without a redirect per call.
    const id = info?.id ?? repoId;
    const pick = fileFilter(opts.include, opts.exclude);
    const all = await this.listModelFiles(id, { revision: commit, token, signal: opts.signal });
    const files = planFiles(all.filter((f) => pick(f.path)));
    const bytesTotal = files.reduce((s, f) => s + f.size, 0);
    await fsp.mkdir(destDir, { recursive: true });
    for (const f of files) fileTarget(destDir, f.path);
    await opts.onPlan?.({ commit, files, bytesTotal }, info);

    const progress: DownloadProgress = { file: null, bytesDownloaded: 0, bytesTotal, filesDone: 0, filesTotal: files.length, networkBytes: 0 };
    const inner = new AbortController();
    const onOuterAbort = () => inner.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (opts.signal?.aborted) inner.abort(opts.signal.reason);

    const results: FetchedFile[] = [];
    let firstError: unknown = null;
    let nextIndex = 0;
    const worker = async () => {
      while (!inner.signal.aborted) {
        const file = files[nextIndex++];
        if (!file) return;
        try {
          const r = await fetchFile({
            http: this.http,
            repoId: id,
            commit: commit!,
            file,
            dest: destDir,
            token,
            signal: inner.signal,
            transfer: opts.transfer,
            onBytes: (delta, network) => {
              progress.bytesDownloaded += delta;
              if (network) progress.networkBytes += delta;
              progress.file = file.path;
              onProgress?.({ ...progress });
            },
          });
          results.push(r);
          progress.filesDone += 1;
          onProgress?.({ ...progress, file: file.path });
        } catch (err) {
          if (firstError === null) firstError = err;
          inner.abort(err);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, files.length || 1)) }, worker));
    } finally {
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    if (firstError !== null) {
      await removePartials(destDir, files.map((f) => f.path));
      throw firstError;
    }
    results.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { repoId: id, commit, path: destDir, sizeBytes: bytesTotal, files: results, info };
  }

  private online(): void {
    if (this.offline) throw hubOffline();
  }

  private parse<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
    const r = schema.safeParse(data);
    if (!r.success) throw hubBadResponse(this.endpoint, `${what} does not have the expected shape`);
    return r.data;
  }

  /** Only the query of a next-page link is kept: the cursor can never point the server somewhere else. */
  private cursorFor(link: string, expectedPath: string): string | null {
    let url: URL;
    try {
      url = new URL(link, this.endpoint);
    } catch {
      return null;
    }
    if (!url.pathname.endsWith(expectedPath) || url.search.length < 2) return null;
    return Buffer.from(url.search.slice(1)).toString('base64url');
  }

  private sameOrigin(link: string): string {
    const url = new URL(link, this.endpoint);
    if (url.origin !== this.http.origin) throw hubBadResponse(this.endpoint, 'a next-page link points to another host');
    return url.toString();
  }
}

export function decodeCursor(cursor: string): string {
  const query = Buffer.from(cursor, 'base64url').toString('utf8');
  // eslint-disable-next-line no-control-regex
  if (query.length === 0 || query.length > 3000 || /[\x00-\x20\x7f#]/.test(query)) {
    throw new AppError(400, 'VALIDATION_FAILED', 'the cursor is not valid', [{ path: 'cursor', message: 'not a cursor from this server', code: 'custom' }]);
  }
  return query;
}

/** Refuses hostile names and layouts where one file would overwrite another's folder or `.part`. */
export function planFiles(files: RepoFile[]): RepoFile[] {
  const names = new Set<string>();
  for (const f of files) {
    if (!isSafeRepoPath(f.path)) throw unsafePath(f.path);
    if (!Number.isSafeInteger(f.size) || f.size < 0) throw hubBadResponse('the Hub', `bad size for ${f.path}`);
    const key = f.path;
    if (names.has(key)) throw unsafePath(f.path);
    names.add(key);
  }
  for (const f of files) {
    const key = f.path;
    if (names.has(`${key}.part`)) throw unsafePath(`${f.path}.part`);
    const segments = key.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      if (names.has(segments.slice(0, i).join('/'))) throw unsafePath(f.path);
    }
  }
  return [...files].sort((a, b) => b.size - a.size);
}

/** Deletes the `.part` files of these repository paths (best effort). */
export async function removePartials(destDir: string, paths: string[]): Promise<void> {
  await Promise.all(
    paths.map(async (p) => {
      try {
        await fsp.rm(partPath(fileTarget(destDir, p)), { force: true });
      } catch {
        // A path that is not safe was never written.
      }
    }),
  );
}
