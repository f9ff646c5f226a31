import fs from 'node:fs/promises';
import path from 'node:path';
import type {
  CreateDownloadInput,
  DownloadListResponse,
  DownloadRecord,
  HubModelCard,
  HubModelDetails,
  HubSearchInterpretation,
  HubSearchItem,
  HubSearchQuery,
  HubSearchResponse,
  HubTokenState,
  HubTokenValidation,
  InstalledListResponse,
  InstalledModel,
  ListDownloadsQuery,
  ModelRuntime,
} from '@sokhan/common';
import { interpretSearch } from '@sokhan/common';
import type { Pool } from '../../platform/db/pool.js';
import { withTransaction } from '../../platform/db/pool.js';
import { AppError, forbidden, notFound } from '../../platform/http/errors.js';
import type { Logger } from '../../platform/logger.js';
import { downloadQueueName } from '../../platform/queue/jobs.js';
import { QueueRepository } from '../../platform/queue/queue.repository.js';
import type { Notifier } from '../../platform/realtime/realtime.js';
import type { SettingsService } from '../settings/settings.service.js';
import { tokenPreview } from '../settings/settings.service.js';
import { decodeCursor, fileFilter, type HubClient } from '../hub/hub.client.js';
import { gatedRepo, hubOffline, invalidToken, repoNotFound } from '../hub/hub.errors.js';
import { repoFolder } from '../hub/hub.paths.js';
import { cleanupCancelledDownload, removeRepoFolder } from './download-cleanup.js';
import { mergeRanked } from './ranked-merge.js';
import type { DownloadManager } from './download-manager.js';
import {
  licenseOf,
  languagesOf,
  modelType,
  presentDownload,
  presentInstalled,
  presentSearchItem,
  readMetadata,
} from './sources.presenter.js';
import { SourcesRepository, type DownloadRow, type ModelRow } from './sources.repository.js';

export interface SourcesDeps {
  pool: Pool;
  repo: SourcesRepository;
  hub: HubClient;
  manager: DownloadManager;
  settings: SettingsService;
  notifier: Notifier;
  logger: Logger;
  modelsRoot: string;
  /** HF_TOKEN: the server's own token, used when a user has none. */
  serverToken: string | null;
  /** What installed models run here (the runtime module's inspections); without it every model is `unchecked`. */
  runtimeOf?: (modelIds: string[]) => Promise<Map<string, ModelRuntime>>;
}

export interface Viewer {
  id: string;
  role: string;
}

/** Search, details, downloads, installed models and Hub tokens: the logic and the access checks. */
export class SourcesService {
  constructor(private readonly deps: SourcesDeps) {}

  get offline(): boolean {
    return this.deps.hub.offline;
  }

  /** The token for a user's Hub calls: their saved one, else HF_TOKEN. Never logged, never returned. */
  async tokenFor(userId: string): Promise<string | null> {
    const own = await this.deps.settings.hubToken(userId).catch(() => null);
    return own ?? this.deps.serverToken;
  }

  // ---- search and details ----

  /**
   * A search as written (Persian words understood: see interpretSearch) against the Hub's semantics: `search`
   * matches ids, filters match tags. Persian asked for (the query or `language=fa`) means the `fa` language tag;
   * on the first page without id words it also takes models named or tagged persian/farsi that lack the tag.
   */
  async search(userId: string, q: HubSearchQuery): Promise<HubSearchResponse> {
    const meaning = interpretSearch(q.q ?? '');
    const task = q.task ?? meaning.task ?? undefined;
    const language = meaning.persian ? 'fa' : q.language;
    const interpreted: HubSearchInterpretation = { search: meaning.search, task: task ?? null, language: language ?? null, tags: meaning.tags, understood: meaning.understood, ignored: meaning.ignored };
    if (this.offline) return { ...(await this.searchOffline({ ...q, q: meaning.search || undefined, task, language })), interpreted };
    // "Runs here" narrows to repositories with ONNX files: the Hub tags those `onnx` (transformers.js ones too).
    const tags = [...meaning.tags, ...(q.runsHere ? [RUNS_HERE_TAG] : [])];
    const filter = [...(language ? [language] : []), ...tags];
    const { page, items } = await this.withUserToken(userId, async (token) => {
      const base = { author: q.author, task, sort: q.sort, limit: q.limit, token };
      const page = await this.deps.hub.searchModels(meaning.search, { ...base, filter, cursor: q.cursor });
      if (language !== 'fa' || q.cursor || meaning.search) return { page, items: page.items };
      // Extra lists only widen the first page; a failure there must not lose the main answer.
      const extra = await Promise.all(
        [
          this.deps.hub.searchModels('persian', { ...base, filter: tags }),
          this.deps.hub.searchModels('farsi', { ...base, filter: tags }),
          this.deps.hub.searchModels('', { ...base, filter: ['persian', ...tags] }),
        ].map((p) => p.then((r) => r.items).catch(() => [])),
      );
      return { page, items: mergeRanked([page.items, ...extra], q.sort, q.limit) };
    });
    const installed = await this.deps.repo.readyRepoIds(items.map((i) => i.id));
    return { items: items.map((m) => presentSearchItem(m, installed.has(m.id))), nextCursor: page.nextCursor, offline: false, interpreted };
  }

  /** The repository's model card (README.md) as Markdown without its YAML header; offline, the installed copy's. */
  async modelCard(userId: string, repoId: string, revision = 'main'): Promise<HubModelCard> {
    if (this.offline) {
      const local = await this.deps.repo.getHubModel(repoId, revision);
      if (!local || local.status !== 'ready' || !local.file_path) throw repoNotFound(repoId, `${repoId} is not installed and the Hub is switched off (HF_HUB_OFFLINE=1)`);
      const text = await fs.readFile(path.join(local.file_path, 'README.md'), 'utf8').catch(() => null);
      return { repoId, markdown: text === null || text.length > MAX_CARD_BYTES ? null : cardBody(text) };
    }
    return this.withUserToken(userId, async (token) => {
      const info = await this.deps.hub.getModelInfo(repoId, { revision, token });
      const text = await this.deps.hub.readTextFile(info.id, 'README.md', { revision: info.sha ?? revision, token, maxBytes: MAX_CARD_BYTES });
      return { repoId: info.id, markdown: text === null ? null : cardBody(text) };
    });
  }

  async details(userId: string, viewer: Viewer, repoId: string, revision = 'main'): Promise<HubModelDetails> {
    if (this.offline) {
      const local = await this.deps.repo.getHubModel(repoId, revision);
      if (!local || local.status !== 'ready') throw repoNotFound(repoId, `${repoId} is not installed and the Hub is switched off (HF_HUB_OFFLINE=1)`);
      return offlineDetails(local, (await this.presentAll([local], viewer))[0]!);
    }
    const { info, files } = await this.withUserToken(userId, async (token) => {
      const info = await this.deps.hub.getModelInfo(repoId, { revision, token });
      // A renamed repo (`bert-base-uncased`) answers under its canonical id: its files and local copy are under that.
      const files = await this.deps.hub.listModelFiles(info.id, { revision: info.sha ?? revision, token });
      return { info, files };
    });
    const local = await this.deps.repo.getHubModel(info.id, revision);
    const installed = local ? (await this.presentAll([local], viewer))[0]! : null;
    const list = files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, lfs: f.lfs }));
    return {
      id: info.id,
      author: info.author ?? repoId.split('/')[0] ?? null,
      sha: info.sha ?? null,
      revision,
      pipelineTag: info.pipeline_tag ?? null,
      libraryName: info.library_name ?? null,
      tags: info.tags ?? [],
      license: licenseOf(info.tags, info.cardData),
      languages: languagesOf(info.cardData),
      gated: info.gated,
      private: info.private ?? false,
      downloads: info.downloads ?? 0,
      likes: info.likes ?? 0,
      lastModified: info.lastModified ?? null,
      createdAt: info.createdAt ?? null,
      files: list,
      totalSize: list.reduce((s, f) => s + f.size, 0),
      fileCount: list.length,
      installed,
      offline: false,
    };
  }

  // ---- downloads ----

  /** Queues a download; the same user's active download of this repo+revision is answered instead of a second one. */
  async createDownload(user: Viewer, body: CreateDownloadInput): Promise<{ record: DownloadRecord; created: boolean }> {
    if (this.offline) throw hubOffline();
    const existing = await this.deps.repo.findActiveDownload(user.id, body.repoId, body.revision);
    if (existing) return { record: presentDownload(existing), created: false };

    const token = await this.tokenFor(user.id);
    const info = await this.deps.hub.getModelInfo(body.repoId, { revision: body.revision, token });
    // The canonical id (a renamed repo's new name, the Hub's spelling) is what is stored and downloaded.
    const repoId = info.id;
    if (repoId !== body.repoId) {
      const active = await this.deps.repo.findActiveDownload(user.id, repoId, body.revision);
      if (active) return { record: presentDownload(active), created: false };
    }
    if (info.gated !== false) await this.checkGatedAccess(repoId, info.sha ?? body.revision, info.siblings?.[0]?.rfilename, token);
    const pick = fileFilter(body.include, body.exclude);
    if (info.siblings && !info.siblings.some((f) => pick(f.rfilename))) {
      throw new AppError(400, 'VALIDATION_FAILED', 'include/exclude select no file of this repository', [
        { path: 'include', message: 'selects no file', code: 'custom' },
      ]);
    }

    const dest = repoFolder(this.deps.modelsRoot, repoId, body.revision);
    const row = await withTransaction(this.deps.pool, async (client) => {
      const repo = new SourcesRepository(client);
      const { row: model, previousStatus } = await repo.upsertDownloadingModel({
        repoId,
        revision: body.revision,
        type: modelType(info.pipeline_tag),
        ownerId: user.id,
        filePath: dest,
        metadata: {},
      });
      const inserted = await repo.insertDownload(user.id, repoId, body.revision, model.id, {
        include: body.include ?? [],
        exclude: body.exclude ?? [],
        ...(info.sha ? { commit: info.sha } : {}),
        replacesReady: previousStatus === 'ready',
      });
      // In the queue with its row: the next free worker runs it (after any download of the same files).
      if (inserted) await new QueueRepository(client).enqueue({ kind: 'download', id: inserted.id, queueName: downloadQueueName(repoId, body.revision) });
      return inserted;
    });
    if (!row) {
      // A concurrent request of the same user won the race: answer its row.
      const again = await this.deps.repo.findActiveDownload(user.id, repoId, body.revision);
      if (again) return { record: presentDownload(again), created: false };
      throw new AppError(409, 'CONFLICT', 'the download changed state; try again');
    }
    return { record: presentDownload(row), created: true };
  }

  async getDownload(userId: string, id: string): Promise<DownloadRecord> {
    return presentDownload(await this.ownDownload(userId, id));
  }

  async listDownloads(userId: string, q: ListDownloadsQuery): Promise<DownloadListResponse> {
    const { rows, total } = await this.deps.repo.listDownloads(userId, q.status, q.limit, q.offset);
    return { items: rows.map(presentDownload), total, limit: q.limit, offset: q.offset };
  }

  /**
   * Cancels a queued or running download: stops the transfer, removes its partial files (and, for a first
   * install nobody else is waiting for, the whole folder and models row). Finished downloads are answered as they are.
   */
  async cancelDownload(userId: string, id: string): Promise<DownloadRecord> {
    const row = await this.ownDownload(userId, id);
    if (row.status !== 'queued' && row.status !== 'running') return presentDownload(row);
    const cancelled = await this.deps.repo.cancelDownload(id);
    if (!cancelled) return presentDownload((await this.deps.repo.getDownload(id)) ?? row);
    await this.deps.manager.abort(id);
    await cleanupCancelledDownload(this.deps, cancelled);
    this.deps.notifier.notifyUser(userId, 'download:error', { id, code: 'DOWNLOAD_CANCELLED', message: 'cancelled by the user' });
    return presentDownload((await this.deps.repo.getDownload(id)) ?? cancelled);
  }

  // ---- installed models ----

  async listInstalled(viewer: Viewer): Promise<InstalledListResponse> {
    return { items: await this.presentAll(await this.deps.repo.listHubModels(), viewer) };
  }

  async getInstalled(viewer: Viewer, modelId: string): Promise<InstalledModel> {
    const row = await this.deps.repo.getModel(modelId);
    if (!row) throw notFound('model');
    return (await this.presentAll([row], viewer))[0]!;
  }

  /** Deletes a Hub model's files and row (admin, or the user who installed it); active downloads of it are cancelled. */
  async deleteInstalled(viewer: Viewer, modelId: string): Promise<void> {
    const row = await this.deps.repo.getModel(modelId);
    if (!row || !row.repo_id) throw notFound('model');
    if (viewer.role !== 'admin' && row.owner_id !== viewer.id) throw forbidden('only an admin or the user who installed it may delete this model');
    const revision = row.revision ?? 'main';
    for (const d of await this.deps.repo.activeDownloadsFor(row.repo_id, revision)) {
      const c = await this.deps.repo.cancelDownload(d.id);
      await this.deps.manager.abort(d.id);
      if (c) this.deps.notifier.notifyUser(d.user_id, 'download:error', { id: d.id, code: 'DOWNLOAD_CANCELLED', message: 'the model was deleted' });
    }
    await removeRepoFolder(this.deps.modelsRoot, row.repo_id, revision);
    await this.deps.repo.deleteModel(modelId);
  }

  // ---- tokens ----

  /** Checks a token against the Hub's whoami-v2; stores nothing. */
  async checkToken(token: string): Promise<HubTokenValidation> {
    if (this.offline) throw hubOffline();
    const r = await this.deps.hub.validateToken(token);
    if (!r.valid) {
      return { valid: false, username: null, fullname: null, tokenRole: null, tokenName: null, orgs: [], tokenPreview: tokenPreview(token) };
    }
    return {
      valid: true,
      username: r.username,
      fullname: r.fullname,
      tokenRole: r.tokenRole,
      tokenName: r.tokenName,
      orgs: r.orgs,
      tokenPreview: tokenPreview(token),
    };
  }

  /** Checks the given token, or the saved one. */
  async checkSavedOrGiven(userId: string, token: string | undefined): Promise<HubTokenValidation> {
    const t = token ?? (await this.deps.settings.hubToken(userId).catch(() => null));
    if (!t) {
      throw new AppError(400, 'VALIDATION_FAILED', 'no Hub token was given and none is saved', [
        { path: 'token', message: 'required when no token is saved', code: 'custom' },
      ]);
    }
    return this.checkToken(t);
  }

  /** Validates with the Hub, then stores the token sealed (AES-256-GCM) with its username. */
  async saveToken(userId: string, token: string): Promise<HubTokenState> {
    const check = await this.checkToken(token);
    if (!check.valid) throw invalidToken('the Hub refused this token; nothing was saved');
    return this.deps.settings.storeHubToken(userId, token, check.username);
  }

  clearToken(userId: string): Promise<HubTokenState> {
    return this.deps.settings.clearHubToken(userId);
  }

  // ---- helpers ----

  private async presentAll(rows: ModelRow[], viewer: Viewer): Promise<InstalledModel[]> {
    const ids = rows.map((r) => r.id);
    const runtimes = (await this.deps.runtimeOf?.(ids)) ?? new Map<string, ModelRuntime>();
    const trainedOn = await this.deps.repo.trainedOn(ids, viewer.id);
    return Promise.all(rows.map((r) => presentInstalled(r, viewer, runtimes.get(r.id), trainedOn.get(r.id) ?? 0)));
  }

  private async ownDownload(userId: string, id: string): Promise<DownloadRow> {
    const row = await this.deps.repo.getDownloadForUser(id, userId);
    if (!row) throw notFound('download');
    return row;
  }

  /**
   * Runs a Hub call with the user's token; when a *saved* token has gone bad, browsing falls back to anonymous
   * (public repos still work) instead of failing every search.
   */
  private async withUserToken<T>(userId: string, fn: (token: string | null) => Promise<T>): Promise<T> {
    const token = await this.tokenFor(userId);
    try {
      return await fn(token);
    } catch (err) {
      if (token && err instanceof AppError && err.code === 'INVALID_TOKEN') return fn(null);
      throw err;
    }
  }

  /** Gated repos show their details to anyone; asking for one byte of a file tells whether this token may download. */
  private async checkGatedAccess(repoId: string, commit: string, firstFile: string | undefined, token: string | null): Promise<void> {
    if (!token) throw gatedRepo(repoId, false);
    if (!firstFile) return;
    const encodedPath = firstFile.split('/').map(encodeURIComponent).join('/');
    const url = this.deps.hub.http.url(`/${repoId}/resolve/${encodeURIComponent(commit)}/${encodedPath}`);
    const res = await this.deps.hub.http.get(url, { token, repoId, headers: { Range: 'bytes=0-0' }, accept416: true });
    await res.body.dump().catch(() => undefined);
  }

  private async searchOffline(q: HubSearchQuery): Promise<Omit<HubSearchResponse, 'interpreted'>> {
    let offset = 0;
    if (q.cursor) {
      const m = /^offset=(\d{1,9})$/.exec(decodeCursor(q.cursor));
      if (!m) throw new AppError(400, 'VALIDATION_FAILED', 'the cursor is not valid', [{ path: 'cursor', message: 'not an offline cursor', code: 'custom' }]);
      offset = Number(m[1]);
    }
    const rows = await this.deps.repo.searchReady({ q: q.q, task: q.task, author: q.author, language: q.language, runsHere: q.runsHere, limit: q.limit + 1, offset });
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => offlineItem(r)),
      nextCursor: rows.length > q.limit ? Buffer.from(`offset=${offset + q.limit}`).toString('base64url') : null,
      offline: true,
    };
  }
}

function offlineItem(r: ModelRow): HubSearchItem {
  const meta = readMetadata(r);
  return {
    id: r.repo_id ?? r.name,
    author: meta.author ?? r.repo_id?.split('/')[0] ?? null,
    pipelineTag: meta.pipelineTag ?? null,
    libraryName: meta.libraryName ?? null,
    downloads: meta.downloads ?? 0,
    likes: meta.likes ?? 0,
    tags: meta.tags ?? [],
    license: meta.license ?? null,
    lastModified: meta.lastModified ?? null,
    gated: meta.gated ?? false,
    private: false,
    // The bytes fetched at install (recorded when the download completed).
    sizeBytes: typeof meta.sizeBytes === 'number' ? meta.sizeBytes : null,
    installed: true,
  };
}

function offlineDetails(row: ModelRow, installed: InstalledModel): HubModelDetails {
  const meta = readMetadata(row);
  const files = (meta.files ?? []).map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, lfs: f.lfs ?? false }));
  return {
    id: row.repo_id ?? row.name,
    author: meta.author ?? row.repo_id?.split('/')[0] ?? null,
    sha: meta.commitSha ?? null,
    revision: row.revision ?? 'main',
    pipelineTag: meta.pipelineTag ?? null,
    libraryName: meta.libraryName ?? null,
    tags: meta.tags ?? [],
    license: meta.license ?? null,
    languages: meta.languages ?? [],
    gated: meta.gated ?? false,
    private: false,
    downloads: meta.downloads ?? 0,
    likes: meta.likes ?? 0,
    lastModified: meta.lastModified ?? null,
    createdAt: meta.createdAt ?? null,
    files,
    totalSize: files.reduce((s, f) => s + f.size, 0),
    fileCount: files.length,
    installed,
    offline: true,
  };
}

/** The Hub's tag of repositories holding ONNX files. */
const RUNS_HERE_TAG = 'onnx';

/** Model cards beyond this are not shown (the Hub's own are far smaller). */
const MAX_CARD_BYTES = 512 * 1024;

/** A model card's Markdown without its YAML metadata block (the Hub shows that part as tags). */
function cardBody(text: string): string {
  return text.replace(/^\uFEFF?---\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/, '').trim();
}
