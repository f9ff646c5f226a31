import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DownloadRecord, InstalledModel } from '@sokhan/common';
import type { Express } from 'express';
import request from 'supertest';
import { buildFixtureRepos, type BuildFixtureOptions, type FixtureRepo } from '../../scripts/hub-mirror/fixtures.js';
import { startHubMirror, type HubMirror, type MirrorFaults } from '../../scripts/hub-mirror/server.js';
import { bearer } from './helpers.js';

export { FIXTURE_TOKEN, GATED_REPO_ID, PRIVATE_REPO_ID } from '../../scripts/hub-mirror/fixtures.js';

export interface MirrorFixture {
  mirror: HubMirror;
  repos: FixtureRepo[];
  dir: string;
  repo(id: string): FixtureRepo;
  /** Env for buildTestApp: the mirror as HF_ENDPOINT, quick retries. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The hub-mirror on loopback over freshly built fixture repositories. */
export async function startFixtureMirror(opts: BuildFixtureOptions & { faults?: MirrorFaults } = {}): Promise<MirrorFixture> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-mirror-'));
  const repos = await buildFixtureRepos(dir, opts);
  const mirror = await startHubMirror({ dir, faults: opts.faults, onError: () => undefined });
  return {
    mirror,
    repos,
    dir,
    repo(id) {
      const r = repos.find((x) => x.id === id);
      if (!r) throw new Error(`no fixture repo ${id}`);
      return r;
    },
    env: { HF_ENDPOINT: mirror.url, HUB_RETRIES: '2', HUB_TIMEOUT_MS: '5000' },
    close: async () => {
      await mirror.close();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Every file under a folder, as paths relative to it (posix separators). */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (d: string, rel: string) => {
    for (const e of await fsp.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await visit(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  await visit(dir, '');
  return out.sort();
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls GET /api/sources/download/:id until the status is one of `statuses`. */
export function waitForDownload(app: Express, token: string, id: string, statuses: string[] = ['completed', 'failed', 'cancelled'], timeoutMs = 20_000): Promise<DownloadRecord> {
  return waitFor(async () => {
    const res = await request(app).get(`/api/sources/download/${id}`).set(bearer(token));
    const rec = res.body as DownloadRecord;
    return statuses.includes(rec.status) ? rec : null;
  }, `download ${id} to reach ${statuses.join('/')}`, timeoutMs);
}

/** Downloads each repository through the real download queue (one after another) and returns the installed models by repository id. */
export async function installRepos(app: Express, token: string, repoIds: readonly string[]): Promise<Map<string, InstalledModel>> {
  for (const repoId of repoIds) {
    const res = await request(app).post('/api/sources/download').set(bearer(token)).send({ repoId });
    if (res.status !== 202) throw new Error(`${repoId}: download answered ${res.status} ${JSON.stringify(res.body)}`);
    const done = await waitForDownload(app, token, (res.body as DownloadRecord).id);
    if (done.status !== 'completed') throw new Error(`${repoId}: ${done.status} ${done.error}`);
  }
  const list = await request(app).get('/api/sources/installed').set(bearer(token));
  return new Map((list.body.items as InstalledModel[]).map((m) => [m.repoId, m]));
}
