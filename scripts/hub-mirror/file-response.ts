import type { IncomingMessage, ServerResponse } from 'node:http';
import { contentTypeFor, etagMatches, parseRange, streamFileBody } from './http-util.js';
import type { HubMirrorStats, MirrorFaults } from './types.js';

export interface FileToSend {
  absPath: string;
  size: number;
  mtimeMs: number;
  /** Repo-relative path, for the corrupt fault and Content-Type. */
  relPath: string;
  repoId: string;
  /** Quoted ETag value. */
  etag: string;
}

export interface SendFileOptions {
  faults: MirrorFaults;
  stats: HubMirrorStats;
  headers: Record<string, string>;
  contentType?: string;
  /** Answer Range requests with the whole body (the ignoreRange fault). */
  ignoreRange: boolean;
  drop: { key: string; dropped: Set<string> } | null;
}

/** A file answer with conditional requests and single ranges: 200, 206, 304 or 416. */
export async function sendFile(req: IncomingMessage, res: ServerResponse, file: FileToSend, opts: SendFileOptions): Promise<void> {
  const base: Record<string, string | number> = {
    ETag: file.etag,
    'Last-Modified': new Date(file.mtimeMs).toUTCString(),
    ...opts.headers,
  };
  if (!opts.ignoreRange) base['Accept-Ranges'] = 'bytes';

  if (etagMatches(req.headers['if-none-match'], file.etag)) {
    res.writeHead(304, base);
    res.end();
    return;
  }

  let range = opts.ignoreRange ? ({ kind: 'none' } as const) : parseRange(req.headers.range, file.size);
  const ifRange = req.headers['if-range'];
  if (ifRange && ifRange !== file.etag && range.kind !== 'none') range = { kind: 'none' };

  if (range.kind === 'unsatisfiable') {
    const body = 'Requested Range Not Satisfiable';
    res.writeHead(416, {
      ...base,
      'Content-Range': `bytes */${file.size}`,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }

  const start = range.kind === 'range' ? range.start : 0;
  const end = range.kind === 'range' ? range.end : file.size - 1;
  const headers: Record<string, string | number> = {
    ...base,
    'Content-Type': opts.contentType ?? contentTypeFor(file.relPath),
    'Content-Length': Math.max(0, end - start + 1),
  };
  if (range.kind === 'range') headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
  res.writeHead(range.kind === 'range' ? 206 : 200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const target = opts.faults.corruptFile;
  const corrupt = target !== undefined && (target === file.relPath || target === `${file.repoId}/${file.relPath}`);
  await streamFileBody(res, { absPath: file.absPath, start, end, faults: opts.faults, stats: opts.stats, corrupt, drop: opts.drop });
}
