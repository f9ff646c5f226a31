import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LFS_THRESHOLD_BYTES, digestFile, isLfsFile, lfsPointer, gitBlobOid, type FileDigests } from './hashing.js';
import { parseFrontMatter, type CardValue } from './model-card.js';

export type RepoKind = 'model' | 'dataset';
export type GatedMode = false | 'auto' | 'manual';

/** The optional `.hub.json` beside a repository's files. Every field is optional. */
export interface RepoMetaFile {
  pipeline_tag?: string;
  library_name?: string;
  tags?: string[];
  license?: string;
  language?: string | string[];
  gated?: GatedMode;
  downloads?: number;
  likes?: number;
  trendingScore?: number;
  lastModified?: string;
  createdAt?: string;
  private?: boolean;
  lfsThresholdBytes?: number;
  cardData?: Record<string, unknown>;
}

export interface RepoMeta {
  private: boolean;
  gated: GatedMode;
  downloads: number;
  likes: number;
  trendingScore: number;
  lastModified: string;
  createdAt: string;
  pipeline_tag: string | undefined;
  library_name: string | undefined;
  license: string | undefined;
  language: string[];
  tags: string[];
  cardData: Record<string, unknown>;
  lfsThresholdBytes: number;
}

export interface RepoRef {
  kind: RepoKind;
  owner: string;
  name: string;
  /** owner/name */
  id: string;
  dir: string;
}

export interface RepoHeader extends RepoRef {
  meta: RepoMeta;
  /** Files found by the walk, without digests. */
  entries: WalkEntry[];
}

export interface WalkEntry {
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface IndexedFile extends WalkEntry {
  sha256: string;
  /** The oid the Hub reports: the git blob oid of the content, or of the LFS pointer for LFS files. */
  oid: string;
  lfs: { sha256: string; size: number; pointerSize: number } | null;
}

export interface RepoSnapshot extends RepoHeader {
  /** The commit id: stable over the file list and contents. */
  sha: string;
  files: IndexedFile[];
  /** Sorted by path; the root itself is not listed. */
  directories: { path: string; oid: string }[];
  usedStorage: number;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

export function isValidRepoPart(part: string): boolean {
  return NAME_RE.test(part) && !part.includes('..') && !part.endsWith('.');
}

/**
 * Turns a decoded path from a URL into a safe repo-relative path, or null when it is hostile:
 * NUL, backslashes, absolute or drive paths, empty, `.` or `..` segments.
 */
export function safeRelativePath(decoded: string): string | null {
  if (!decoded || decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.startsWith('/') || /^[A-Za-z]:/.test(decoded)) return null;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  return segments.join('/');
}

/**
 * The repositories under a folder: `<root>/<owner>/<name>/` for models and `<root>/datasets/<owner>/<name>/`
 * for datasets. Digests are computed once per file and kept while the file's size, mtime and inode stay the same.
 */
export class RepoStore {
  private digests = new Map<string, { key: string; value: Promise<FileDigests> }>();
  private snapshots = new Map<string, { signature: string; snapshot: RepoSnapshot }>();

  /** `rootReal` must be the real path (symlinks resolved) of an existing folder: see RepoStore.open. */
  constructor(readonly rootReal: string) {}

  static async open(dir: string): Promise<RepoStore> {
    const real = await fsp.realpath(dir);
    if (!(await fsp.stat(real)).isDirectory()) throw new Error(`hub-mirror: ${dir} is not a folder`);
    return new RepoStore(real);
  }

  async listRepos(kind: RepoKind): Promise<RepoHeader[]> {
    const base = this.kindBase(kind);
    const owners = await readDirs(base);
    const refs: RepoRef[] = [];
    for (const owner of owners) {
      if (kind === 'model' && owner === 'datasets') continue;
      if (!isValidRepoPart(owner)) continue;
      for (const name of await readDirs(path.join(base, owner))) {
        if (isValidRepoPart(name)) refs.push({ kind, owner, name, id: `${owner}/${name}`, dir: path.join(base, owner, name) });
      }
    }
    const headers = await Promise.all(refs.map((ref) => this.header(ref)));
    return headers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async findRepo(kind: RepoKind, owner: string, name: string): Promise<RepoHeader | null> {
    if (!isValidRepoPart(owner) || !isValidRepoPart(name)) return null;
    if (kind === 'model' && owner === 'datasets') return null;
    const dir = path.join(this.kindBase(kind), owner, name);
    const stat = await fsp.stat(dir).catch(() => null);
    if (!stat?.isDirectory()) return null;
    return this.header({ kind, owner, name, id: `${owner}/${name}`, dir });
  }

  async snapshot(header: RepoHeader): Promise<RepoSnapshot> {
    const threshold = header.meta.lfsThresholdBytes;
    const signature = JSON.stringify([threshold, header.entries.map((e) => [e.path, e.size, e.mtimeMs, e.ino])]);
    const cacheKey = `${header.kind}:${header.id}`;
    const cached = this.snapshots.get(cacheKey);
    if (cached && cached.signature === signature) return { ...cached.snapshot, meta: header.meta };

    const files: IndexedFile[] = [];
    for (const entry of header.entries) {
      const d = await this.digest(entry);
      if (isLfsFile(entry.path, d.size, threshold)) {
        const pointer = lfsPointer(d.sha256, d.size);
        files.push({
          ...entry,
          size: d.size,
          sha256: d.sha256,
          oid: gitBlobOid(pointer),
          lfs: { sha256: d.sha256, size: d.size, pointerSize: Buffer.byteLength(pointer) },
        });
      } else {
        files.push({ ...entry, size: d.size, sha256: d.sha256, oid: d.gitBlobOid, lfs: null });
      }
    }
    const { rootOid, directories } = gitTrees(files);
    const sha = createHash('sha1')
      .update(`commit\0tree ${rootOid}\nrepo ${header.kind}/${header.id}\n`)
      .digest('hex');
    const snapshot: RepoSnapshot = {
      ...header,
      sha,
      files,
      directories,
      usedStorage: files.reduce((sum, f) => sum + f.size, 0),
    };
    this.snapshots.set(cacheKey, { signature, snapshot });
    return snapshot;
  }

  /** Computes every digest now, so first requests are not slowed by hashing big files. */
  async warm(onRepo?: (id: string, files: number) => void): Promise<number> {
    let count = 0;
    for (const kind of ['model', 'dataset'] as const) {
      for (const header of await this.listRepos(kind)) {
        const snap = await this.snapshot(header);
        count += 1;
        onRepo?.(`${kind === 'dataset' ? 'datasets/' : ''}${header.id}`, snap.files.length);
      }
    }
    return count;
  }

  private kindBase(kind: RepoKind): string {
    return kind === 'dataset' ? path.join(this.rootReal, 'datasets') : this.rootReal;
  }

  private digest(entry: WalkEntry): Promise<FileDigests> {
    const key = `${entry.size}:${entry.mtimeMs}:${entry.ino}`;
    const cached = this.digests.get(entry.absPath);
    if (cached && cached.key === key) return cached.value;
    const value = digestFile(entry.absPath, entry.size);
    value.catch(() => this.digests.delete(entry.absPath));
    this.digests.set(entry.absPath, { key, value });
    return value;
  }

  private async header(ref: RepoRef): Promise<RepoHeader> {
    const entries = await walk(ref.dir, this.rootReal);
    const hubJson = await readJson(path.join(ref.dir, '.hub.json'));
    const readme = entries.find((e) => e.path === 'README.md');
    const card = readme && readme.size < 1 << 20 ? parseFrontMatter(await fsp.readFile(readme.absPath, 'utf8')) : {};
    const dirStat = await fsp.stat(ref.dir);
    return { ...ref, entries, meta: resolveMeta(ref, hubJson, card, entries, dirStat.birthtimeMs || dirStat.mtimeMs) };
  }
}

function resolveMeta(
  ref: RepoRef,
  hub: RepoMetaFile,
  card: Record<string, CardValue>,
  entries: WalkEntry[],
  dirCreatedMs: number,
): RepoMeta {
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const list = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];

  const pipeline_tag = str(hub.pipeline_tag) ?? str(card.pipeline_tag);
  const library_name = str(hub.library_name) ?? str(card.library_name);
  const license = str(hub.license) ?? str(card.license);
  const language = hub.language !== undefined ? list(hub.language) : list(card.language);
  const cardGated = Object.keys(card).some((k) => k.startsWith('extra_gated')) ? 'auto' : false;
  const gated: GatedMode = hub.gated === 'auto' || hub.gated === 'manual' ? hub.gated : hub.gated === false ? false : cardGated;

  const tags = new Set<string>();
  if (library_name) tags.add(library_name);
  for (const t of [...list(hub.tags), ...list(card.tags)]) tags.add(t);
  if (ref.kind === 'dataset') {
    for (const t of list(card.task_categories)) tags.add(`task_categories:${t}`);
    for (const l of language) tags.add(`language:${l}`);
  } else {
    if (pipeline_tag) tags.add(pipeline_tag);
    for (const l of language) tags.add(l);
  }
  if (license) tags.add(`license:${license}`);

  const newest = entries.reduce((max, e) => Math.max(max, e.mtimeMs), 0) || dirCreatedMs;
  const cardData: Record<string, unknown> = { ...card, ...(hub.cardData ?? {}) };
  if (license) cardData.license = license;
  if (language.length > 0) cardData.language = language;

  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    private: hub.private === true,
    gated,
    downloads: num(hub.downloads),
    likes: num(hub.likes),
    trendingScore: typeof hub.trendingScore === 'number' ? hub.trendingScore : num(hub.likes),
    lastModified: isoOr(hub.lastModified, newest),
    createdAt: isoOr(hub.createdAt, Math.min(dirCreatedMs, newest)),
    pipeline_tag,
    library_name,
    license,
    language,
    tags: [...tags],
    cardData,
    lfsThresholdBytes:
      typeof hub.lfsThresholdBytes === 'number' && hub.lfsThresholdBytes >= 0 ? hub.lfsThresholdBytes : DEFAULT_LFS_THRESHOLD_BYTES,
  };
}

function isoOr(value: unknown, fallbackMs: number): string {
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return new Date(fallbackMs).toISOString();
}

async function readJson(file: string): Promise<RepoMetaFile> {
  try {
    const parsed: unknown = JSON.parse(await fsp.readFile(file, 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as RepoMetaFile) : {};
  } catch {
    return {};
  }
}

async function readDirs(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
}

/**
 * Lists a repository's files. Skips `.git/`, the root `.cache/` (left by `hf download --local-dir`) and the
 * root `.hub.json`. Symlinks are followed only when they land inside the served root.
 */
async function walk(repoDir: string, rootReal: string): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  const visit = async (abs: string, rel: string, depth: number): Promise<void> => {
    if (depth > 32) return;
    const entries = await fsp.readdir(abs, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const childAbs = path.join(abs, entry.name);
      if (entry.name === '.git' || (!rel && (entry.name === '.cache' || entry.name === '.hub.json'))) continue;
      if (entry.name.includes('\\')) continue;
      let target = childAbs;
      if (entry.isSymbolicLink()) {
        const real = await fsp.realpath(childAbs).catch(() => null);
        if (!real || !(real === rootReal || real.startsWith(rootReal + path.sep))) continue;
        target = real;
      }
      const stat = await fsp.stat(target).catch(() => null);
      if (!stat) continue;
      if (stat.isDirectory()) await visit(target, childRel, depth + 1);
      else if (stat.isFile()) out.push({ path: childRel, absPath: target, size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino });
    }
  };
  await visit(repoDir, '', 0);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Real git tree oids for every directory, so tree entries of type "directory" carry a meaningful oid. */
function gitTrees(files: IndexedFile[]): { rootOid: string; directories: { path: string; oid: string }[] } {
  interface Node {
    files: Map<string, string>;
    dirs: Map<string, Node>;
  }
  const root: Node = { files: new Map(), dirs: new Map() };
  for (const file of files) {
    const parts = file.path.split('/');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let next = node.dirs.get(part);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        node.dirs.set(part, next);
      }
      node = next;
    }
    node.files.set(parts[parts.length - 1] ?? '', file.oid);
  }
  const directories: { path: string; oid: string }[] = [];
  const hashNode = (node: Node, rel: string): string => {
    const items: { sortKey: string; bytes: Buffer }[] = [];
    for (const [name, oid] of node.files) {
      items.push({ sortKey: name, bytes: Buffer.concat([Buffer.from(`100644 ${name}\0`), Buffer.from(oid, 'hex')]) });
    }
    for (const [name, child] of node.dirs) {
      const childRel = rel ? `${rel}/${name}` : name;
      const oid = hashNode(child, childRel);
      directories.push({ path: childRel, oid });
      items.push({ sortKey: `${name}/`, bytes: Buffer.concat([Buffer.from(`40000 ${name}\0`), Buffer.from(oid, 'hex')]) });
    }
    items.sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
    const body = Buffer.concat(items.map((i) => i.bytes));
    return createHash('sha1').update(`tree ${body.length}\0`).update(body).digest('hex');
  };
  const rootOid = hashNode(root, '');
  directories.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { rootOid, directories };
}
