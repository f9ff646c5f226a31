import type { Dirent } from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';

/** Deeper trees are not walked: a guard against link loops and runaway folders, far beyond any Hub repo. */
const MAX_DEPTH = 32;

/**
 * Calls `onFile` for every non-folder entry under `dir` (depth-first, one at a time). A missing or unreadable
 * folder counts as empty.
 */
export async function walkFiles(dir: string, onFile: (file: string, entry: Dirent) => Promise<void> | void): Promise<void> {
  const visit = async (d: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    const entries = await fsp.readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await visit(p, depth + 1);
      else await onFile(p, e);
    }
  };
  await visit(dir, 0);
}
