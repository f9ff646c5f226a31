import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';

// Every string a client can send goes through one rule (common/contracts/text.ts): no NUL, no unpaired surrogate.
let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await buildTestApp();
  token = (await registerUser(t.app)).token;
});
afterAll(() => t.close());

const NUL = 'a\u0000b';
const LONE = 'a\uD800b';
const UUID = '00000000-0000-4000-8000-000000000000';

type Case = { name: string; method: 'post' | 'put'; url: string; body: (bad: string) => Record<string, unknown>; path: string; auth?: boolean };
const bodyCases: Case[] = [
  { name: 'login', method: 'post', url: '/api/auth/login', body: (v) => ({ login: `alice${v}`, password: 'x' }), path: 'login', auth: false },
  { name: 'login password', method: 'post', url: '/api/auth/login', body: (v) => ({ login: 'alice', password: v }), path: 'password', auth: false },
  { name: 'register username', method: 'post', url: '/api/auth/register', body: (v) => ({ email: 'n@example.com', username: v, password: 'long-enough-pass' }), path: 'username', auth: false },
  { name: 'register email', method: 'post', url: '/api/auth/register', body: (v) => ({ email: `n${v}@example.com`, username: 'n', password: 'long-enough-pass' }), path: 'email', auth: false },
  { name: 'password change', method: 'post', url: '/api/auth/password', body: (v) => ({ currentPassword: v, newPassword: 'another-long-pass' }), path: 'currentPassword' },
  { name: 'settings defaultTtsVoice', method: 'post', url: '/api/settings', body: (v) => ({ defaultTtsVoice: v }), path: 'defaultTtsVoice' },
  { name: 'training name', method: 'post', url: '/api/training', body: (v) => ({ name: v, datasetId: UUID }), path: 'name' },
  { name: 'training column', method: 'post', url: '/api/training', body: (v) => ({ datasetId: UUID, textColumn: v }), path: 'textColumn' },
  { name: 'tts text', method: 'post', url: '/api/tts', body: (v) => ({ text: `سلام ${v}`, voiceId: 'espeak:fa' }), path: 'text' },
  { name: 'tts voiceId', method: 'post', url: '/api/tts', body: (v) => ({ text: 'سلام', voiceId: v }), path: 'voiceId' },
  { name: 'tts history text', method: 'post', url: '/api/tts/history', body: (v) => ({ text: v, voiceId: 'espeak:fa' }), path: 'text' },
  { name: 'download repoId', method: 'post', url: '/api/sources/download', body: (v) => ({ repoId: `sokhan-lab/x${v}` }), path: 'repoId' },
  { name: 'download include', method: 'post', url: '/api/sources/download', body: (v) => ({ repoId: 'sokhan-lab/x', include: ['*.json', v] }), path: 'include.1' },
  { name: 'hub token', method: 'put', url: '/api/settings/huggingface/token', body: (v) => ({ token: `hf_${v}` }), path: 'token' },
  { name: 'predict cell', method: 'post', url: `/api/models/${UUID}/predict`, body: (v) => ({ rows: [{ text: v }] }), path: 'rows.0.text' },
  { name: 'predict key', method: 'post', url: `/api/models/${UUID}/predict`, body: (v) => ({ rows: [{ [v]: 'خوب' }] }), path: 'rows.0' },
];

describe('text the API refuses', () => {
  for (const c of bodyCases) {
    for (const [kind, bad] of [
      ['NUL', NUL],
      ['a lone surrogate', LONE],
    ] as const) {
      it(`${c.name}: ${kind} → 400 VALIDATION_FAILED naming ${c.path}`, async () => {
        let req = request(t.app)[c.method](c.url);
        if (c.auth !== false) req = req.set(bearer(token));
        const res = await req.send(c.body(bad));
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details).toEqual([{ path: c.path, code: 'invalid_text', message: expect.stringMatching(kind === 'NUL' ? /NUL/ : /surrogate/) }]);
      });
    }
  }

  it('query strings and path parameters: a %00 is refused the same way', async () => {
    const search = await request(t.app).get('/api/sources/search?q=%D8%B3%D9%84%D8%A7%D9%85%00').set(bearer(token));
    expect([search.status, search.body.error.details?.[0]?.path]).toEqual([400, 'q']);
    const model = await request(t.app).get('/api/sources/model/sokhan-lab/x%00y').set(bearer(token));
    expect([model.status, model.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    // An overlong UTF-8 escape cannot be decoded at all: still the client's 400, never a 500 URIError.
    const file = await request(t.app).get(`/api/models/${UUID}/files/%c0%ae%c0%ae%c0%af.env`).set(bearer(token));
    expect([file.status, file.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const dataset = await request(t.app).get('/api/datasets/%00').set(bearer(token));
    expect([dataset.status, dataset.body.error.details?.[0]?.path]).toEqual([400, 'id']);
  });

  it('a multipart upload field is refused the same way, and nothing is stored', async () => {
    const res = await request(t.app)
      .post('/api/datasets')
      .set(bearer(token))
      .field('name', NUL)
      .attach('file', Buffer.from('text,label\nخوب,1\nبد,0\n'), 'a.csv');
    expect([res.status, res.body.error.code, res.body.error.details?.[0]?.path]).toEqual([400, 'VALIDATION_FAILED', 'name']);
    const list = await request(t.app).get('/api/datasets').set(bearer(token));
    expect(list.body.total).toBe(0);
  });

  it('a NUL in a stored CSV cell is refused with its line, in the dataset problem contract', async () => {
    const res = await request(t.app)
      .post('/api/datasets')
      .set(bearer(token))
      .field('name', 'داده')
      .attach('file', Buffer.from('text,label\nخوب,1\nبد\u0000,0\n'), 'a.csv');
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('INVALID_DATASET');
    expect(res.body.error.details).toEqual([expect.objectContaining({ line: 3, reason: 'invalid-text' })]);
  });

  it('Persian with ZWNJ and emoji still passes the same rule', async () => {
    const res = await request(t.app).post('/api/settings').set(bearer(token)).send({ defaultTtsVoice: 'صدای\u200cمن 😀' });
    expect(res.status).toBe(200);
    expect(res.body.preferences.defaultTtsVoice).toBe('صدای\u200cمن 😀');
  });
});
