import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStorage, StorageError } from '../src/platform/storage-check.js';

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

describe('the start-up storage check', () => {
  it('passes writable folders (creating missing ones) and leaves nothing behind', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-storage-'));
    roots.push(root);
    await checkStorage({ MODELS_DIR: path.join(root, 'models'), CHECKPOINTS_DIR: path.join(root, 'deep', 'checkpoints') });
    expect(await fs.readdir(path.join(root, 'models'))).toEqual([]);
    expect(await fs.readdir(path.join(root, 'deep', 'checkpoints'))).toEqual([]);
  });

  it('refuses a folder it cannot write, naming the setting and the folder', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-storage-'));
    roots.push(root);
    // A file where the folder's parent should be: no user, root included, can create the folder.
    await fs.writeFile(path.join(root, 'not-a-folder'), 'x');
    const bad = path.join(root, 'not-a-folder', 'datasets');
    const err = await checkStorage({ MODELS_DIR: path.join(root, 'models'), DATASETS_DIR: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).problems).toHaveLength(1);
    expect((err as StorageError).problems[0]).toMatch(new RegExp(`^DATASETS_DIR \\(${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): ENOTDIR`));
  });
});
