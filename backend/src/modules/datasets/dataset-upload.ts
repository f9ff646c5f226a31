import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { AppError } from '../../platform/http/errors.js';

export interface UploadSource {
  headers: IncomingHttpHeaders;
  body: Readable;
}

export interface ReceivedFile {
  path: string;
  originalName: string | null;
  sizeBytes: number;
  /** The first bytes, for guessing the format. */
  head: Buffer;
}

export interface ReceivedUpload {
  fields: Record<string, string>;
  file: ReceivedFile | null;
}

// Enough for the first records of a typical labelled corpus: header detection and format sniffing read them.
const HEAD_BYTES = 16_384;
/** Bodies this far past the limit are refused at once, without reading them. */
const HOPELESS_FACTOR = 4;

/** The first bytes of a file already on disk (a sample's copy), as receiveUpload keeps them from a stream. */
export async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export const payloadTooLarge = (maxBytes: number) =>
  new AppError(413, 'PAYLOAD_TOO_LARGE', `the file is larger than ${Math.round(maxBytes / (1024 * 1024))} MB`, undefined, { Connection: 'close' });

/**
 * Streams a multipart/form-data body: the part named `file` goes to `<dir>/<storedName>` (never the client's
 * name) as it arrives, at most `maxBytes`; text fields are collected. Over the limit the partial file is
 * removed, the rest of the body is read and dropped (so the client sees the answer) and 413 is thrown.
 */
export async function receiveUpload(src: UploadSource, opts: { dir: string; storedName: string; maxBytes: number; what?: string }): Promise<ReceivedUpload> {
  const type = src.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `send ${opts.what ?? 'the dataset'} as multipart/form-data with a "file" part`);
  }
  const declared = Number(src.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > opts.maxBytes * HOPELESS_FACTOR + 1024 * 1024) {
    throw payloadTooLarge(opts.maxBytes);
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: src.headers,
      limits: { fileSize: opts.maxBytes, files: 1, fields: 20, fieldSize: 16 * 1024, parts: 25 },
      defParamCharset: 'utf8',
    });
  } catch {
    throw new AppError(400, 'VALIDATION_FAILED', 'malformed multipart body');
  }
  const target = path.join(opts.dir, opts.storedName);
  const fields: Record<string, string> = {};
  let file: ReceivedFile | null = null;
  let writing: Promise<void> | null = null;
  let tooLarge = false;
  let fieldTooLong: string | null = null;

  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) fieldTooLong = name;
    else fields[name] = value;
  });
  parser.on('file', (name, stream, info) => {
    if (name !== 'file' || file) {
      stream.resume();
      return;
    }
    const received: ReceivedFile = { path: target, originalName: info.filename ? path.basename(info.filename) : null, sizeBytes: 0, head: Buffer.alloc(0) };
    file = received;
    const heads: Buffer[] = [];
    let headBytes = 0;
    stream.on('data', (chunk: Buffer) => {
      received.sizeBytes += chunk.length;
      if (headBytes < HEAD_BYTES) {
        heads.push(chunk.subarray(0, HEAD_BYTES - headBytes));
        headBytes += Math.min(chunk.length, HEAD_BYTES - headBytes);
      }
    });
    stream.on('limit', () => {
      tooLarge = true;
    });
    writing = pipeline(stream, createWriteStream(target, { flags: 'wx' })).then(() => {
      received.head = Buffer.concat(heads);
    });
  });

  const finished = new Promise<void>((resolve, reject) => {
    parser.on('close', resolve);
    parser.on('error', () => reject(new AppError(400, 'VALIDATION_FAILED', 'malformed multipart body')));
    src.body.on('aborted', () => reject(new AppError(400, 'VALIDATION_FAILED', 'the upload was interrupted')));
    src.body.on('error', () => reject(new AppError(400, 'VALIDATION_FAILED', 'the upload was interrupted')));
  });
  src.body.pipe(parser);
  try {
    await finished;
    await writing;
  } catch (err) {
    src.body.unpipe(parser);
    src.body.resume();
    await (writing as Promise<void> | null)?.catch(() => undefined);
    await fs.rm(target, { force: true });
    throw err;
  }
  if (tooLarge) {
    await fs.rm(target, { force: true });
    throw payloadTooLarge(opts.maxBytes);
  }
  if (fieldTooLong) {
    await fs.rm(target, { force: true });
    throw new AppError(400, 'VALIDATION_FAILED', 'request is not valid', [{ path: fieldTooLong, message: 'too long', code: 'too_big' }]);
  }
  return { fields, file };
}
