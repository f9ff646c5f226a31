import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../platform/http/errors.js';
import { fileCheckFailed, hubBadResponse, hubUnreachable, unsafePath } from './hub.errors.js';
import type { HubHttp } from './hub.http.js';
import { ensureInside, fileTarget } from './hub.paths.js';

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

/** Per-file write buffer: bounds memory per file in flight and lets writes batch. */
const WRITE_BUFFER = 4 * 1024 * 1024;

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

interface Hashers {
  sha256: Hash;
  git: Hash | null;
}

function newHashers(file: PlannedFile): Hashers {
  const git = file.gitOid ? createHash('sha1').update(`blob ${file.size}\0`) : null;
  return { sha256: createHash('sha256'), git };
}

/** Hashes the first `length` bytes of a file (a `.part` being resumed), streaming. */
async function hashPrefix(file: string, length: number, hashers: Hashers, signal?: AbortSignal): Promise<void> {
  if (length === 0) return;
  const stream = createReadStream(file, { start: 0, end: length - 1, highWaterMark: 1 << 20 });
  await pipeline(
    stream,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hashers.sha256.update(chunk);
        hashers.git?.update(chunk);
      }
      yield* [];
    },
    signal ? { signal } : {},
  );
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

function checkDigests(file: PlannedFile, size: number, hashers: Hashers): { ok: true; sha256: string } | { ok: false; why: string } {
  const sha256 = hashers.sha256.digest('hex');
  if (size !== file.size) return { ok: false, why: `size ${size} is not the expected ${file.size}` };
  if (file.sha256 && sha256 !== file.sha256.toLowerCase()) return { ok: false, why: `sha256 ${sha256} is not the expected ${file.sha256}` };
  if (file.gitOid && hashers.git) {
    const oid = hashers.git.digest('hex');
    if (oid !== file.gitOid.toLowerCase()) return { ok: false, why: `git oid ${oid} is not the expected ${file.gitOid}` };
  }
  return { ok: true, sha256 };
}

/** Is the file already in place with the right content? Hashes it to be sure. */
async function verifyExisting(target: string, file: PlannedFile, signal?: AbortSignal): Promise<string | null> {
  const size = await sizeOf(target);
  if (size === null) return null;
  if (size !== file.size) return null;
  const hashers = newHashers(file);
  await hashPrefix(target, size, hashers, signal);
  const check = checkDigests(file, size, hashers);
  return check.ok ? check.sha256 : null;
}

function parseContentRange(value: string | undefined): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (!m) return null;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

/**
 * Downloads one file into `<dest>/<path>.part`, resuming from what is there (Range; a 200 answer restarts it),
 * hashing as it streams, then checks size and digests and renames it into place atomically.
 */
export async function fetchFile(opts: FetchFileOptions): Promise<FetchedFile> {
  const { file, signal } = opts;
  const target = fileTarget(opts.dest, file.path);
  const part = partPath(target);
  const onBytes = opts.onBytes ?? (() => undefined);
  const maxAttempts = opts.maxAttempts ?? 5;
  await prepareFolder(opts.dest, target).catch((err: unknown) => {
    throw fsError(err, file.path) ?? err;
  });

  const present = await verifyExisting(target, file, signal);
  if (present) {
    await fsp.rm(part, { force: true });
    onBytes(file.size, false);
    return { path: file.path, size: file.size, sha256: present, lfs: file.lfs, skipped: true, resumedFrom: 0 };
  }
  await fsp.rm(target, { force: true });

  let failures = 0;
  let resumedFrom = 0;
  let counted = 0; // bytes of this file reported through onBytes
  const account = (total: number, network: boolean) => {
    if (total !== counted) onBytes(total - counted, network);
    counted = total;
  };

  try {
    for (;;) {
      let offset = (await sizeOf(part)) ?? 0;
      if (offset > file.size) {
        await fsp.truncate(part, 0);
        offset = 0;
      }
      const hashers = newHashers(file);
      await hashPrefix(part, offset, hashers, signal);
      if (counted === 0 && offset > 0) resumedFrom = offset;
      account(offset, false);

      let written = offset;
      if (offset < file.size || file.size === 0) {
        const res = await opts.http.get(resolveUrl(opts.http, opts.repoId, opts.commit, file.path), {
          token: opts.token,
          repoId: opts.repoId,
          signal,
          headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
          accept416: true,
          highWaterMark: 1024 * 1024,
        });
        const linked = res.hops.map((h) => h['x-linked-size']).find((v) => v !== undefined);
        if (linked !== undefined && Number(linked) !== file.size) {
          await res.body.dump().catch(() => undefined);
          throw fileCheckFailed(file.path, `the Hub reports ${linked} bytes, the file list ${file.size}`);
        }
        if (res.status === 416) {
          await res.body.dump().catch(() => undefined);
          // Nothing past our offset: either we have it all, or the .part is wrong and starts over.
          if (offset !== file.size) {
            await fsp.truncate(part, 0);
            if (++failures >= maxAttempts) throw hubBadResponse(opts.http.endpoint, `range refused for ${file.path}`);
            continue;
          }
        } else {
          let append = offset > 0;
          if (res.status === 206) {
            const range = parseContentRange(res.headers['content-range']);
            if (!range || range.start !== offset || (range.total !== null && range.total !== file.size)) {
              await res.body.dump().catch(() => undefined);
              await fsp.truncate(part, 0);
              if (++failures >= maxAttempts) throw hubBadResponse(opts.http.endpoint, `wrong range answer for ${file.path}`);
              continue;
            }
          } else if (offset > 0) {
            // 200 to a Range request: the server sends everything; start this file again from zero.
            append = false;
            written = 0;
            resumedFrom = 0;
            account(0, false);
            const fresh = newHashers(file);
            hashers.sha256 = fresh.sha256;
            hashers.git = fresh.git;
          }
          const before = written;
          try {
            // A synchronous Transform hashes each chunk on its way to disk; a large write buffer lets the
            // file stream batch chunks into writev calls. Memory stays bounded by the buffers, not the file.
            const meter = new Transform({
              readableHighWaterMark: WRITE_BUFFER,
              writableHighWaterMark: WRITE_BUFFER,
              transform(chunk: Buffer, _enc, done) {
                written += chunk.length;
                if (written > file.size) {
                  done(fileCheckFailed(file.path, `more than the expected ${file.size} bytes`));
                  return;
                }
                hashers.sha256.update(chunk);
                hashers.git?.update(chunk);
                account(written, true);
                done(null, chunk);
              },
            });
            await pipeline(
              res.body,
              meter,
              createWriteStream(part, { flags: append ? 'a' : 'w', highWaterMark: WRITE_BUFFER }),
              signal ? { signal } : {},
            );
          } catch (err) {
            if (signal?.aborted || err instanceof AppError) throw err;
            const disk = fsError(err, file.path);
            if (disk) throw disk;
            // A dropped connection or an idle timeout: resume from what reached the disk.
            failures = written > before ? 1 : failures + 1;
            if (failures >= maxAttempts) {
              const why = (err as { code?: string; message?: string })?.code ?? (err as Error)?.message ?? 'connection lost';
              throw hubUnreachable(opts.http.endpoint, `the transfer of ${file.path} kept failing (${why})`);
            }
            await sleep(Math.min(5000, (opts.retryBaseMs ?? 250) * 2 ** (failures - 1)), undefined, signal ? { signal } : undefined);
            continue;
          }
          if (written < file.size) {
            if (++failures >= maxAttempts) throw fileCheckFailed(file.path, `only ${written} of ${file.size} bytes arrived`);
            continue;
          }
        }
      }

      const check = checkDigests(file, written, hashers);
      if (!check.ok) {
        await fsp.rm(part, { force: true });
        account(0, false);
        throw fileCheckFailed(file.path, check.why);
      }
      const handle = await fsp.open(part, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(part, target);
      return { path: file.path, size: file.size, sha256: check.sha256, lfs: file.lfs, skipped: false, resumedFrom };
    }
  } catch (err) {
    if (signal?.aborted) throw err;
    throw fsError(err, file.path) ?? err;
  }
}
