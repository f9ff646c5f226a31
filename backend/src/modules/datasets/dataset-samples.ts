import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASET_TYPES, formatFromName, type DatasetSample } from '@sokhan/common';
import { z } from 'zod';
import { profileDatasetFile } from './dataset-profile.js';

/** backend/samples, from src/ (tsx, tests) and from dist/ (the built server) alike: both are two folders down. */
export const SAMPLES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../samples');

const text = z.strictObject({ fa: z.string().min(1), en: z.string().min(1) });
const manifestSchema = z.array(
  z.strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    // A plain file name inside the samples folder.
    file: z.string().regex(/^[\w.-]+\.(csv|tsv|jsonl)$/),
    task: z.enum(DATASET_TYPES),
    textColumn: z.string().min(1),
    labelColumn: z.string().min(1),
    license: z.string().min(1),
    title: text,
    description: text,
  }),
);

/** A shipped sample as the catalog knows it: what the API lists (less the caller's copy) and where its file is. */
export interface SampleEntry extends Omit<DatasetSample, 'datasetId'> {
  filePath: string;
}

/**
 * The samples folder's manifest, with each file's rows and classes counted by the same profiler as uploads
 * (so the list never disagrees with the dataset a click creates). Read once, on first use.
 */
export class SampleCatalog {
  private loaded: Promise<SampleEntry[]> | null = null;

  constructor(private readonly dir: string) {}

  list(): Promise<SampleEntry[]> {
    this.loaded ??= this.load().catch((err: unknown) => {
      this.loaded = null;
      throw err;
    });
    return this.loaded;
  }

  async get(id: string): Promise<SampleEntry | null> {
    return (await this.list()).find((s) => s.id === id) ?? null;
  }

  private async load(): Promise<SampleEntry[]> {
    const manifest = manifestSchema.parse(JSON.parse(await fs.readFile(path.join(this.dir, 'samples.json'), 'utf8')));
    return Promise.all(
      manifest.map(async (m): Promise<SampleEntry> => {
        const filePath = path.join(this.dir, m.file);
        const format = formatFromName(m.file) ?? 'csv';
        const [stat, profile] = await Promise.all([fs.stat(filePath), profileDatasetFile(filePath, format, { type: m.task, labelColumn: m.labelColumn })]);
        if (profile.textColumn !== m.textColumn) throw new Error(`sample ${m.id}: the text column is ${profile.textColumn}, the manifest says ${m.textColumn}`);
        return {
          id: m.id,
          title: m.title,
          description: m.description,
          task: m.task,
          textColumn: m.textColumn,
          labelColumn: m.labelColumn,
          format,
          fileName: m.file,
          rows: profile.recordCount,
          classes: profile.classCounts ?? [],
          sizeBytes: stat.size,
          license: m.license,
          filePath,
        };
      }),
    );
  }
}
