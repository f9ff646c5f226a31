import path from 'node:path';
import { isValidRepoId } from '@sokhan/common';
import { unsafePath } from './hub.errors.js';

/**
 * File names from the Hub are untrusted. A safe name is relative, uses `/` only, has no empty, `.` or `..`
 * segments, no drive letter, no NUL or other control characters, and short enough for any file system.
 */
export function isSafeRepoPath(name: string): boolean {
  if (name.length === 0 || name.length > 1024) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f\\]/.test(name)) return false;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return false;
  const segments = name.split('/');
  return segments.every((s) => s !== '' && s !== '.' && s !== '..' && Buffer.byteLength(s) <= 240);
}

export function assertRepoId(repoId: string): void {
  if (!isValidRepoId(repoId)) throw unsafePath(repoId);
}

/**
 * Where one-part (legacy) ids live: `_` can never start an owner's name, so `gpt2` never shares a folder with
 * the repositories of an owner called `gpt2`.
 */
const LEGACY_FOLDER = '_legacy';

/**
 * The folder of a repository's local copy: `<models>/<owner>/<name>` for `main`, and
 * `<models>/<owner>/<name>@<revision>` for any other revision, so two revisions never share files.
 * A one-part id `name` goes to `<models>/_legacy/<name>`.
 */
export function repoFolder(modelsRoot: string, repoId: string, revision: string): string {
  assertRepoId(repoId);
  const [owner = '', name = ''] = repoId.includes('/') ? repoId.split('/') : [LEGACY_FOLDER, repoId];
  const suffix = revision === 'main' ? '' : `@${revision.replace(/\//g, '--')}`;
  if (suffix && (!/^@[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(suffix) || revision.includes('..'))) throw unsafePath(revision);
  return ensureInside(modelsRoot, path.join(modelsRoot, owner, `${name}${suffix}`));
}

/** The absolute target of a repo file inside `dest`, refusing anything that would land elsewhere. */
export function fileTarget(dest: string, repoPath: string): string {
  if (!isSafeRepoPath(repoPath)) throw unsafePath(repoPath);
  return ensureInside(dest, path.join(dest, ...repoPath.split('/')));
}

export function ensureInside(root: string, candidate: string): string {
  const r = path.resolve(root);
  const c = path.resolve(candidate);
  if (c !== r && !c.startsWith(r + path.sep)) throw unsafePath(candidate);
  return c;
}
