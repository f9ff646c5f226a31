import { objectIdFor } from './hashing.js';
import type { RepoHeader, RepoSnapshot } from './repo-store.js';
import type { MirrorTokenEntry } from './types.js';

/** The fields `GET /api/models` returns without `full` (as the Hub does). */
export function listItem(h: RepoHeader): Record<string, unknown> {
  const base: Record<string, unknown> = {
    _id: objectIdFor(`${h.kind}:${h.id}`),
    id: h.id,
    likes: h.meta.likes,
    trendingScore: h.meta.trendingScore,
    private: h.meta.private,
    downloads: h.meta.downloads,
    tags: h.meta.tags,
    createdAt: h.meta.createdAt,
  };
  if (h.kind === 'model') {
    if (h.meta.pipeline_tag) base.pipeline_tag = h.meta.pipeline_tag;
    if (h.meta.library_name) base.library_name = h.meta.library_name;
    base.modelId = h.id;
  }
  return base;
}

/** Every field the mirror knows, keyed as the Hub names them (the pool `full` and `expand` pick from). */
export function allFields(s: RepoSnapshot | RepoHeader, config: Record<string, unknown> | undefined, blobs: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...listItem(s),
    author: s.owner,
    lastModified: s.meta.lastModified,
    gated: s.meta.gated,
    disabled: false,
    cardData: s.meta.cardData,
  };
  if (config) out.config = config;
  if ('sha' in s) {
    out.sha = s.sha;
    out.usedStorage = s.usedStorage;
    out.siblings = s.files.map((f) => {
      if (!blobs) return { rfilename: f.path };
      const sib: Record<string, unknown> = { rfilename: f.path, blobId: f.oid, size: f.size };
      if (f.lfs) sib.lfs = { sha256: f.lfs.sha256, size: f.lfs.size, pointerSize: f.lfs.pointerSize };
      return sib;
    });
  }
  return out;
}

/** `GET /api/models/{id}`: the Hub's key order, roughly, for readable dumps. */
export function repoInfo(s: RepoSnapshot, config: Record<string, unknown> | undefined, blobs: boolean): Record<string, unknown> {
  const all = allFields(s, config, blobs);
  const ordered: Record<string, unknown> = {
    _id: all._id,
    id: all.id,
    ...(s.kind === 'model' ? { modelId: s.id } : {}),
    author: all.author,
    sha: all.sha,
    lastModified: all.lastModified,
    private: all.private,
    disabled: all.disabled,
    gated: all.gated,
    downloads: all.downloads,
    likes: all.likes,
    trendingScore: all.trendingScore,
    tags: all.tags,
  };
  if (all.pipeline_tag) ordered.pipeline_tag = all.pipeline_tag;
  if (all.library_name) ordered.library_name = all.library_name;
  ordered.createdAt = all.createdAt;
  ordered.cardData = all.cardData;
  if (config) ordered.config = config;
  ordered.siblings = all.siblings;
  ordered.spaces = [];
  ordered.usedStorage = all.usedStorage;
  return ordered;
}

export interface TreeEntry {
  type: 'file' | 'directory';
  oid: string;
  size: number;
  path: string;
  lfs?: { oid: string; size: number; pointerSize: number };
}

/** Tree entries under `prefix` (the root when empty): direct children, or all descendants when recursive. */
export function treeEntries(s: RepoSnapshot, prefix: string, recursive: boolean): TreeEntry[] {
  const under = (p: string): boolean => {
    if (prefix && !p.startsWith(`${prefix}/`)) return false;
    const rest = prefix ? p.slice(prefix.length + 1) : p;
    return recursive || !rest.includes('/');
  };
  const entries: TreeEntry[] = [];
  for (const d of s.directories) {
    if (under(d.path)) entries.push({ type: 'directory', oid: d.oid, size: 0, path: d.path });
  }
  for (const f of s.files) {
    if (!under(f.path)) continue;
    const entry: TreeEntry = { type: 'file', oid: f.oid, size: f.size, path: f.path };
    if (f.lfs) entry.lfs = { oid: f.lfs.sha256, size: f.lfs.size, pointerSize: f.lfs.pointerSize };
    entries.push(entry);
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function whoami(entry: MirrorTokenEntry): Record<string, unknown> {
  return {
    type: 'user',
    id: objectIdFor(`user:${entry.name}`),
    name: entry.name,
    fullname: entry.fullname ?? entry.name,
    email: entry.email ?? `${entry.name}@hub-mirror.local`,
    emailVerified: true,
    isPro: false,
    canPay: false,
    periodEnd: null,
    avatarUrl: '',
    orgs: (entry.orgs ?? []).map((org) => ({ type: 'org', id: objectIdFor(`org:${org}`), name: org, fullname: org })),
    auth: {
      type: 'access_token',
      accessToken: {
        displayName: entry.displayName ?? `${entry.name}-read`,
        role: entry.role ?? 'read',
        createdAt: '2024-01-01T00:00:00.000Z',
      },
    },
  };
}
