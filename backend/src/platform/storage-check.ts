import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A data folder this process cannot use: not writable, or a rename inside it does not work. */
export class StorageError extends Error {
  constructor(readonly problems: string[]) {
    super(`Storage is not usable:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Every file Sokhan keeps is written under a temporary name in its own folder and renamed into place (downloads'
 * `.part`, checkpoints' `.tmp-epoch-N`, uploads, speech clips). On shared storage that rename must be atomic and stay
 * on one filesystem, so at start each folder gets a file written, renamed beside itself and removed; a folder that
 * refuses, or whose renamed file lands on another device, stops the start with the folder named.
 */
export async function checkStorage(folders: Record<string, string>): Promise<void> {
  const problems: string[] = [];
  for (const [name, dir] of Object.entries(folders)) {
    const problem = await checkFolder(dir);
    if (problem) problems.push(`${name} (${dir}): ${problem}`);
  }
  if (problems.length) throw new StorageError(problems);
}

async function checkFolder(dir: string): Promise<string | null> {
  const tag = randomBytes(6).toString('hex');
  const tmp = path.join(dir, `.sokhan-check-${tag}.part`);
  const final = path.join(dir, `.sokhan-check-${tag}`);
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(tmp, tag);
    const before = await fs.stat(tmp);
    await fs.rename(tmp, final);
    const after = await fs.stat(final);
    if ((await fs.readFile(final, 'utf8')) !== tag) return 'a renamed file does not read back what was written';
    if (before.dev !== after.dev || after.dev !== (await fs.stat(dir)).dev) return 'its temporary files are not on the same filesystem as the folder';
    return null;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code === 'EXDEV' ? 'a rename inside it crosses filesystems (EXDEV)' : `${e.code ?? 'error'}: ${e.message}`;
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    await fs.rm(final, { force: true }).catch(() => undefined);
  }
}
