import { setTimeout as sleep } from 'node:timers/promises';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { AppError } from '../../platform/http/errors.js';
import type { Logger } from '../../platform/logger.js';
import { fileGet, type FileBody } from './file-body.js';
import { ConnPool } from './file-connection.js';
import { gatedRepo, hubBadResponse, hubRateLimited, hubUnreachable, invalidToken, repoNotFound } from './hub.errors.js';
import { proxiesNow, proxyFor, type ProxySettings } from './proxy-route.js';

export interface HubHttpOptions {
  /** HF_ENDPOINT: the only origin that ever receives the user's token. */
  endpoint: string;
  /** Connect, response-headers and idle-body timeout, each. */
  timeoutMs: number;
  /** Extra attempts after the first on network errors, 5xx and 429. */
  retries: number;
  /** First backoff step; doubles each attempt (with jitter), capped at 10 s. */
  retryBaseMs?: number;
  /** A 429 asking to wait longer than this fails at once with HUB_RATE_LIMITED. */
  maxRetryAfterMs?: number;
  /** Defaults to HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment. */
  proxy?: ProxySettings;
  logger?: Logger;
}

/** What a Hub call is about, so failures map to the right typed error. */
export interface CallContext {
  repoId?: string;
  /** The call checks a token (whoami): a 401 means the token is invalid, whatever else. */
  tokenCheck?: boolean;
}

export interface SendOptions extends CallContext {
  token?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Refuse redirects that leave the endpoint's origin (API calls; file downloads may go to a CDN). */
  sameOriginRedirects?: boolean;
}

export interface HubResponse<B = Dispatcher.ResponseData['body']> {
  status: number;
  /** Headers of the final answer. */
  headers: Record<string, string>;
  /** Headers of every hop, first to last (the Hub's X-Linked-* live on the redirect). */
  hops: Record<string, string>[];
  body: B;
  url: string;
}

/** How one hop goes out and how its body is read: undici for API calls, the slab-filling client for file bodies. */
interface Transport<B> {
  send(url: string, headers: Record<string, string>, opts: SendOptions): Promise<{ status: number; headers: Record<string, string>; body: B }>;
  /** Reads away a redirect's body (keeping the connection when it is small). */
  discard(body: B): Promise<void>;
  text(body: B, max: number): Promise<string>;
}

/** How long an idle file-host connection is kept; servers close theirs after about 5 s. */
const FILE_KEEP_ALIVE_MS = 4_000;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RETRY_STATUSES = new Set([500, 502, 503, 504]);
const MAX_REDIRECTS = 5;
const MAX_JSON_BYTES = 64 * 1024 * 1024;

function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (err as { name?: string })?.name === 'AbortError';
}

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const msg = e?.cause?.message ?? e?.message ?? String(err);
  return code ? `${code} (${msg})` : msg;
}

/**
 * HTTP to the Hub, over undici for API calls and over file-body.ts for file bytes: proxies from the environment,
 * timeouts, manual redirects that carry the token only on the endpoint's own origin, retries with backoff, and
 * Hub answers mapped to typed AppErrors.
 */
export class HubHttp {
  readonly endpoint: string;
  readonly origin: string;
  private readonly dispatcher: Dispatcher;
  private readonly files = new ConnPool(FILE_KEEP_ALIVE_MS);
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly api: Transport<Dispatcher.ResponseData['body']>;
  private readonly file: Transport<FileBody>;

  constructor(private readonly opts: HubHttpOptions) {
    const url = new URL(opts.endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`HF_ENDPOINT must be http(s): ${opts.endpoint}`);
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    this.origin = url.origin;
    this.retryBaseMs = opts.retryBaseMs ?? 400;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
    this.dispatcher = new EnvHttpProxyAgent({
      ...(opts.proxy ?? {}),
      connect: { timeout: opts.timeoutMs },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 10_000,
    });
    this.api = {
      send: async (url, headers, o) => {
        const res = await request(url, { method: 'GET', headers, dispatcher: this.dispatcher, signal: o.signal, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs });
        return { status: res.statusCode, headers: flatHeaders(res.headers), body: res.body };
      },
      discard: (body) => body.dump().then(() => undefined),
      text: (body, max) => readText(body, max),
    };
    const proxies = proxiesNow(opts.proxy);
    this.file = {
      send: (url, headers, o) => {
        const target = new URL(url);
        const options = { pool: this.files, proxy: proxyFor(target, proxies), timeoutMs: opts.timeoutMs, ...(o.signal ? { signal: o.signal } : {}) };
        return fileGet(target, { ...headers, 'Accept-Encoding': 'identity' }, options);
      },
      discard: (body) => body.dump(),
      text: (body, max) => body.text(max),
    };
  }

  url(pathAndQuery: string): string {
    return `${this.endpoint}${pathAndQuery}`;
  }

  /**
   * One GET with retries. Answers 2xx (and 416 when `accept416`) are returned with their body open;
   * any other status becomes a typed AppError.
   */
  get(url: string, opts: SendOptions & { accept416?: boolean } = {}): Promise<HubResponse> {
    return this.send(url, opts, this.api);
  }

  /**
   * A GET for file bytes, as get() (redirects, retries, errors) but over HubHttp's own HTTP/1.1 client: the body
   * is read straight into the reader's buffers (see FileBody), which keeps a multi-GB transfer free of
   * per-chunk garbage. Proxies are chosen by the same rules as for API calls.
   */
  getFile(url: string, opts: SendOptions & { accept416?: boolean } = {}): Promise<HubResponse<FileBody>> {
    return this.send(url, opts, this.file);
  }

  private async send<B>(url: string, opts: SendOptions & { accept416?: boolean }, transport: Transport<B>): Promise<HubResponse<B>> {
    let attempt = 0;
    for (;;) {
      let res: HubResponse<B>;
      try {
        res = await this.follow(url, opts, transport);
      } catch (err) {
        if (err instanceof AppError || isAbort(err, opts.signal)) throw err;
        if (attempt < this.opts.retries) {
          this.opts.logger?.debug({ url: redact(url), attempt, err: describeNetworkError(err) }, 'hub request failed, retrying');
          await this.backoff(attempt++, null, opts.signal);
          continue;
        }
        throw hubUnreachable(this.endpoint, describeNetworkError(err));
      }
      if ((res.status >= 200 && res.status < 300) || (res.status === 416 && opts.accept416)) return res;

      const text = await transport.text(res.body, 64 * 1024).catch(() => '');
      if (res.status === 429) {
        const wait = retryAfterMs(res.headers['retry-after']);
        if (attempt < this.opts.retries && (wait === null || wait <= this.maxRetryAfterMs)) {
          await this.backoff(attempt++, wait, opts.signal);
          continue;
        }
        throw hubRateLimited(wait === null ? null : Math.ceil(wait / 1000));
      }
      if (RETRY_STATUSES.has(res.status) || (res.status >= 500 && res.status < 600)) {
        if (attempt < this.opts.retries && RETRY_STATUSES.has(res.status)) {
          await this.backoff(attempt++, retryAfterMs(res.headers['retry-after']), opts.signal);
          continue;
        }
        throw hubUnreachable(this.endpoint, `the Hub answered ${res.status}`);
      }
      throw this.statusError(res, text, opts);
    }
  }

  /**
   * GET + JSON parse with a size cap; the parsed value is checked by the caller's zod schema. API calls follow
   * the Hub's redirects (a renamed repo answers a relative 307) on the endpoint's origin only; `url` is the
   * final one.
   */
  async getJson(url: string, opts: SendOptions = {}): Promise<{ data: unknown; headers: Record<string, string>; url: string }> {
    const res = await this.get(url, { ...opts, sameOriginRedirects: true, headers: { Accept: 'application/json', ...(opts.headers ?? {}) } });
    let text: string;
    try {
      text = await readText(res.body, MAX_JSON_BYTES);
    } catch (err) {
      if (isAbort(err, opts.signal)) throw err;
      throw hubUnreachable(this.endpoint, describeNetworkError(err));
    }
    try {
      return { data: JSON.parse(text) as unknown, headers: res.headers, url: res.url };
    } catch {
      throw hubBadResponse(this.endpoint, 'the body is not JSON');
    }
  }

  close(): Promise<void> {
    this.files.close();
    return this.dispatcher.close();
  }

  /** Follows redirects by hand: the Authorization header goes to the endpoint's origin only. */
  private async follow<B>(start: string, opts: SendOptions, transport: Transport<B>): Promise<HubResponse<B>> {
    let url = start;
    const hops: Record<string, string>[] = [];
    for (let i = 0; ; i += 1) {
      const target = new URL(url);
      const headers: Record<string, string> = { 'User-Agent': 'sokhan/0.1 (+huggingface_hub-compatible)', ...(opts.headers ?? {}) };
      if (opts.token && target.origin === this.origin) headers.Authorization = `Bearer ${opts.token}`;
      const res = await transport.send(url, headers, opts);
      const h = res.headers;
      hops.push(h);
      if (REDIRECTS.has(res.status) && h.location) {
        await transport.discard(res.body).catch(() => undefined);
        if (i >= MAX_REDIRECTS) throw hubBadResponse(this.endpoint, 'too many redirects');
        const next = new URL(h.location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') throw hubBadResponse(this.endpoint, 'redirect to a non-HTTP URL');
        if (opts.sameOriginRedirects && next.origin !== this.origin) throw hubBadResponse(this.endpoint, 'an API redirect points to another host');
        url = next.toString();
        continue;
      }
      return { status: res.status, headers: h, hops, body: res.body, url };
    }
  }

  private async backoff(attempt: number, retryAfter: number | null, signal?: AbortSignal): Promise<void> {
    const exp = Math.min(10_000, this.retryBaseMs * 2 ** attempt);
    const wait = retryAfter ?? Math.round(exp * (0.5 + Math.random() * 0.5));
    await sleep(wait, undefined, signal ? { signal } : undefined);
  }

  private statusError(res: HubResponse<unknown>, text: string, ctx: SendOptions): AppError {
    const code = res.headers['x-error-code'];
    const repoId = ctx.repoId ?? '';
    const hasToken = Boolean(ctx.token);
    const hubMessage = hubErrorMessage(text);
    if (ctx.tokenCheck && res.status === 401) return invalidToken();
    if (code === 'GatedRepo') return gatedRepo(repoId, hasToken);
    if (res.status === 401) {
      // An invalid token is refused on every call; with no token, a 401 means private or missing.
      if (hasToken && /invalid credentials|invalid user token|invalid token/i.test(hubMessage)) {
        return invalidToken('the saved Hub token was refused by the Hub; save a new one in settings');
      }
      return repoNotFound(repoId);
    }
    if (res.status === 403) return gatedRepo(repoId, hasToken);
    if (res.status === 404) {
      if (code === 'RevisionNotFound') return repoNotFound(repoId, `revision not found in ${repoId}`);
      if (code === 'EntryNotFound') return repoNotFound(repoId, `a file of ${repoId} was not found`);
      return repoNotFound(repoId);
    }
    if (res.status === 416) return hubBadResponse(this.endpoint, 'range not satisfiable');
    return hubBadResponse(this.endpoint, `status ${res.status}${hubMessage ? `: ${hubMessage.slice(0, 200)}` : ''}`);
  }
}

function hubErrorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : '';
  } catch {
    return '';
  }
}

/** Reads a body as UTF-8 text, refusing more than `max` bytes. */
export async function readText(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy?.();
      throw new Error(`answer larger than ${max} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Signed URL query strings stay out of logs. */
function redact(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}
