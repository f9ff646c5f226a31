import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import {
  deserializeFeatures,
  inputColumns,
  MODEL_ARCHIVE_FILES,
  MODEL_ARCHIVE_FORMAT,
  MODEL_ARCHIVE_VERSION,
  modelFeatureInput,
  type ModelArchiveLabels,
  type ModelArchiveManifest,
  type ModelArchiveMetrics,
} from '@sokhan/common';
import type * as tf from '@tensorflow/tfjs';
import { featurizeScript } from './model-archive-featurize.js';
import { renderReadme } from './model-archive-readme.js';
import { writeZip, type ZipSource } from './model-archive-zip.js';
import { MODEL_JSON } from './model-io.js';
import type { TrainedModelMetadata } from './training.presenter.js';
import type { ExportedEvaluationRow, TrainedModelRow } from './training.repository.js';

const F = MODEL_ARCHIVE_FILES;

export interface ModelExport {
  /** The download's name: the model's name made safe for a file system, .zip. */
  fileName: string;
  /** The same in ASCII, for clients that ignore filename*. */
  asciiFileName: string;
  write(out: Writable): Promise<void>;
}

/**
 * Everything an archive holds, read and hashed before the first byte is sent (so a missing file is an error
 * answer, not a broken download): the model's files from `dir`, labels.json and metrics.json from the database,
 * featurize.js, README.md and manifest.json made here.
 */
export async function buildModelExport(opts: {
  row: TrainedModelRow;
  dir: string;
  evaluations: readonly ExportedEvaluationRow[];
  sokhanVersion: string;
  tfjsVersion: string;
  now?: Date;
}): Promise<ModelExport> {
  const { row, dir } = opts;
  const meta = row.metadata as unknown as TrainedModelMetadata;
  const now = opts.now ?? new Date();
  const modelJsonText = await fs.readFile(path.join(dir, MODEL_JSON), 'utf8');
  const modelJson = JSON.parse(modelJsonText) as tf.io.ModelJSON;
  const weights = modelJson.weightsManifest.flatMap((g) => g.paths);
  const featuresText = await fs.readFile(path.join(dir, F.features), 'utf8');
  const features = deserializeFeatures(featuresText);
  const how = modelFeatureInput(modelJson.userDefinedMetadata);

  const labels: ModelArchiveLabels = { task: meta.task, labelColumn: meta.labelColumn, labels: meta.labels ?? null, labelNames: meta.labelNames ?? {} };
  const metrics: ModelArchiveMetrics = {
    final: meta.metrics ?? null,
    evaluations: opts.evaluations.map((e) => ({ split: e.split, dataset: e.dataset_name, createdAt: e.created_at.toISOString(), report: e.report })),
  };
  const draft: ModelArchiveManifest = {
    format: MODEL_ARCHIVE_FORMAT,
    version: MODEL_ARCHIVE_VERSION,
    sokhanVersion: opts.sokhanVersion,
    createdAt: now.toISOString(),
    model: {
      id: row.id,
      name: row.name,
      task: meta.task,
      createdAt: row.created_at.toISOString(),
      textColumn: meta.textColumn,
      featureColumns: meta.featureColumns,
      labelColumn: meta.labelColumn,
      input: how.input,
      layers: meta.layers,
      featureDim: meta.featureDim ?? features.dim,
      parameters: meta.parameters ?? null,
      metrics: meta.metrics ?? null,
    },
    files: [],
  };
  const readme = renderReadme({ manifest: draft, metrics, features, inputs: inputColumns(features), how, labelNames: labels.labelNames, weights, tfjsVersion: opts.tfjsVersion });

  const made: Record<string, string> = {
    [F.readme]: readme,
    [F.model]: modelJsonText,
    [F.features]: featuresText,
    [F.labels]: `${JSON.stringify(labels, null, 2)}\n`,
    [F.metrics]: `${JSON.stringify(metrics, null, 2)}\n`,
    [F.featurize]: await featurizeScript(),
  };
  const order = [F.readme, F.model, ...weights, F.features, F.labels, F.metrics, F.featurize];
  const sources: ZipSource[] = order.map((name) => (name in made ? { name, data: made[name]! } : { name, file: path.join(dir, name) }));
  const files = await Promise.all(sources.map(async (s) => ({ name: s.name, ...('data' in s ? digest(Buffer.from(s.data)) : await digestFile(s.file)) })));
  const manifest: ModelArchiveManifest = { ...draft, files };
  const entries: ZipSource[] = [{ name: F.manifest, data: `${JSON.stringify(manifest, null, 2)}\n` }, ...sources];
  const base = safeFileName(row.name);
  return {
    fileName: `${base || 'sokhan-model'}.zip`,
    asciiFileName: `sokhan-model-${row.id.slice(0, 8)}.zip`,
    write: (out) => writeZip(out, entries, now),
  };
}

const digest = (data: Buffer) => ({ sizeBytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });

async function digestFile(file: string): Promise<{ sizeBytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    sizeBytes += chunk.length;
  }
  return { sizeBytes, sha256: hash.digest('hex') };
}

/** Letters and digits of any script kept; every other run becomes one hyphen (ZWNJ too: browsers replace it in file names). */
export function safeFileName(name: string): string {
  return name
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}
