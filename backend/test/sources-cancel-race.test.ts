import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadRow } from '../src/modules/sources/sources.repository.js';
import { buildTestApp, registerUser, type TestApp } from './helpers.js';
import { listTree, startFixtureMirror, waitFor, type MirrorFixture } from './hub-fixture.js';
import { wireHubParts } from './sources-wiring.js';

const REPO = 'test-lab/race';

let fx: MirrorFixture;
let t: TestApp;

beforeAll(async () => {
  fx = await startFixtureMirror({
    extraRepos: [{ id: REPO, meta: { pipeline_tag: 'text-to-speech' }, files: { 'config.json': '{}\n', 'weights.bin': { randomBytes: 200_000, seed: 'race' } } }],
  });
  // The app's own runners stay stopped: the manager under test is the only one claiming rows.
  t = await buildTestApp(fx.env, { start: false });
});
afterAll(async () => {
  await t.close();
  await fx.close();
});

const wire = (afterClaim: (row: DownloadRow) => Promise<void>) => wireHubParts(t, afterClaim);

describe('cancel between claim and start', () => {
  it('leaves no models row and no files when the cancel commits before the manager starts the transfer', async () => {
    const u = await registerUser(t.app);
    const viewer = { id: u.user.id, role: u.user.role };
    let cancel: Promise<unknown> | null = null;
    let released = false;
    const parts = wire(async (row) => {
      // The row is `running` in the database; the manager has not registered the job yet.
      cancel = parts.sources.cancelDownload(viewer.id, row.id);
      await waitFor(async () => (await parts.repo.getDownload(row.id))?.status === 'cancelled', 'the cancel to commit');
      released = true;
    });
    await parts.start();
    try {
      const { record } = await parts.sources.createDownload(viewer, { repoId: REPO, revision: 'main' });
      await waitFor(async () => released, 'the claim hook to release');
      await cancel;
      // Let the manager finish whatever it started after the hook.
      await new Promise((r) => setImmediate(r));
      await waitFor(async () => !parts.manager.isActive(record.id), 'the job to end');

      const row = await parts.repo.getDownload(record.id);
      expect(row?.status).toBe('cancelled');
      const models = await t.pool.query(`SELECT status FROM models WHERE repo_id = $1`, [REPO]);
      expect(models.rows).toEqual([]);
      const dir = path.join(t.config.paths.models, 'test-lab', 'race');
      expect(await listTree(dir)).toEqual([]);
      await expect(fsp.stat(dir)).rejects.toThrow();
    } finally {
      await parts.stop();
      await parts.hub.close();
    }
  });
});
