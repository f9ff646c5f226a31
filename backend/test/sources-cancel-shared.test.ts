import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoFolder } from '../src/modules/hub/hub.paths.js';
import type { DownloadRow } from '../src/modules/sources/sources.repository.js';
import { buildTestApp, registerUser, type TestApp } from './helpers.js';
import { listTree, sha256File, startFixtureMirror, waitFor, type MirrorFixture } from './hub-fixture.js';
import { wireHubParts } from './sources-wiring.js';

const REPO = 'test-lab/shared';

let fx: MirrorFixture;
let t: TestApp;

beforeAll(async () => {
  fx = await startFixtureMirror({
    extraRepos: [{ id: REPO, meta: { pipeline_tag: 'text-to-speech' }, files: { 'config.json': '{}\n', 'weights.bin': { randomBytes: 200_000, seed: 'shared' } } }],
  });
  // The app's own runners stay stopped: the manager under test is the only one claiming rows.
  t = await buildTestApp(fx.env, { start: false });
});
afterAll(async () => {
  await t.close();
  await fx.close();
});

const wire = (afterClaim: (row: DownloadRow) => Promise<void>) => wireHubParts(t, afterClaim);

describe('cancel of a download queued behind another user’s install of the same model', () => {
  it('keeps the other user’s finished install (models row and files) when the later download is cancelled', async () => {
    const a = await registerUser(t.app);
    const b = await registerUser(t.app);
    const userA = { id: a.user.id, role: a.user.role };
    const userB = { id: b.user.id, role: b.user.role };

    let aId: string | null = null;
    let bId: string | null = null;
    let modelAtBClaim: string | null = null;
    let cancel: Promise<unknown> | null = null;
    let released = false;
    const parts = wire(async (row) => {
      if (row.id === aId) {
        // A's first install is `running`: B asks for the same repo+revision now and gets its own queued record,
        // which the manager holds back until A's job has finished.
        const { record } = await parts.sources.createDownload(userB, { repoId: REPO, revision: 'main' });
        bId = record.id;
        return;
      }
      if (row.id === bId) {
        // A's job has ended and B is claimed but not started: B cancels in exactly this window.
        modelAtBClaim = (await parts.repo.getHubModel(REPO, 'main'))?.status ?? null;
        cancel = parts.sources.cancelDownload(userB.id, row.id);
        await waitFor(async () => (await parts.repo.getDownload(row.id))?.status === 'cancelled', 'B’s cancel to commit');
        released = true;
      }
    });

    try {
      // Queued before the manager starts, so A is claimed (and B requested inside that claim) once the queue runs.
      const { record: recA } = await parts.sources.createDownload(userA, { repoId: REPO, revision: 'main' });
      aId = recA.id;
      await parts.start();
      await waitFor(async () => released, 'B’s claim hook to release');
      await cancel;
      await waitFor(async () => bId !== null && !parts.manager.isActive(bId), 'B’s job to end');

      expect(modelAtBClaim).toBe('ready');
      expect((await parts.repo.getDownload(aId))?.status).toBe('completed');
      const rowB = await parts.repo.getDownload(bId!);
      expect(rowB?.status).toBe('cancelled');
      expect(rowB?.options.replacesReady).toBe(false);

      const models = await t.pool.query<{ status: string }>(`SELECT status FROM models WHERE repo_id = $1`, [REPO]);
      expect(models.rows).toEqual([{ status: 'ready' }]);

      const dir = repoFolder(t.config.paths.models, REPO, 'main');
      const want = fx.repo(REPO).files;
      expect(await listTree(dir)).toEqual(want.map((f) => f.path).sort());
      for (const f of want) expect(await sha256File(path.join(dir, f.path))).toBe(f.sha256);
    } finally {
      await parts.stop();
      await parts.hub.close();
    }
  });
});
