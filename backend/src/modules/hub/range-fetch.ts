import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../platform/http/errors.js';
import { chunkLength, chunkStart, isChunkDone, type ChunkMap, type ChunkStore } from './chunk-plan.js';
import type { ConnectionBudget } from './connection-limiter.js';
import { fileCheckFailed, hubBadResponse, hubUnreachable } from './hub.errors.js';
import type { FileBody } from './file-body.js';
import type { HubHttp, HubResponse } from './hub.http.js';
import { BackgroundSync, PartWriter } from './part-writer.js';

/** The host answered a Range request with the whole body: the file goes as one stream instead. */
export class RangeIgnored extends Error {
  constructor() {
    super('the host ignores Range');
  }
}

/** The host's ETag is not the one the chunks on disk came with: their bytes may be of other content. */
export class ContentChanged extends Error {
  constructor(readonly before: string, readonly now: string) {
    super(`the ETag changed from ${before} to ${now}`);
  }
}

export interface RangeFetchOptions {
  http: HubHttp;
  /** The resolve URL; pieces go to where it redirects, and back to it when that URL stops working. */
  url: string;
  repoId: string;
  token?: string | null;
  filePath: string;
  fh: FileHandle;
  /** Updated in place as bytes reach the disk. */
  map: ChunkMap;
  store: ChunkStore;
  partFile: string;
  connections: number;
  budget: ConnectionBudget;
  signal?: AbortSignal;
  /** Bytes of the file on disk so far (all pieces), as they are written. */
  onWritten: (total: number) => void;
  /** Failed attempts in a row without progress, per piece, before giving up. */
  maxAttempts: number;
  retryBaseMs: number;
}

/** What each connection holds while its writes are on their way to disk. */
const RANGE_SLABS = { bytes: 512 * 1024, count: 4 };
/** The chunk map is saved at most this often while pieces move (and when one completes). */
const SAVE_EVERY_MS = 1000;

function parseContentRange(value: string | undefined): { start: number; end: number; total: number | null } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

/** Saves the map at most once a second and never two saves at once; the saved map never claims unwritten bytes. */
class MapSaver {
  private last = 0;
  private saving: Promise<void> | null = null;
  private dirty = false;

  constructor(
    private readonly store: ChunkStore,
    private readonly partFile: string,
    private readonly map: ChunkMap,
  ) {}

  touch(force = false): void {
    this.dirty = true;
    if (this.saving || (!force && Date.now() - this.last < SAVE_EVERY_MS)) return;
    this.saving = this.run();
  }

  async settle(): Promise<void> {
    while (this.saving) await this.saving;
    if (this.dirty) {
      this.saving = this.run();
      await this.saving;
    }
  }

  private async run(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        this.last = Date.now();
        // A copy: pieces move on while the row is written.
        await this.store.save(this.partFile, { ...this.map, done: [...this.map.done] }).catch(() => undefined);
      }
    } finally {
      this.saving = null;
    }
  }
}

/**
 * Fetches the unfinished pieces of a file as parallel Range requests (up to `connections`, each holding a slot
 * of the download's and the host's budget while it runs), writing each at its offset. A piece whose connection
 * drops resumes from its last written byte; 429/503 are retried per request by HubHttp with Retry-After.
 * Throws RangeIgnored on a 200, ContentChanged on another ETag; the map is saved as pieces move.
 */
export async function fetchRanges(opts: RangeFetchOptions): Promise<void> {
  const { map } = opts;
  const saver = new MapSaver(opts.store, opts.partFile, map);
  const sync = new BackgroundSync(opts.fh);
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.signal?.aborted) inner.abort(opts.signal.reason);
  const todo = map.done.map((_, i) => i).filter((i) => !isChunkDone(map, i));
  let target = opts.url;
  let firstError: unknown = null;
  const written = () => map.done.reduce((s, d) => s + d, 0);

  const fetchPiece = async (i: number): Promise<void> => {
    let failures = 0;
    let redirected = false;
    for (;;) {
      const from = chunkStart(map, i) + (map.done[i] ?? 0);
      const to = chunkStart(map, i) + chunkLength(map, i) - 1;
      if (from > to) return;
      const url = target;
      const release = await opts.budget.take(url, inner.signal);
      const before = map.done[i] ?? 0;
      try {
        let res: HubResponse<FileBody>;
        try {
          res = await opts.http.getFile(url, { token: opts.token, repoId: opts.repoId, signal: inner.signal, headers: { Range: `bytes=${from}-${to}` } });
        } catch (err) {
          // A signed file-host URL that expired answers 403/404: resolve again through the Hub, once per piece.
          if (err instanceof AppError && url !== opts.url && !redirected && !inner.signal.aborted) {
            redirected = true;
            target = opts.url;
            continue;
          }
          throw err;
        }
        const linked = res.hops.map((h) => h['x-linked-size']).find((v) => v !== undefined);
        if (linked !== undefined && Number(linked) !== map.size) {
          res.body.destroy();
          throw fileCheckFailed(opts.filePath, `the Hub reports ${linked} bytes, the file list ${map.size}`);
        }
        if (res.status !== 206) {
          res.body.destroy();
          if (res.status === 416) throw fileCheckFailed(opts.filePath, `the host has fewer than ${to + 1} bytes`);
          throw new RangeIgnored();
        }
        const range = parseContentRange(res.headers['content-range']);
        if (!range || range.start !== from || range.end !== to || (range.total !== null && range.total !== map.size)) {
          res.body.destroy();
          throw hubBadResponse(opts.http.endpoint, `wrong range answer for ${opts.filePath}`);
        }
        const etag = res.headers.etag ?? null;
        if (etag !== null) {
          if (map.etag === null) {
            map.etag = etag;
            saver.touch(true);
          } else if (etag !== map.etag) {
            res.body.destroy();
            throw new ContentChanged(map.etag, etag);
          }
        }
        target = res.url;
        const base = chunkStart(map, i);
        const writer = new PartWriter(opts.fh, from, {
          slabs: RANGE_SLABS,
          onWritten: (end) => {
            map.done[i] = end - base;
            opts.onWritten(written());
            saver.touch();
          },
          sync,
        });
        await writer.receive(res.body, to - from + 1, () =>
          hubBadResponse(opts.http.endpoint, `more bytes than the range asked for ${opts.filePath}`),
        );
      } catch (err) {
        if (inner.signal.aborted || err instanceof AppError || err instanceof RangeIgnored || err instanceof ContentChanged) throw err;
        if ((err as { code?: string })?.code && !isNetworkError(err)) throw err;
        // A dropped connection or an idle timeout: this piece goes on from what reached the disk.
        failures = (map.done[i] ?? 0) > before ? 1 : failures + 1;
        if (failures >= opts.maxAttempts) {
          const why = (err as { code?: string; message?: string })?.code ?? (err as Error)?.message ?? 'connection lost';
          throw hubUnreachable(opts.http.endpoint, `the transfer of ${opts.filePath} kept failing (${why})`);
        }
        await sleep(Math.min(5000, opts.retryBaseMs * 2 ** (failures - 1)), undefined, { signal: inner.signal });
        continue;
      } finally {
        release();
      }
      if (isChunkDone(map, i)) {
        saver.touch(true);
        return;
      }
      // The body ended early without an error: ask for the rest.
      if (++failures >= opts.maxAttempts) throw fileCheckFailed(opts.filePath, `a range of ${opts.filePath} kept ending early`);
    }
  };

  let next = 0;
  const worker = async () => {
    while (!inner.signal.aborted) {
      const i = todo[next++];
      if (i === undefined) return;
      try {
        await fetchPiece(i);
      } catch (err) {
        firstError ??= err;
        inner.abort(err);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.connections, todo.length)) }, worker));
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    await Promise.all([saver.settle(), sync.settle()]);
  }
  if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
  if (firstError !== null) throw firstError;
}

/** Errors of the connection (undici's and the socket's), as opposed to the disk's. */
function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return code.startsWith('UND_ERR') || code.startsWith('ECONN') || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}
