import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createI18n } from '../app/i18n';
import { ApiError, NetworkError, buildUrl, createApiClient } from './api';
import { describeError } from './errors';
import { createTokenStore } from './token-store';
import { sendJson, startLoopbackServer, type LoopbackServer } from '../test/api-server';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

// A real HTTP server on loopback answering in the API's shapes, so the client's parsing is exercised end to end.
const routes: Record<string, Handler> = {
  'GET /ok': (req, _b, res) => json(res, 200, { auth: req.headers.authorization ?? null, q: req.url }),
  'POST /echo': (req, body, res) => json(res, 201, { got: JSON.parse(body), type: req.headers['content-type'] }),
  'GET /expired': (_r, _b, res) => json(res, 401, { error: { code: 'TOKEN_EXPIRED', message: 'expired' } }),
  'POST /login': (_r, _b, res) => json(res, 401, { error: { code: 'INVALID_CREDENTIALS', message: 'bad' } }),
  'POST /invalid': (_r, _b, res) =>
    json(res, 400, {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'bad body',
        details: [{ path: 'email', message: 'Invalid email', code: 'invalid_format' }, 'junk'],
        requestId: 'req-42',
      },
    }),
  'GET /html502': (_r, _b, res) => {
    res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'gw-1' });
    res.end('<h1>Bad gateway</h1>');
  },
  'GET /empty': (_r, _b, res) => {
    res.writeHead(204);
    res.end();
  },
  'POST /upload': (req, body, res) => json(res, 201, { bytes: body.length, type: req.headers['content-type']?.split(';')[0] }),
};

const json = sendJson;

let server: LoopbackServer;
let base: string;

beforeAll(async () => {
  server = await startLoopbackServer(
    (req, body, res) => {
      const handler = routes[`${req.method} ${req.url?.split('?')[0]}`];
      if (!handler) return json(res, 404, { error: { code: 'NOT_FOUND', message: 'nope' } });
      handler(req, body, res);
    },
    { exposeHeaders: 'x-request-id' },
  );
  base = server.base;
});

afterAll(() => server.close());

function client(token: string | null = null) {
  const tokens = createTokenStore(null);
  tokens.set(token);
  let signedOut = 0;
  const api = createApiClient({ tokens, baseUrl: base, onUnauthorized: () => (signedOut += 1) });
  return { api, tokens, signedOut: () => signedOut };
}

describe('buildUrl', () => {
  it('drops empty values and encodes the rest', () => {
    expect(buildUrl('', '/api/x', { q: 'صدا فارسی', task: '', cursor: undefined, limit: 20 })).toBe(
      '/api/x?q=%D8%B5%D8%AF%D8%A7+%D9%81%D8%A7%D8%B1%D8%B3%DB%8C&limit=20',
    );
    expect(buildUrl('', '/api/x')).toBe('/api/x');
  });
});

describe('createApiClient', () => {
  it('sends the bearer token and the query', async () => {
    const { api } = client('abc');
    const res = await api.get<{ auth: string; q: string }>('/ok', { query: { page: 2 } });
    expect(res).toEqual({ auth: 'Bearer abc', q: '/ok?page=2' });
  });

  it('sends JSON bodies', async () => {
    const { api } = client();
    const res = await api.post<{ got: unknown; type: string }>('/echo', { name: 'سخن' });
    expect(res).toEqual({ got: { name: 'سخن' }, type: 'application/json' });
  });

  it('returns undefined for 204', async () => {
    const { api } = client();
    await expect(api.get('/empty')).resolves.toBeUndefined();
  });

  it('turns the error shape into ApiError with field issues and request id', async () => {
    const { api } = client();
    const err = await api.post('/invalid', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as ApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe('VALIDATION_FAILED');
    expect(apiError.requestId).toBe('req-42');
    expect(apiError.fieldIssues).toEqual([{ path: 'email', message: 'Invalid email', code: 'invalid_format' }]);
  });

  it('maps a non-JSON gateway error to a code from its status', async () => {
    const { api } = client();
    const err = (await api.get('/html502').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.requestId).toBe('gw-1');
  });

  it('signs out on a 401 for an authenticated request', async () => {
    const c = client('old-token');
    await expect(c.api.get('/expired')).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(c.tokens.get()).toBeNull();
    expect(c.signedOut()).toBe(1);
  });

  it('does not sign out on wrong credentials', async () => {
    const c = client('kept');
    await expect(c.api.post('/login', {})).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(c.tokens.get()).toBe('kept');
    expect(c.signedOut()).toBe(0);
  });

  it('reports an unreachable server as a NetworkError', async () => {
    const tokens = createTokenStore(null);
    const api = createApiClient({ tokens, baseUrl: 'http://127.0.0.1:1' });
    await expect(api.get('/x')).rejects.toBeInstanceOf(NetworkError);
  });

  it('uploads multipart with progress through XMLHttpRequest', async () => {
    const { api } = client('t');
    const form = new FormData();
    form.append('file', new Blob(['a,b\n1,2\n'.repeat(1000)], { type: 'text/csv' }), 'data.csv');
    const seen: number[] = [];
    const res = await api.upload<{ bytes: number; type: string }>('/upload', form, { onProgress: (loaded) => seen.push(loaded) });
    expect(res.type).toBe('multipart/form-data');
    expect(res.bytes).toBeGreaterThan(8000);
  });

  it('rejects an upload with the ApiError of the answer', async () => {
    const { api } = client();
    await expect(api.upload('/nowhere', new FormData())).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});

describe('describeError', () => {
  const fa = createI18n('fa');
  it('speaks Persian for every kind of failure', () => {
    expect(describeError(fa.t, new ApiError(401, 'INVALID_CREDENTIALS', 'x')).message).toBe('نام کاربری یا رمز عبور درست نیست.');
    expect(describeError(fa.t, new ApiError(500, 'SOMETHING_NEW', 'x')).message).toBe(fa.t('errors.unexpected'));
    expect(describeError(fa.t, new NetworkError('down')).message).toBe(fa.t('errors.network'));
    expect(describeError(fa.t, new Error('stack…')).message).toBe(fa.t('errors.unexpected'));
    expect(describeError(fa.t, new ApiError(500, 'INTERNAL', 'x', undefined, 'r1')).requestId).toBe('r1');
  });
});
