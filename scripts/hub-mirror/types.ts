/**
 * Faults the mirror can inject, read on every request (and, for body faults, on every chunk), so tests can
 * change them at runtime through `mirror.faults`.
 */
export interface MirrorFaults {
  /** Answer the next N requests on the API host (API calls and resolves) with 429, Retry-After: 1 and RateLimit headers. */
  rateLimitNext?: number;
  /** The file host destroys the socket after sending this many body bytes — once per file unless `dropAlways`. */
  dropAfterBytes?: number;
  dropAlways?: boolean;
  /** The file host answers 200 with the full body to Range requests. */
  ignoreRange?: boolean;
  /** Appended to the file host's ETags (inside the quotes): the content changed, as far as a client can tell. */
  etagSuffix?: string;
  /** Serve wrong bytes (same length) for this file: a repo path (`model.onnx`) or `owner/name/model.onnx`. */
  corruptFile?: string;
  /** With corruptFile: flip only the byte at this file offset (one bad piece of a file fetched in ranges). */
  corruptByteAt?: number;
  /** Answer the next N requests (either host) with 503. */
  failNext5xx?: number;
  /** Wait this long before answering any request (either host). */
  delayMs?: number;
  /**
   * Cap the body rate of file bodies (either host), re-read per chunk of a throttled response. The cap is per
   * response, so per connection, as CDNs cap each connection: parallel ranges add up.
   */
  throttleBytesPerSec?: number;
  /**
   * repo id → extra untrusted file names (`../evil.sh`, `/etc/x`, `a\\b`, `C:/x`) listed in siblings, tree and
   * paths-info but never served, so tests can prove a client refuses them.
   */
  hostilePaths?: Record<string, string[]>;
}

/** A token the mirror accepts; `grants` are the gated or private repo ids it can read (`*` and `owner/*` work). */
export interface MirrorTokenEntry {
  name: string;
  grants?: string[];
  fullname?: string;
  email?: string;
  orgs?: string[];
  role?: 'read' | 'write' | 'fineGrained';
  displayName?: string;
}

export type MirrorTokens = Record<string, MirrorTokenEntry>;

export interface MirrorRequestLog {
  host: 'api' | 'file';
  method: string;
  /** Path and query as received (the file host's signature is cut off). */
  url: string;
  status: number;
  range: string | null;
  hasAuthorization: boolean;
  at: number;
}

export interface HubMirrorStats {
  /** Requests on the API host, resolves included. */
  apiRequests: number;
  /** GET and HEAD on /{repo}/resolve/… */
  resolveCount: number;
  /** Requests on the file host. */
  fileRequests: number;
  /** Requests carrying a Range header, either host. */
  rangeRequests: number;
  /** Body bytes written for files, either host. */
  bytesServed: number;
  /** Connections destroyed by the dropAfterBytes fault. */
  drops: number;
  rateLimited: number;
  failed5xx: number;
  /** File host requests refused with 400 because they carried an Authorization header. */
  authRejected: number;
  /** The last 500 requests, oldest first. */
  requests: MirrorRequestLog[];
}

export function emptyStats(): HubMirrorStats {
  return {
    apiRequests: 0,
    resolveCount: 0,
    fileRequests: 0,
    rangeRequests: 0,
    bytesServed: 0,
    drops: 0,
    rateLimited: 0,
    failed5xx: 0,
    authRejected: 0,
    requests: [],
  };
}
