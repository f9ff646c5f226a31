import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../platform/http/errors.js';
import { fileCheckFailed, hubBadResponse, hubUnreachable, unsafePath } from './hub.errors.js';
import type { HubHttp } from './hub.http.js';
import { ensureInside, fileTarget } from './hub.paths.js';
import { bytesDone, chunkLength, chunkStart, contiguousEnd, fitsFile, newChunkMap, type ChunkMap, type ChunkStore } from './chunk-plan.js';
import { FileHasher, type FileDigests } from './file-hasher.js';
import { BackgroundSync, PartWriter } from './part-writer.js';
import { ContentChanged, fetchRanges, RangeIgnored } from './range-fetch.js';
import type { TransferSettings } from './transfer-settings.js';

/** One file of a download plan, with what it must be once on disk. */
export interface PlannedFile {
  path: string;
  size: number;
  /** LFS sha256 (lowercase hex), checked when present. */
  sha256: string | null;
  /** Git blob oid (sha1) of small files kept in git, checked when present. */
  gitOid: string | null;
  lfs: boolean;
}

export interface FetchFileOptions {
  http: HubHttp;
  repoId: string;
  /** The commit the file is read from (pinned, so a resume never mixes revisions). */
  commit: string;
  file: PlannedFile;
  /** The repository folder; nothing is written outside it. */
  dest: string;
  token?: string | null;
  signal?: AbortSignal;
  /**
   * Called as bytes are accounted: `delta` may be negative when a file restarts from zero;
   * `network` is false for bytes that were already on disk (a resumed prefix or a verified file).
   */
  onBytes?: (delta: number, network: boolean) => void;
  /** Consecutive failed attempts without progress before giving up (default 5). */
  maxAttempts?: number;
  retryBaseMs?: number;
  /** Parallel ranges, chunk maps and connection bounds; without them the file goes as one unbounded stream. */
  transfer?: TransferSettings | null;
}

export interface FetchedFile {
  path: string;
  size: number;
  sha256: string;
  lfs: boolean;
  /** Already present and verified: nothing was transferred. */
  skipped: boolean;
  /** Bytes taken from an existing `.part` file. */
  resumedFrom: number;
}

/** What a single stream holds while its writes are on their way to disk. */
const STREAM_SLABS = { bytes: 1024 * 1024, count: 8 };
/** A file whose content keeps changing under us (another ETag each time) is given up after this many restarts. */
const MAX_CONTENT_RESTARTS = 3;

const FS_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
const FS_ERRORS = new Set(['EIO', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENAMETOOLONG', 'EBADF', 'ENOENT']);

/** Disk errors end a download with a code the UI can show. */
export function fsError(err: unknown, file: string): AppError | null {
  const code = (err as { code?: string })?.code;
  if (!code) return null;
  if (FS_FULL.has(code)) return new AppError(507, 'DISK_FULL', `no space left on the server's disk while writing ${file}`, [{ file, errno: code }]);
  if (FS_ERRORS.has(code)) return new AppError(500, 'IO_ERROR', `could not write ${file} (${code})`, [{ file, errno: code }]);
  return null;
}

export function partPath(target: string): string {
  return `${target}.part`;
}

export function resolveUrl(http: HubHttp, repoId: string, commit: string, filePath: string): string {
  const encodedPath = filePath.split('/').map(encodeURIComponent).join('/');
  return http.url(`/${repoId}/resolve/${encodeURIComponent(commit)}/${encodedPath}`);
}

async function sizeOf(file: string): Promise<number | null> {
  const st = await fsp.stat(file).catch(() => null);
  return st?.isFile() ? st.size : null;
}

/** The folder of `target` exists and, after symlinks, still lies inside `dest`. */
async function prepareFolder(dest: string, target: string): Promise<void> {
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const [realDest, realDir] = await Promise.all([fsp.realpath(dest), fsp.realpath(path.dirname(target))]);
  ensureInside(realDest, realDir);
  const existing = await fsp.lstat(target).catch(() => null);
  if (existing && !existing.isFile()) throw unsafePath(target);
  const part = await fsp.lstat(partPath(target)).catch(() => null);
  if (part && !part.isFile()) throw unsafePath(partPath(target));
}

function newHasher(file: string, planned: PlannedFile): FileHasher {
  return new FileHasher(file, { gitSize: planned.gitOid ? planned.size : null });
}

function checkDigests(file: PlannedFile, size: number, d: FileDigests): { ok: true; sha256: string } | { ok: false; why: string } {
  if (size !== file.size) return { ok: false, why: `size ${size} is not the expected ${file.size}` };
  if (file.sha256 && d.sha256 !== file.sha256.toLowerCase()) return { ok: false, why: `sha256 ${d.sha256} is not the expected ${file.sha256}` };
  if (file.gitOid && d.gitOid !== null && d.gitOid !== file.gitOid.toLowerCase()) {
    return { ok: false, why: `git oid ${d.gitOid} is not the expected ${file.gitOid}` };
  }
  return { ok: true, sha256: d.sha256 };
}

/** Is the file already in place with the right content? Hashes it to be sure. */
async function verifyExisting(target: string, file: PlannedFile): Promise<string | null> {
  const size = await sizeOf(target);
  if (size === null || size !== file.size) return null;
  const hasher = newHasher(target, file);
  hasher.advance(size);
  const check = checkDigests(file, size, await hasher.digest());
  return check.ok ? check.sha256 : null;
}

function parseContentRange(value: string | undefined): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (!m) return null;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

/** What a `.part` holds: pieces described by a stored chunk map, or a contiguous prefix (single stream). */
type Resume = { kind: 'chunks'; map: ChunkMap } | { kind: 'prefix'; offset: number };

/**
 * Reads how far a `.part` got. Its chunk map, when one is stored and still fits, says which pieces are on disk;
 * without one the `.part` is a prefix (as a single stream writes it). A `.part` whose map no longer fits has
 * bytes at unknown places and starts over (emptied first, then the map goes, so no crash leaves it misread).
 */
async function readResume(part: string, file: PlannedFile, store: ChunkStore | null): Promise<Resume> {
  const size = await sizeOf(part);
  const map = store ? await store.load(part) : null;
  if (size === null) {
    if (map) await store!.remove(part);
    return { kind: 'prefix', offset: 0 };
  }
  if (map) {
    if (fitsFile(map, file.size, file.sha256) && size === file.size) return { kind: 'chunks', map };
    await fsp.truncate(part, 0);
    await store!.remove(part);
    return { kind: 'prefix', offset: 0 };
  }
  if (size > file.size) {
    await fsp.truncate(part, 0);
    return { kind: 'prefix', offset: 0 };
  }
  return { kind: 'prefix', offset: size };
}

/** A map for a file whose first `prefix` bytes are already on disk. */
function mapFromPrefix(file: PlannedFile, connections: number, prefix: number): ChunkMap {
  const map = newChunkMap(file.size, file.sha256, connections);
  for (let i = 0; i < map.done.length; i += 1) {
    map.done[i] = Math.max(0, Math.min(chunkLength(map, i), prefix - chunkStart(map, i)));
  }
  return map;
}

async function syncAndClose(fh: FileHandle): Promise<void> {
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

interface Job {
  opts: FetchFileOptions;
  file: PlannedFile;
  target: string;
  part: string;
  url: string;
  /** Sets the bytes of this file accounted so far (reported to onBytes as a delta). */
  account: (total: number, network: boolean) => void;
  /** Bytes found on disk when the file started, for the result. */
  resumedFrom: number | null;
}

/**
 * Downloads one file into `<dest>/<path>.part`, then checks size and digests and renames it into place
 * atomically. Large files (in a transfer scope with more than one connection) go as parallel ranges with a
 * persisted chunk map; others as one stream, resuming from the `.part` prefix (Range; a 200 restarts it).
 * sha256 is computed by a worker thread as the bytes come (a stream's from its slabs, ranges' read back from the
 * `.part`), so it costs little at the end.
 */
export async function fetchFile(opts: FetchFileOptions): Promise<FetchedFile> {
  const { file } = opts;
  const target = fileTarget(opts.dest, file.path);
  const part = partPath(target);
  const onBytes = opts.onBytes ?? (() => undefined);
  await prepareFolder(opts.dest, target).catch((err: unknown) => {
    throw fsError(err, file.path) ?? err;
  });

  try {
    const present = await verifyExisting(target, file);
    if (present) {
      await fsp.rm(part, { force: true });
      onBytes(file.size, false);
      return { path: file.path, size: file.size, sha256: present, lfs: file.lfs, skipped: true, resumedFrom: 0 };
    }
    await fsp.rm(target, { force: true });

    let counted = 0; // bytes of this file reported through onBytes
    const job: Job = {
      opts,
      file,
      target,
      part,
      url: resolveUrl(opts.http, opts.repoId, opts.commit, file.path),
      account: (total, network) => {
        if (total !== counted) onBytes(total - counted, network);
        counted = total;
      },
      resumedFrom: null,
    };
    const scope = opts.transfer ?? null;
    if (scope && scope.connections > 1 && file.size >= Math.max(1, scope.chunkedMinBytes)) {
      const done = await fetchChunked(job, scope);
      if (done) return done;
    }
    return await fetchSingle(job, scope);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw fsError(err, file.path) ?? err;
  }
}

/** Checks the digests, then fsyncs and renames the `.part` into place; a mismatch removes the `.part`. */
async function finish(job: Job, fh: FileHandle, hasher: FileHasher, size: number): Promise<FetchedFile> {
  let digests: FileDigests;
  try {
    digests = await hasher.digest();
  } catch (err) {
    await fh.close();
    throw err;
  }
  const check = checkDigests(job.file, size, digests);
  if (!check.ok) {
    await fh.close();
    await fsp.rm(job.part, { force: true });
    job.account(0, false);
    throw fileCheckFailed(job.file.path, check.why);
  }
  await syncAndClose(fh);
  await fsp.rename(job.part, job.target);
  const f = job.file;
  return { path: f.path, size: f.size, sha256: check.sha256, lfs: f.lfs, skipped: false, resumedFrom: job.resumedFrom ?? 0 };
}

/** Parallel ranges; null when the host ignores Range (the `.part` is emptied and the file goes as one stream). */
async function fetchChunked(job: Job, scope: TransferSettings): Promise<FetchedFile | null> {
  const { file, part, opts } = job;
  const store = scope.chunks;
  for (let restarts = 0; ; restarts += 1) {
    const resume = await readResume(part, file, store);
    let map: ChunkMap;
    if (resume.kind === 'chunks') {
      map = resume.map;
    } else {
      map = mapFromPrefix(file, scope.connections, resume.offset);
      // The map is stored before any byte lands past the prefix: a `.part` with holes always has one.
      await store.save(part, map);
      await (await fsp.open(part, 'a')).close();
      await fsp.truncate(part, file.size);
    }
    job.resumedFrom ??= bytesDone(map);
    job.account(bytesDone(map), false);

    const fh = await fsp.open(part, 'r+');
    const hasher = newHasher(part, file);
    hasher.advance(contiguousEnd(map));
    try {
      await fetchRanges({
        http: opts.http,
        url: job.url,
        repoId: opts.repoId,
        token: opts.token,
        filePath: file.path,
        fh,
        map,
        store,
        partFile: part,
        connections: scope.connections,
        budget: scope.budget,
        signal: opts.signal,
        onWritten: (total) => {
          job.account(total, true);
          hasher.advance(contiguousEnd(map));
        },
        maxAttempts: opts.maxAttempts ?? 5,
        retryBaseMs: opts.retryBaseMs ?? 250,
      });
    } catch (err) {
      await fh.close();
      await hasher.close();
      if (err instanceof RangeIgnored) {
        await fsp.truncate(part, 0);
        await store.remove(part);
        job.account(0, false);
        job.resumedFrom = 0;
        return null;
      }
      if (err instanceof ContentChanged) {
        // The bytes on disk may belong to the old content: the whole file starts again.
        await fsp.rm(part, { force: true });
        await store.remove(part);
        job.account(0, false);
        job.resumedFrom = 0;
        if (restarts + 1 >= MAX_CONTENT_RESTARTS) throw hubBadResponse(opts.http.endpoint, `${file.path} kept changing while it downloaded (${err.message})`);
        continue;
      }
      throw err;
    }
    try {
      return await finish(job, fh, hasher, file.size);
    } finally {
      // The map goes once its `.part` is renamed or removed; a `.part` still there keeps it for the next try.
      if ((await sizeOf(part)) === null) await store.remove(part);
    }
  }
}

/** One stream per file, resuming from the `.part` prefix. */
async function fetchSingle(job: Job, scope: TransferSettings | null): Promise<FetchedFile> {
  const { file, part, opts } = job;
  const { signal } = opts;
  const maxAttempts = opts.maxAttempts ?? 5;
  let failures = 0;
  for (;;) {
    const resume = await readResume(part, file, scope?.chunks ?? null);
    let offset: number;
    if (resume.kind === 'chunks') {
      // A chunked `.part` seen by a single stream (connections lowered, or Range refused): keep its prefix.
      offset = contiguousEnd(resume.map);
      await fsp.truncate(part, offset);
      await scope!.chunks.remove(part);
    } else {
      offset = resume.offset;
    }
    job.resumedFrom ??= offset;
    job.account(offset, false);

    if (offset === file.size && file.size > 0) {
      // Everything is on disk already: only the check is left.
      const fh = await fsp.open(part, 'r+');
      const hasher = newHasher(part, file);
      hasher.advance(offset);
      return await finish(job, fh, hasher, offset);
    }

    const release = scope ? await scope.budget.take(job.url, signal) : () => undefined;
    let written = offset;
    let received = offset;
    let fh: FileHandle | null = null;
    let hasher: FileHasher | null = null;
    let sync: BackgroundSync | null = null;
    try {
      const res = await opts.http.getFile(job.url, {
        token: opts.token,
        repoId: opts.repoId,
        signal,
        headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
        accept416: true,
      });
      const linked = res.hops.map((h) => h['x-linked-size']).find((v) => v !== undefined);
      if (linked !== undefined && Number(linked) !== file.size) {
        res.body.destroy();
        throw fileCheckFailed(file.path, `the Hub reports ${linked} bytes, the file list ${file.size}`);
      }
      if (res.status === 416) {
        res.body.destroy();
        // Nothing past our offset although the file is not complete: the .part is wrong and starts over.
        await fsp.truncate(part, 0);
        if (++failures >= maxAttempts) throw hubBadResponse(opts.http.endpoint, `range refused for ${file.path}`);
        continue;
      }
      if (res.status === 206) {
        const range = parseContentRange(res.headers['content-range']);
        if (!range || range.start !== offset || (range.total !== null && range.total !== file.size)) {
          res.body.destroy();
          await fsp.truncate(part, 0);
          if (++failures >= maxAttempts) throw hubBadResponse(opts.http.endpoint, `wrong range answer for ${file.path}`);
          continue;
        }
      } else if (offset > 0) {
        // 200 to a Range request: the server sends everything; start this file again from zero.
        offset = 0;
        written = 0;
        received = 0;
        job.resumedFrom = 0;
        job.account(0, false);
      }
      fh = await fsp.open(part, offset > 0 ? 'r+' : 'w');
      const h = newHasher(part, file);
      hasher = h;
      h.advance(offset);
      sync = new BackgroundSync(fh);
      // The stream's bytes come in file order: they are hashed from the slabs, never read back.
      const writer = new PartWriter(fh, offset, {
        slabs: STREAM_SLABS,
        onWritten: (end) => {
          written = end;
        },
        sync,
        hash: (piece, at) => h.feed(piece, at),
      });
      await writer.receive(
        res.body,
        file.size - received,
        () => fileCheckFailed(file.path, `more than the expected ${file.size} bytes`),
        (n) => job.account(received + n, true),
      );
    } catch (err) {
      release();
      await sync?.settle();
      await fh?.close();
      await hasher?.close();
      if (signal?.aborted || err instanceof AppError) throw err;
      const disk = fsError(err, file.path);
      if (disk) throw disk;
      // A dropped connection or an idle timeout: resume from what reached the disk.
      failures = written > offset ? 1 : failures + 1;
      if (failures >= maxAttempts) {
        const why = (err as { code?: string; message?: string })?.code ?? (err as Error)?.message ?? 'connection lost';
        throw hubUnreachable(opts.http.endpoint, `the transfer of ${file.path} kept failing (${why})`);
      }
      await sleep(Math.min(5000, (opts.retryBaseMs ?? 250) * 2 ** (failures - 1)), undefined, signal ? { signal } : undefined);
      continue;
    }
    release();
    await sync?.settle();
    if (written < file.size) {
      await fh.close();
      await hasher.close();
      if (++failures >= maxAttempts) throw fileCheckFailed(file.path, `only ${written} of ${file.size} bytes arrived`);
      continue;
    }
    return await finish(job, fh, hasher, written);
  }
}
