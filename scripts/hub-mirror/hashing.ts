import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Digests of one file as the Hub reports them: the content sha256 (the LFS oid) and the git blob oid. */
export interface FileDigests {
  size: number;
  sha256: string;
  /** sha1 of "blob <size>\0" + content: what git (and the Hub, for non-LFS files) calls the oid. */
  gitBlobOid: string;
}

/** The LFS pointer file git stores in place of a large file; its length is the Hub's `pointerSize`. */
export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

export function gitBlobOid(content: Buffer | string): string {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

export function sha256Hex(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Streams the file once and computes both digests; the size header of the git oid needs the size up front. */
export async function digestFile(absPath: string, expectedSize: number): Promise<FileDigests> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1').update(`blob ${expectedSize}\0`);
  let size = 0;
  for await (const chunk of createReadStream(absPath, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    size += buf.length;
    sha256.update(buf);
    sha1.update(buf);
  }
  if (size !== expectedSize) {
    // The file changed between stat and read: hash again with the size actually read.
    return digestFile(absPath, size);
  }
  return { size, sha256: sha256.digest('hex'), gitBlobOid: sha1.digest('hex') };
}

/** sha256 of a file, streamed (never buffers the whole file). */
export async function sha256File(absPath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(absPath, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Extensions the Hub's default .gitattributes sends to LFS whatever their size. */
const LFS_EXTENSIONS = ['.onnx', '.bin', '.safetensors', '.h5', '.pt', '.pth', '.ckpt', '.tflite', '.msgpack', '.gguf'];

export const DEFAULT_LFS_THRESHOLD_BYTES = 10 * 1024;

export function isLfsFile(relPath: string, size: number, thresholdBytes = DEFAULT_LFS_THRESHOLD_BYTES): boolean {
  const lower = relPath.toLowerCase();
  return size > thresholdBytes || LFS_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** A stable 24-hex id in the shape of the Hub's Mongo `_id`. */
export function objectIdFor(key: string): string {
  return createHash('sha1').update(key).digest('hex').slice(0, 24);
}
