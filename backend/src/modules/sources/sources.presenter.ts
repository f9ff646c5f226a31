import { promises as fsp } from 'node:fs';
import type { DownloadRecord, Gated, HubSearchItem, InstalledModel, ModelRuntime } from '@sokhan/common';
import type { HubModelInfo, HubModelSummary } from '../hub/hub.schemas.js';
import { walkFiles } from './fs-walk.js';
import type { DownloadRow, ModelRow } from './sources.repository.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function presentDownload(row: DownloadRow): DownloadRecord {
  return {
    id: row.id,
    repoId: row.repo_id,
    revision: row.revision,
    commitSha: row.options.commit ?? null,
    modelId: row.model_id,
    status: row.status,
    progress: Number(row.progress),
    bytesDownloaded: Number(row.bytes_downloaded),
    bytesTotal: Number(row.bytes_total),
    currentFile: row.current_file,
    include: row.options.include ?? [],
    exclude: row.options.exclude ?? [],
    errorCode: row.error_code,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

/** The Hub's license: the card's `license`, else a `license:<id>` tag. */
export function licenseOf(tags: string[] | undefined, cardData?: Record<string, unknown> | null): string | null {
  const fromCard = cardData?.license;
  if (typeof fromCard === 'string' && fromCard) return fromCard;
  if (Array.isArray(fromCard) && typeof fromCard[0] === 'string') return fromCard[0];
  const tag = (tags ?? []).find((t) => t.startsWith('license:'));
  return tag ? tag.slice('license:'.length) : null;
}

export function languagesOf(cardData?: Record<string, unknown> | null): string[] {
  const l = cardData?.language;
  if (typeof l === 'string') return [l];
  if (Array.isArray(l)) return l.filter((x): x is string => typeof x === 'string');
  return [];
}

export function presentSearchItem(m: HubModelSummary, installed: boolean): HubSearchItem {
  return {
    id: m.id,
    author: m.author ?? m.id.split('/')[0] ?? null,
    pipelineTag: m.pipeline_tag ?? null,
    libraryName: m.library_name ?? null,
    downloads: m.downloads ?? 0,
    likes: m.likes ?? 0,
    tags: m.tags ?? [],
    license: licenseOf(m.tags),
    lastModified: m.lastModified ?? null,
    gated: m.gated,
    private: m.private ?? false,
    sizeBytes: m.usedStorage ?? null,
    installed,
  };
}

/** The metadata a Hub model row keeps (camelCase JSON). */
export interface HubModelMetadata {
  repoId: string;
  revision: string;
  commitSha: string | null;
  pipelineTag: string | null;
  libraryName: string | null;
  license: string | null;
  tags: string[];
  languages: string[];
  gated: Gated;
  author: string | null;
  downloads: number | null;
  likes: number | null;
  lastModified: string | null;
  createdAt: string | null;
  files: { path: string; size: number; sha256: string; lfs?: boolean }[];
  fileCount: number;
  /** Found when it was installed: files that will not run here (a voice whose ONNX does not load), with why. */
  problems?: { file: string; reason: string }[];
  sizeBytes: number;
  endpoint: string;
  downloadedAt: string | null;
}

export function metadataFromInfo(info: HubModelInfo, repoId: string, revision: string, endpoint: string): HubModelMetadata {
  return {
    repoId,
    revision,
    commitSha: info.sha ?? null,
    pipelineTag: info.pipeline_tag ?? null,
    libraryName: info.library_name ?? null,
    license: licenseOf(info.tags, info.cardData),
    tags: info.tags ?? [],
    languages: languagesOf(info.cardData),
    gated: info.gated,
    author: info.author ?? repoId.split('/')[0] ?? null,
    downloads: info.downloads ?? null,
    likes: info.likes ?? null,
    lastModified: info.lastModified ?? null,
    createdAt: info.createdAt ?? null,
    files: [],
    fileCount: 0,
    sizeBytes: 0,
    endpoint,
    downloadedAt: null,
  };
}

export function readMetadata(row: ModelRow): Partial<HubModelMetadata> {
  return (row.metadata ?? {}) as Partial<HubModelMetadata>;
}

/** Size and file count of a folder on disk, `.part` files excluded; zero when it is gone. */
export async function folderUsage(dir: string | null): Promise<{ sizeBytes: number; fileCount: number }> {
  let sizeBytes = 0;
  let fileCount = 0;
  if (!dir) return { sizeBytes, fileCount };
  await walkFiles(dir, async (file, entry) => {
    if (!entry.isFile() || entry.name.endsWith('.part')) return;
    const st = await fsp.stat(file).catch(() => null);
    if (st) {
      sizeBytes += st.size;
      fileCount += 1;
    }
  });
  return { sizeBytes, fileCount };
}

export async function presentInstalled(row: ModelRow, viewer: { id: string; role: string }, runtime: ModelRuntime = { status: 'unchecked' }, trainedOnIt = 0): Promise<InstalledModel> {
  const meta = readMetadata(row);
  const usage = await folderUsage(row.file_path);
  // Server folders and other users' ids are for admins (the system page); a user learns only whether it was them.
  const admin = viewer.role === 'admin';
  return {
    id: row.id,
    repoId: row.repo_id ?? '',
    revision: row.revision ?? 'main',
    commitSha: meta.commitSha ?? null,
    name: row.name,
    type: row.type,
    status: row.status,
    path: admin ? row.file_path : null,
    sizeBytes: usage.sizeBytes,
    fileCount: usage.fileCount,
    pipelineTag: meta.pipelineTag ?? null,
    libraryName: meta.libraryName ?? null,
    license: meta.license ?? null,
    tags: meta.tags ?? [],
    ownerId: admin ? row.owner_id : null,
    installedByMe: row.owner_id !== null && row.owner_id === viewer.id,
    problems: meta.problems ?? [],
    runtime,
    canDelete: admin || row.owner_id === viewer.id,
    trainedOnIt,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The model type stored in `models.type`: the pipeline tag, or `other`. */
export function modelType(pipelineTag: string | null | undefined): string {
  return pipelineTag && /^[a-z0-9-]{1,64}$/.test(pipelineTag) ? pipelineTag : 'other';
}
