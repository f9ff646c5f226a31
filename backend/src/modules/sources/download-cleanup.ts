import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { ensureInside, repoFolder } from '../hub/hub.paths.js';
import { walkFiles } from './fs-walk.js';
import { readMetadata } from './sources.presenter.js';
import type { DownloadRow, SourcesRepository } from './sources.repository.js';

/** Removes every `*.part` file under a folder (the partial files of a cancelled or failed download). */
export async function removePartFiles(dir: string): Promise<void> {
  await walkFiles(dir, async (file) => {
    if (file.endsWith('.part')) await fsp.rm(file, { force: true }).catch(() => undefined);
  });
}

/** Removes a repo+revision folder under the models root, and its owner folder once that is empty. */
export async function removeRepoFolder(modelsRoot: string, repoId: string, revision: string): Promise<void> {
  const dir = ensureInside(modelsRoot, repoFolder(modelsRoot, repoId, revision));
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.rmdir(ensureInside(modelsRoot, path.dirname(dir))).catch(() => undefined);
}

/**
 * Undoes what a cancelled download left: its partial files and, for a first install, the folder and the models
 * row; a stopped update keeps the files that were there. Idempotent, so both the cancel path and a run that
 * finds its row cancelled may call it.
 */
export async function cleanupCancelledDownload(deps: { repo: SourcesRepository; modelsRoot: string }, row: DownloadRow): Promise<void> {
  const { repo, modelsRoot } = deps;
  // Another user's download of the same repo+revision shares these files (and may be writing them): keep them.
  if ((await repo.countActiveFor(row.repo_id, row.revision, row.id)) > 0) return;
  await removePartFiles(repoFolder(modelsRoot, row.repo_id, row.revision));
  const model = await repo.getHubModel(row.repo_id, row.revision);
  // A download queued before another user's finished the same model: that install is complete and is not ours to undo.
  if (model?.status === 'ready' && !row.options.replacesReady) return;
  if (model && row.options.replacesReady) {
    // An update was stopped: the files that were already there stay, but may now mix two commits.
    const same = readMetadata(model).commitSha === row.options.commit;
    await repo.setModelStatus(model.id, same ? 'ready' : 'failed');
    return;
  }
  // Without a models row the files belong to nobody: they go too.
  await removeRepoFolder(modelsRoot, row.repo_id, row.revision);
  if (model) await repo.deleteModel(model.id);
}
