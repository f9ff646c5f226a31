import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { PassThrough, Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';
import type { ModelArchiveProblem, ModelArchiveReason } from '@sokhan/common';
import archiver from 'archiver';
import unzipper from 'unzipper';
import { AppError } from '../../platform/http/errors.js';

/**
 * Zip files of model archives. Writing streams through archiver; reading trusts nothing: unzipper only parses
 * the central directory, every name, type and size is checked here before a byte is written, and each entry is
 * inflated by us into a file of our naming, held to its declared size, its CRC-32 checked.
 */

/** A refused archive: its reason and entry become the details of the 422 (413 for the size limits). */
export class ArchiveProblem extends Error {
  constructor(
    readonly reason: ModelArchiveReason,
    readonly entry: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'ArchiveProblem';
  }

  toAppError(): AppError {
    const status = this.reason === 'too-large' || this.reason === 'too-many-entries' ? 413 : 422;
    const detail: ModelArchiveProblem = { reason: this.reason, entry: this.entry, message: this.message };
    return new AppError(status, 'INVALID_MODEL_ARCHIVE', `the model archive was refused: ${this.message}`, [detail]);
  }
}

export const problem = (reason: ModelArchiveReason, entry: string | null, message: string) => new ArchiveProblem(reason, entry, message);

// ---- writing ----

export type ZipSource = { name: string; data: Buffer | string } | { name: string; file: string };

/** Streams a zip of `entries` (in this order) into `out`; rejects on the first read or write error. */
export async function writeZip(out: Writable, entries: readonly ZipSource[], date = new Date()): Promise<void> {
  const zip = archiver('zip', { zlib: { level: 6 } });
  const done = pipeline(zip, out);
  // Files go in as streams: archiver's file() stats them first and can let later entries overtake them.
  for (const e of entries) zip.append('file' in e ? createReadStream(e.file) : e.data, { name: e.name, date, mode: 0o644 });
  await Promise.all([zip.finalize(), done]);
}

// ---- reading ----

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipLimits {
  maxEntries: number;
  maxUncompressedBytes: number;
}

const LOCAL_HEADER = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
/** "Made by" host 3 is Unix: only then do the high 16 bits of the external attributes hold a file mode. */
const UNIX_HOST = 3;

/**
 * The archive's entries after the checks every entry must pass: a plain file name at the root (no absolute path,
 * no `..`, no folder, no symlink), none twice, each accepted by `allowed`, not encrypted, stored or deflated, and
 * all their declared sizes within the budget.
 */
export async function readZipEntries(file: string, limits: ZipLimits, allowed: (name: string) => boolean): Promise<ZipEntry[]> {
  const head = await readBytes(file, 0, 4);
  let directory: Awaited<ReturnType<typeof unzipper.Open.file>>;
  try {
    if (head.length < 4) throw new Error('too short');
    directory = await unzipper.Open.file(file);
  } catch {
    // A zip starts with a local file header; one whose end (the central directory) is missing was cut short.
    if (head.length === 4 && head.readUInt32LE(0) === LOCAL_HEADER) throw problem('truncated', null, 'the zip file is cut short: its central directory is missing');
    throw problem('not-a-zip', null, 'the file is not a zip archive');
  }
  if (directory.files.length > limits.maxEntries) {
    throw problem('too-many-entries', null, `the archive has ${directory.files.length} entries; at most ${limits.maxEntries} are accepted`);
  }
  const seen = new Set<string>();
  const entries: ZipEntry[] = [];
  let total = 0;
  for (const f of directory.files) {
    const name = f.path;
    const path = name.replace(/\\/g, '/');
    if (path.includes('\u0000')) throw problem('unsafe-path', name, 'an entry name holds a NUL character');
    if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw problem('absolute-path', name, `"${name}" is an absolute path`);
    if (path.split('/').includes('..')) throw problem('unsafe-path', name, `"${name}" points outside the archive`);
    if (f.versionMadeBy >>> 8 === UNIX_HOST && ((f.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw problem('symlink', name, `"${name}" is a symbolic link`);
    if (path.includes('/')) throw problem('unexpected-entry', name, `"${name}" is in a folder; every file of a model archive sits at its root`);
    // Compared without case too: on a case-insensitive disk two such names are one file.
    const key = name.toLowerCase();
    if (seen.has(key)) throw problem('duplicate-entry', name, `"${name}" appears twice`);
    seen.add(key);
    if (!allowed(name)) throw problem('unexpected-entry', name, `"${name}" is not a file a model archive holds`);
    if (f.flags & 0x1) throw problem('encrypted', name, `"${name}" is encrypted`);
    if (f.compressionMethod !== 0 && f.compressionMethod !== 8) throw problem('unsupported-compression', name, `"${name}" uses compression method ${f.compressionMethod} (only stored and deflate are read)`);
    total += f.uncompressedSize;
    if (total > limits.maxUncompressedBytes) throw problem('too-large', name, `the files unpack to more than ${Math.round(limits.maxUncompressedBytes / 2 ** 20)} MB`);
    entries.push({ name, method: f.compressionMethod, crc32: f.crc32 >>> 0, compressedSize: f.compressedSize, uncompressedSize: f.uncompressedSize, localHeaderOffset: f.offsetToLocalFileHeader });
  }
  return entries;
}

/**
 * Unpacks one entry into `target` (created, never overwritten); returns its SHA-256. It may not inflate past its
 * declared size, so the declared total readZipEntries checked bounds what lands on disk.
 */
export async function extractEntry(file: string, entry: ZipEntry, target: string): Promise<string> {
  const header = await readBytes(file, entry.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_HEADER) throw problem('corrupt-entry', entry.name, `"${entry.name}" has no local header where the directory says`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const sha = createHash('sha256');
  let crc = 0;
  let written = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      written += chunk.length;
      if (written > entry.uncompressedSize) return callback(problem('corrupt-entry', entry.name, `"${entry.name}" unpacks to more than its declared ${entry.uncompressedSize} bytes`));
      crc = crc32(chunk, crc);
      sha.update(chunk);
      callback(null, chunk);
    },
  });
  const source: Readable = entry.compressedSize > 0 ? createReadStream(file, { start, end: start + entry.compressedSize - 1 }) : Readable.from([]);
  try {
    await pipeline(source, entry.method === 8 ? createInflateRaw() : new PassThrough(), check, createWriteStream(target, { flags: 'wx', mode: 0o644 }));
  } catch (err) {
    if (err instanceof ArchiveProblem) throw err;
    throw problem('corrupt-entry', entry.name, `"${entry.name}" could not be unpacked (${(err as Error).message})`);
  }
  if (written !== entry.uncompressedSize) throw problem('corrupt-entry', entry.name, `"${entry.name}" unpacks to ${written} bytes, not the declared ${entry.uncompressedSize}`);
  if (crc >>> 0 !== entry.crc32) throw problem('corrupt-entry', entry.name, `"${entry.name}" fails its CRC-32 check`);
  return sha.digest('hex');
}

async function readBytes(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
