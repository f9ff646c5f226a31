import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendFile } from './file-response.js';
import { contentDisposition, delay } from './http-util.js';
import { safeRelativePath, type RepoKind, type RepoStore } from './repo-store.js';
import type { HubMirrorStats, MirrorFaults } from './types.js';

/** Signs file-host URLs the way a CDN does: an expiry and an HMAC over what the URL grants. */
export class UrlSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {}

  url(base: string, kind: RepoKind, repoId: string, sha256: string, relPath: string): string {
    const expires = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    const encodedPath = relPath.split('/').map(encodeURIComponent).join('/');
    const query = new URLSearchParams({
      'response-content-disposition': contentDisposition(relPath),
      Expires: String(expires),
      Signature: this.signature(kind, repoId, sha256, relPath, expires),
      'Key-Pair-Id': 'hub-mirror',
    });
    return `${base}/repos/${kind}/${repoId}/${sha256}/${encodedPath}?${query.toString()}`;
  }

  verify(kind: RepoKind, repoId: string, sha256: string, relPath: string, expires: number, signature: string): boolean {
    if (!Number.isFinite(expires) || expires * 1000 < Date.now()) return false;
    const expected = Buffer.from(this.signature(kind, repoId, sha256, relPath, expires));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private signature(kind: RepoKind, repoId: string, sha256: string, relPath: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${kind}\n${repoId}\n${sha256}\n${relPath}\n${expires}`).digest('base64url');
  }
}

export interface FileHostDeps {
  store: RepoStore;
  faults: MirrorFaults;
  stats: HubMirrorStats;
  signer: UrlSigner;
  /** Files already cut once by the dropAfterBytes fault. */
  dropped: Set<string>;
}

function sendS3Error(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The "CDN": serves LFS bytes behind signed URLs and, like signed-URL stores, refuses a second auth mechanism. */
export function createFileHostHandler(deps: FileHostDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { faults, stats } = deps;
    stats.fileRequests += 1;
    if (req.headers.range) stats.rangeRequests += 1;
    if (faults.delayMs && faults.delayMs > 0) await delay(faults.delayMs);
    if (faults.failNext5xx && faults.failNext5xx > 0) {
      faults.failNext5xx -= 1;
      stats.failed5xx += 1;
      sendS3Error(req, res, 503, 'ServiceUnavailable', 'Please reduce your request rate.');
      return;
    }
    if (req.headers.authorization !== undefined) {
      stats.authRejected += 1;
      sendS3Error(
        req,
        res,
        400,
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendS3Error(req, res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
      return;
    }

    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const m = /^\/repos\/(model|dataset)\/([^/]+)\/([^/]+)\/([0-9a-f]{64})\/(.+)$/.exec(rawPath);
    let relPath: string | null = null;
    if (m?.[5]) {
      try {
        relPath = safeRelativePath(decodeURIComponent(m[5]));
      } catch {
        relPath = null;
      }
    }
    if (!m || !relPath) {
      sendS3Error(req, res, 404, 'NoSuchKey', 'The specified key does not exist.');
      return;
    }
    const kind = m[1] as RepoKind;
    const owner = m[2] ?? '';
    const name = m[3] ?? '';
    const sha256 = m[4] ?? '';
    const repoId = `${owner}/${name}`;
    const expires = Number(query.get('Expires'));
    if (!deps.signer.verify(kind, repoId, sha256, relPath, expires, query.get('Signature') ?? '')) {
      sendS3Error(req, res, 403, 'AccessDenied', 'Request has expired or the signature does not match.');
      return;
    }

    const header = await deps.store.findRepo(kind, owner, name);
    const snapshot = header ? await deps.store.snapshot(header) : null;
    const file = snapshot?.files.find((f) => f.path === relPath && f.sha256 === sha256);
    if (!file) {
      sendS3Error(req, res, 404, 'NoSuchKey', 'The specified key does not exist.');
      return;
    }
    const disposition = query.get('response-content-disposition');
    await sendFile(
      req,
      res,
      { absPath: file.absPath, size: file.size, mtimeMs: file.mtimeMs, relPath: file.path, repoId, etag: `"${file.sha256}${faults.etagSuffix ?? ''}"` },
      {
        faults,
        stats,
        headers: disposition ? { 'Content-Disposition': disposition } : {},
        contentType: 'application/octet-stream',
        ignoreRange: faults.ignoreRange === true,
        drop: { key: `${kind}:${repoId}/${file.path}`, dropped: deps.dropped },
      },
    );
  };
}
