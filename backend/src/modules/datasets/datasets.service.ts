import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import {
  datasetUploadFieldsSchema,
  firstRecords,
  formatFromName,
  generatedColumnNames,
  guessHeaderRow,
  nonTextKind,
  type AddSampleBody,
  type Dataset,
  type DatasetFormat,
  type DatasetHeaderRow,
  type DatasetDetail,
  type DatasetListQuery,
  type DatasetListResponse,
  type DatasetRow,
  type DatasetRowsQuery,
  type DatasetRowsResponse,
  type DatasetSampleListResponse,
  type DatasetUploadFields,
} from '@sokhan/common';
import { AppError, conflict, notFound } from '../../platform/http/errors.js';
import { parse } from '../../platform/http/validate.js';
import type { Logger } from '../../platform/logger.js';
import { DatasetFileError, NO_RAGGED_LIMIT, readRecords, sniffFormat } from './dataset-parser.js';
import { profileDatasetFile } from './dataset-profile.js';
import { SampleCatalog } from './dataset-samples.js';
import { readHead, receiveUpload, type ReceivedFile, type UploadSource } from './dataset-upload.js';
import { WorkbookError, workbookToCsv, type WorkbookRead } from './workbook-to-csv.js';
import type { DatasetRecord, DatasetsRepository } from './datasets.repository.js';

export interface DatasetsDeps {
  repo: DatasetsRepository;
  /** Absolute datasets folder; each dataset lives in <dir>/<id>/. */
  dir: string;
  maxBytes: number;
  /** The folder of the shipped samples (backend/samples) and its samples.json. */
  samplesDir: string;
  logger: Logger;
}

/** A dataset as training reads it: the row plus the absolute path of its file. */
export interface DatasetForTraining {
  record: DatasetRecord;
  filePath: string;
}

export class DatasetsService {
  private readonly catalog: SampleCatalog;

  constructor(private readonly deps: DatasetsDeps) {
    this.catalog = new SampleCatalog(deps.samplesDir);
  }

  /** Streams an upload to datasets/<id>/<generated name>, profiles it and records it; leaves nothing behind on failure. */
  async upload(userId: string, src: UploadSource): Promise<DatasetDetail> {
    const id = randomUUID();
    const dir = path.join(this.deps.dir, id);
    await fs.mkdir(dir, { recursive: true });
    try {
      const received = await receiveUpload(src, { dir, storedName: 'upload.part', maxBytes: this.deps.maxBytes });
      if (!received.file) {
        throw new AppError(400, 'VALIDATION_FAILED', 'request is not valid', [{ path: 'file', message: 'a file part named "file" is required', code: 'invalid_type' }]);
      }
      return await this.store(userId, id, dir, received.file, parse(datasetUploadFieldsSchema, received.fields));
    } catch (err) {
      await fs.rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The shipped samples, each with the caller's most recent copy of it (if any). */
  async samples(userId: string): Promise<DatasetSampleListResponse> {
    const [entries, copies] = await Promise.all([this.catalog.list(), this.deps.repo.latestFromSamples(userId)]);
    return { items: entries.map(({ filePath: _, ...s }) => ({ ...s, datasetId: copies.get(s.id) ?? null })) };
  }

  /**
   * Adds a shipped sample to the user's datasets: its file is copied and stored exactly as an upload of it would be.
   * Every call makes a new dataset (as uploading the same file twice does); the list names the latest.
   */
  async addSample(userId: string, sampleId: string, body: AddSampleBody): Promise<DatasetDetail> {
    const sample = await this.catalog.get(sampleId);
    if (!sample) throw notFound('sample');
    const id = randomUUID();
    const dir = path.join(this.deps.dir, id);
    await fs.mkdir(dir, { recursive: true });
    try {
      const copy = path.join(dir, 'upload.part');
      await fs.copyFile(sample.filePath, copy);
      const head = await readHead(copy);
      const file: ReceivedFile = { path: copy, originalName: sample.fileName, sizeBytes: sample.sizeBytes, head };
      const fields = { name: body.name ?? sample.title.fa, description: sample.description.fa, type: sample.task, format: sample.format, labelColumn: sample.labelColumn, header: 'present' as const };
      return await this.store(userId, id, dir, file, fields, sample.id);
    } catch (err) {
      await fs.rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Checks, moves into place, profiles and records a received file (an upload or a sample's copy) in <dir>. */
  private async store(userId: string, id: string, dir: string, file: ReceivedFile, fields: DatasetUploadFields, sample?: string): Promise<DatasetDetail> {
    let kind = nonTextKind(file.head);
    let workbook: WorkbookRead | null = null;
    if (kind === 'xlsx') {
      // A workbook is read as the CSV of one sheet, then checked and stored like any CSV.
      const csv = path.join(dir, 'workbook.csv.part');
      workbook = await workbookToCsv(file.path, csv, fields.sheet).catch((err: unknown) => {
        if (err instanceof WorkbookError) {
          throw new AppError(422, 'INVALID_DATASET', err.message, [{ line: 0, reason: err.reason, message: err.message, ...(err.sheets.length ? { sheets: err.sheets } : {}) }]);
        }
        throw err;
      });
      await fs.rm(file.path, { force: true });
      file = { ...file, path: csv, head: await readHead(csv) };
      fields = { ...fields, format: 'csv' };
      kind = nonTextKind(file.head);
    }
    if (kind) {
      throw new AppError(422, 'INVALID_DATASET', `the file is not UTF-8 text (its first bytes are a ${kind} file)`, [
        { line: 0, reason: 'not-text', kind, message: `the file is a ${kind} file, not CSV, TSV or JSONL text` },
      ]);
    }
    const format = fields.format ?? formatFromName(file.originalName) ?? sniffFormat(file.head);
    const storedName = `${randomUUID()}.${format}`;
    const headerRow = await storeWithHeader(file.path, path.join(dir, storedName), format, file.head, fields.header);
    const profile = await profileDatasetFile(path.join(dir, storedName), format, { type: fields.type, labelColumn: fields.labelColumn }).catch((err: unknown) => {
      if (err instanceof DatasetFileError) throw new AppError(422, 'INVALID_DATASET', err.message, [err.problem]);
      throw err;
    });
    const { recordCount, type, rowIndex, ...rest } = profile;
    await this.deps.repo.insert({
      id,
      userId,
      name: fields.name,
      description: fields.description ?? null,
      type,
      format,
      originalName: file.originalName,
      filePath: path.join(id, storedName),
      sizeBytes: file.sizeBytes,
      recordCount,
      metadata: { ...rest, sizeBytes: file.sizeBytes, headerRow, workbook, ...(sample ? { sample } : {}) },
      rowIndex,
    });
    this.deps.logger.info({ datasetId: id, userId, records: recordCount, bytes: file.sizeBytes, format, sample }, sample ? 'sample dataset added' : 'dataset uploaded');
    return this.get(userId, id);
  }

  async list(userId: string, q: DatasetListQuery): Promise<DatasetListResponse> {
    const { rows, total } = await this.deps.repo.list(userId, q.limit, q.offset);
    return { items: rows.map(toDataset), total, limit: q.limit, offset: q.offset };
  }

  async get(userId: string, id: string): Promise<DatasetDetail> {
    const record = await this.require(userId, id);
    return { ...toDataset(record), preview: record.metadata.preview };
  }

  /** A page of rows, read from the nearest indexed record boundary (never the whole file). */
  async rows(userId: string, id: string, q: DatasetRowsQuery): Promise<DatasetRowsResponse> {
    const record = await this.require(userId, id);
    const columns = record.metadata.columns.map((c) => c.name);
    const rows: DatasetRow[] = [];
    if (q.offset < record.record_count) {
      const index = await this.deps.repo.rowIndex(id);
      const entry = index.filter((e) => e.row <= q.offset).at(-1);
      // From an indexed record boundary the header line is behind us, so it is handed in.
      const from = entry ? { header: record.metadata.header ?? undefined, start: { byteOffset: entry.byteOffset, line: entry.line } } : {};
      const records = readRecords(this.filePath(record), record.format, { ...from, raggedTolerance: NO_RAGGED_LIMIT });
      let skip = q.offset - (entry?.row ?? 0);
      for await (const rec of records) {
        if (skip > 0) {
          skip -= 1;
          continue;
        }
        rows.push(rec.values);
        if (rows.length >= q.limit) break;
      }
    }
    return { columns, rows, offset: q.offset, limit: q.limit, total: record.record_count };
  }

  /** 409 DATASET_IN_USE while a queued, running or paused job uses it. */
  async delete(userId: string, id: string): Promise<void> {
    const r = await this.deps.repo.deleteUnlessInUse(id, userId);
    if (r.result === 'missing') throw notFound('dataset');
    if (r.result === 'in-use') throw conflict('a training job is using this dataset; cancel it or let it finish first', 'DATASET_IN_USE');
    await fs.rm(path.join(this.deps.dir, id), { recursive: true, force: true });
  }

  /** The user's dataset and its file, for training (404 for another user's). */
  async forTraining(userId: string, id: string): Promise<DatasetForTraining> {
    const record = await this.require(userId, id);
    return { record, filePath: this.filePath(record) };
  }

  private async require(userId: string, id: string): Promise<DatasetRecord> {
    const record = await this.deps.repo.get(id, userId);
    if (!record) throw notFound('dataset');
    return record;
  }

  private filePath(record: DatasetRecord): string {
    const full = path.resolve(this.deps.dir, record.file_path);
    if (!full.startsWith(path.resolve(this.deps.dir) + path.sep)) throw new AppError(500, 'INTERNAL', 'dataset path is outside the datasets folder');
    return full;
  }
}

export function toDataset(r: DatasetRecord): Dataset {
  const m = r.metadata;
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    type: r.type,
    typeGiven: m.typeGiven,
    format: r.format,
    originalName: r.original_name,
    sizeBytes: m.sizeBytes,
    recordCount: r.record_count,
    columns: m.columns,
    textColumn: m.textColumn,
    labelColumn: m.labelColumn,
    classCounts: m.classCounts,
    headerRow: m.headerRow ?? (r.format === 'jsonl' ? null : { present: true, decidedBy: 'detected', reason: null }),
    workbook: m.workbook ?? null,
    skippedRows: m.skippedRows,
    skippedLines: m.skippedLines,
    inUse: r.in_use,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/**
 * Moves the upload into place. A CSV/TSV whose first row is data (as the user said, or as its first records show)
 * gets a generated header line (column_1, column_2 …) written before it, so every later reader — the profile,
 * row pages, training — reads all of its rows the same way.
 */
async function storeWithHeader(from: string, to: string, format: DatasetFormat, head: Buffer, said: 'present' | 'absent' | undefined): Promise<DatasetHeaderRow | null> {
  if (format === 'jsonl') {
    await fs.rename(from, to);
    return null;
  }
  const delimiter = format === 'tsv' ? '\t' : ',';
  const sample = firstRecords(head.toString('utf8'), delimiter);
  const guess = guessHeaderRow(sample);
  const headerRow: DatasetHeaderRow = said ? { present: said === 'present', decidedBy: 'user', reason: null } : { present: guess.present, decidedBy: 'detected', reason: guess.reason };
  if (headerRow.present) {
    await fs.rename(from, to);
    return headerRow;
  }
  const columns = Math.max(1, ...sample.map((r) => r.length));
  await fs.writeFile(to, `${generatedColumnNames(columns).join(delimiter)}\n`);
  await pipeline(createReadStream(from), createWriteStream(to, { flags: 'a' }));
  await fs.rm(from, { force: true });
  return headerRow;
}
