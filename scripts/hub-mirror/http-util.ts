import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { HubMirrorStats, MirrorFaults } from './types.js';

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** The Hub's error shape: `{"error": message}` plus X-Error-Code / X-Error-Message headers. */
export function sendHubError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  code?: string,
  headers: Record<string, string> = {},
): void {
  const extra: Record<string, string> = { 'X-Error-Message': headerSafe(message), ...headers };
  if (code) extra['X-Error-Code'] = code;
  sendJson(req, res, status, { error: message }, extra);
}

function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}

export type RangeResult = { kind: 'none' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * One `bytes=` range as S3 and the Hub's CDN read it. Malformed or multi-range headers are ignored
 * (the whole body is served), as RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return { kind: 'none' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return { kind: 'none' };
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return { kind: 'none' };
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return { kind: 'unsatisfiable' };
  if (b === '') return { kind: 'range', start, end: size - 1 };
  const end = Number(b);
  if (end < start) return { kind: 'none' };
  return { kind: 'range', start, end: Math.min(end, size - 1) };
}

export function contentDisposition(filePath: string): string {
  const base = path.posix.basename(filePath);
  const ascii = base.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `inline; filename*=UTF-8''${encodeURIComponent(base)}; filename="${ascii}";`;
}

const TEXT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.py': 'text/x-python; charset=utf-8',
};

export function contentTypeFor(filePath: string): string {
  return TEXT_TYPES[path.posix.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/** Matches an If-None-Match header against a quoted ETag (weak or strong, or `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const t = part.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

export interface BodyOptions {
  absPath: string;
  /** Inclusive byte range of the file to send; `end < start` means an empty body. */
  start: number;
  end: number;
  faults: MirrorFaults;
  stats: HubMirrorStats;
  /** Serve every byte inverted (the corruptFile fault), or only the byte at `faults.corruptByteAt`. */
  corrupt: boolean;
  /** When set, the dropAfterBytes fault applies to this body, remembered under this key. */
  drop: { key: string; dropped: Set<string> } | null;
}

/**
 * Streams part of a file into the response with backpressure, never buffering it whole. Honours the
 * throttle, corrupt and drop faults; stops quietly when the client goes away.
 */
export async function streamFileBody(res: ServerResponse, opts: BodyOptions): Promise<void> {
  const { faults, stats } = opts;
  if (opts.end < opts.start) {
    res.end();
    return;
  }
  const stream = createReadStream(opts.absPath, { start: opts.start, end: opts.end, highWaterMark: 1 << 20 });
  const dropArmed =
    opts.drop !== null && typeof faults.dropAfterBytes === 'number' && (faults.dropAlways === true || !opts.drop.dropped.has(opts.drop.key));
  if (!opts.corrupt && !dropArmed && !(faults.throttleBytesPerSec && faults.throttleBytesPerSec > 0)) {
    // No body fault when the response starts: the plain pipe is the fastest path (the download benchmark uses it).
    stream.on('data', (chunk) => {
      stats.bytesServed += chunk.length;
    });
    await pipeline(stream, res).catch(() => undefined);
    return;
  }
  const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
  let sent = 0;
  let read = opts.start;
  let rateBase = { rate: 0, at: 0, bytes: 0 };
  try {
    for await (const raw of stream) {
      let chunk = raw as Buffer;
      if (opts.corrupt) chunk = corrupted(chunk, read, faults.corruptByteAt);
      read += chunk.length;
      while (chunk.length > 0) {
        if (res.destroyed) return;
        const rate = faults.throttleBytesPerSec ?? 0;
        const piece = rate > 0 ? chunk.subarray(0, Math.max(1, Math.floor(rate / 20))) : chunk;

        const dropAfter = faults.dropAfterBytes;
        if (
          opts.drop &&
          typeof dropAfter === 'number' &&
          dropAfter >= 0 &&
          sent + piece.length > dropAfter &&
          (faults.dropAlways === true || !opts.drop.dropped.has(opts.drop.key))
        ) {
          const last = piece.subarray(0, Math.max(0, dropAfter - sent));
          await flush(res, last);
          stats.bytesServed += last.length;
          opts.drop.dropped.add(opts.drop.key);
          stats.drops += 1;
          res.socket?.destroy();
          return;
        }

        if (rate > 0) {
          if (rateBase.rate !== rate) rateBase = { rate, at: Date.now(), bytes: 0 };
          rateBase.bytes += piece.length;
          const due = rateBase.at + (rateBase.bytes / rate) * 1000;
          const wait = due - Date.now();
          if (wait > 0) await Promise.race([delay(wait), closed]);
          if (res.destroyed) return;
        } else {
          rateBase = { rate: 0, at: 0, bytes: 0 };
        }

        if (!res.write(piece)) await Promise.race([onceDrain(res), closed]);
        sent += piece.length;
        stats.bytesServed += piece.length;
        chunk = chunk.subarray(piece.length);
      }
    }
    if (!res.destroyed) res.end();
  } finally {
    stream.destroy();
  }
}

/** The chunk (starting at file offset `at`) with every byte inverted, or only the one at file offset `only`. */
function corrupted(chunk: Buffer, at: number, only: number | undefined): Buffer {
  if (only === undefined) return invert(chunk);
  if (only < at || only >= at + chunk.length) return chunk;
  const out = Buffer.from(chunk);
  out[only - at] = (out[only - at] ?? 0) ^ 0xff;
  return out;
}

function invert(chunk: Buffer): Buffer {
  const out = Buffer.allocUnsafe(chunk.length);
  for (let i = 0; i < chunk.length; i += 1) out[i] = (chunk[i] ?? 0) ^ 0xff;
  return out;
}

/** Writes and waits until the bytes reached the socket, so a following destroy cuts after them. */
function flush(res: ServerResponse, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (data.length === 0) {
      res.flushHeaders();
      setTimeout(resolve, 10);
      return;
    }
    res.write(data, () => setTimeout(resolve, 10));
  });
}

function onceDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => res.once('drain', () => resolve()));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
