import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seededRandom, type ClassificationReport } from '@sokhan/common';
import { reportOf } from './scores.js';
import { resetPeakRss, rssMb, serveForBench, startBenchServer, stopBenchServer, uploadTextCsv, type BenchServer } from './bench-server.js';
import { call } from '../lib/http.js';

/**
 * Text classification on real Persian data (SentiPers, 5 polarity classes: DeepSentiPers' original.csv → test.csv).
 * 1. Sokhan with its default settings, through the real service (upload → job in a worker → predict API) on a
 *    server in a child process with a temporary embedded database; scikit-learn (Debian python3-sklearn: TF-IDF
 *    word 1–2 + char_wb 2–4, sublinear tf, LogisticRegression(C=4, max_iter=2000)); fastText (Debian CLI, tuned
 *    and with its defaults). Accuracy, macro-F1, wall time and peak RSS of each, with ratios to scikit-learn.
 * 2. Sokhan's defaults on 100k and 1M rows recombined from the training sentences (generated in a temp folder):
 *    wall time and the server's peak RSS, to show time growing with rows and memory not.
 * The corpus is read from `--corpus=<dir>`, $BENCH_TEXT_CORPUS or ../shared/data/deepsentipers beside the repo
 * (evaluation data only: it is never copied into the repository). Nothing here asserts a figure; misses print.
 */

const exec = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), '../..');
const DEBIAN_PYTHON = '/usr/bin/python3';
const FASTTEXT = '/usr/bin/fasttext';
const GNU_TIME = '/usr/bin/time';
const SEED = 1;
const SCALE_ROWS = [100_000, 1_000_000];
/** The scale runs time one epoch, without the refit: one pass of training is what grows with the rows. */
const SCALE_SETTINGS = { epochs: 1, refit: false };

type Figures = Record<string, number | string>;
interface Row {
  text: string;
  label: string;
}
interface Run {
  report: ClassificationReport;
  seconds: number;
  peakRssMb: number;
}

function corpusDir(): string {
  const arg = process.argv.find((a) => a.startsWith('--corpus='));
  return path.resolve(arg?.slice('--corpus='.length) ?? process.env.BENCH_TEXT_CORPUS ?? path.join(REPO, '../shared/data/deepsentipers'));
}

// ---- data ----

/** RFC-4180 CSV with two columns and no header (the DeepSentiPers files). */
function parseCsv(text: string): Row[] {
  const rows: Row[] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.length >= 2) rows.push({ text: fields[0]!, label: fields[1]! });
      fields = [];
      field = '';
    } else field += ch;
  }
  if (field || fields.length) {
    fields.push(field);
    if (fields.length >= 2) rows.push({ text: fields[0]!, label: fields[1]! });
  }
  return rows;
}

const csvCell = (s: string) => `"${s.replaceAll('"', '""')}"`;
const csvLine = (r: Row) => `${csvCell(r.text)},${csvCell(r.label)}\n`;

async function writeCsv(file: string, rows: Iterable<Row>): Promise<void> {
  const out = createWriteStream(file);
  out.write('text,label\n');
  for (const r of rows) if (!out.write(csvLine(r))) await new Promise<void>((res) => out.once('drain', () => res()));
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
}

/** fastText's format: `__label__<class> <text>` on one line. */
const fastTextLine = (r: Row) => `__label__${r.label} ${r.text.replace(/\s+/g, ' ').trim()}\n`;

/**
 * `count` rows recombined from the training sentences: a sentence, then the first words of another sentence of the
 * same class (so the class still fits), in a seeded order. Real Persian vocabulary and lengths at any size.
 */
function* recombined(train: readonly Row[], count: number): Generator<Row> {
  const byLabel = new Map<string, string[]>();
  for (const r of train) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r.text]);
  const rnd = seededRandom(SEED + count);
  for (let i = 0; i < count; i++) {
    const base = train[Math.floor(rnd() * train.length)]!;
    const same = byLabel.get(base.label)!;
    const other = same[Math.floor(rnd() * same.length)]!.split(/\s+/);
    yield { text: `${base.text} ${other.slice(0, 1 + Math.floor(rnd() * 8)).join(' ')}`, label: base.label };
  }
}

// ---- measuring child processes ----

/** Runs a command under GNU time -v: wall seconds (measured here) and its maximum resident set size. */
async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ stdout: string; seconds: number; peakRssMb: number }> {
  const t = performance.now();
  const { stdout, stderr } = await exec(GNU_TIME, ['-v', cmd, ...args], { env, maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - t) / 1000;
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN);
  return { stdout, seconds, peakRssMb: kb / 1024 };
}

async function works(cmd: string, args: string[]): Promise<boolean> {
  return exec(cmd, args).then(
    () => true,
    () => false,
  );
}

/** Installs what the baselines need from Debian when missing; answers what is still missing. */
async function ensureTools(): Promise<string[]> {
  const checks = {
    sklearn: () => works(DEBIAN_PYTHON, ['-c', 'import sklearn']),
    fasttext: async () => existsSync(FASTTEXT),
    time: async () => existsSync(GNU_TIME),
  };
  const packages = { sklearn: 'python3-sklearn', fasttext: 'fasttext', time: 'time' } as const;
  const missing = async () => (await Promise.all(Object.entries(checks).map(async ([k, f]) => ((await f()) ? null : k)))).filter((k): k is keyof typeof packages => k !== null);
  let absent = await missing();
  if (absent.length && process.getuid?.() === 0) {
    const apt = (args: string[]) => exec('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 });
    const install = () => apt(['install', '-y', ...absent.map((k) => packages[k])]);
    await install().catch(async () => {
      await apt(['update']);
      await install();
    });
    absent = await missing();
  }
  return absent.map((k) => packages[k]);
}

const SKLEARN_SCRIPT = `
import csv, json, sys
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_union
from sklearn.linear_model import LogisticRegression
def load(p):
    with open(p, encoding='utf-8', newline='') as f:
        rows = list(csv.reader(f))[1:]
    return [r[0] for r in rows], [r[1] for r in rows]
xtr, ytr = load(sys.argv[1]); xte, _ = load(sys.argv[2])
vec = make_union(TfidfVectorizer(analyzer='word', ngram_range=(1, 2), sublinear_tf=True), TfidfVectorizer(analyzer='char_wb', ngram_range=(2, 4), sublinear_tf=True))
clf = LogisticRegression(C=4, max_iter=2000)
clf.fit(vec.fit_transform(xtr), ytr)
print(json.dumps([str(p) for p in clf.predict(vec.transform(xte))]))
`;

async function sklearnRun(trainCsv: string, testCsv: string, labels: string[], truth: string[]): Promise<Run> {
  const r = await timed(DEBIAN_PYTHON, ['-c', SKLEARN_SCRIPT, trainCsv, testCsv]);
  return { report: reportOf(labels, truth, JSON.parse(r.stdout) as string[]), seconds: r.seconds, peakRssMb: r.peakRssMb };
}

/** fastText supervised then predict; time is both, RSS the larger of the two. */
async function fastTextRun(dir: string, name: string, args: string[], labels: string[], truth: string[]): Promise<Run> {
  const model = path.join(dir, name);
  const fit = await timed(FASTTEXT, ['supervised', '-input', path.join(dir, 'train.txt'), '-output', model, '-seed', String(SEED), ...args]);
  const pred = await timed(FASTTEXT, ['predict', `${model}.bin`, path.join(dir, 'test.txt')]);
  const predicted = pred.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^__label__/, ''));
  return { report: reportOf(labels, truth, predicted), seconds: fit.seconds + pred.seconds, peakRssMb: Math.max(fit.peakRssMb, pred.peakRssMb) };
}

// ---- Sokhan through the service ----

interface SokhanJob {
  seconds: number;
  peakRssMb: number;
  modelId: string;
  job: { metrics: { final: { epochs: number; bestEpoch: number | null } | null; samples: { train: number; validation: number } | null } };
}

/** Upload → job with the defaults (plus `extra`) → completed: wall time of both and the server's peak RSS. */
async function trainThroughService(server: BenchServer, token: string, file: string, name: string, extra: Record<string, unknown> = {}): Promise<SokhanJob> {
  await resetPeakRss(server.pid);
  const t = performance.now();
  const datasetId = await uploadTextCsv(server, token, file, name);
  const created = await call(server.url, 'POST', '/api/training', {
    token,
    body: { datasetId, task: 'text-classification', textColumn: 'text', labelColumn: 'label', seed: SEED, ...extra },
  });
  if (created.status !== 201) throw new Error(`job answered ${created.status}: ${JSON.stringify(created.body)}`);
  // Polled by hand: a failed job must end the bench, not wait out a timeout.
  let job: SokhanJob['job'] & { status: string; modelId: string; error: unknown };
  for (;;) {
    job = (await call(server.url, 'GET', `/api/training/${created.body.id}`, { token })).body;
    if (job.status === 'completed') break;
    if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`the job ${job.status}: ${JSON.stringify(job.error)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (performance.now() - t) / 1000;
  return { seconds, peakRssMb: (await rssMb(server.pid)).peak, modelId: job.modelId, job };
}

/** The test rows through POST /api/models/:id/predict, 1000 at a time. */
async function predictThroughService(server: BenchServer, token: string, modelId: string, rows: readonly Row[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const res = await call(server.url, 'POST', `/api/models/${modelId}/predict`, { token, body: { inputs: rows.slice(i, i + 1000).map((r) => ({ text: r.text })) } });
    if (res.status !== 200) throw new Error(`predict answered ${res.status}: ${JSON.stringify(res.body)}`);
    for (const p of res.body.predictions as { label: string }[]) out.push(p.label);
  }
  return out;
}

// ---- the bench ----

/** Where a long run is, on stderr (the figures print when it ends). */
const progress = (line: string) => process.stderr.write(`  … ${line}\n`);
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');

function runFigures(figures: Figures, key: string, run: Run, base: Run | null): void {
  progress(`${key}: accuracy ${run.report.accuracy.toFixed(4)}, macro-F1 ${run.report.macroF1.toFixed(4)}, ${run.seconds.toFixed(1)} s, ${run.peakRssMb.toFixed(0)} MB`);
  figures[`${key}_accuracy`] = run.report.accuracy;
  figures[`${key}_macro_f1`] = run.report.macroF1;
  figures[`${key}_wall_s`] = run.seconds;
  figures[`${key}_peak_rss_mb`] = run.peakRssMb;
  if (base && run !== base) {
    figures[`${key}_accuracy_vs_sklearn`] = ratio(run.report.accuracy, base.report.accuracy);
    figures[`${key}_macro_f1_vs_sklearn`] = ratio(run.report.macroF1, base.report.macroF1);
    figures[`${key}_wall_vs_sklearn`] = ratio(run.seconds, base.seconds);
    figures[`${key}_rss_vs_sklearn`] = ratio(run.peakRssMb, base.peakRssMb);
  }
}

export async function benchTextClassification(): Promise<{ name: string; figures: Figures }> {
  const corpus = corpusDir();
  const figures: Figures = { corpus, cpus: os.cpus().length };
  if (!existsSync(path.join(corpus, 'original.csv')) || !existsSync(path.join(corpus, 'test.csv'))) {
    return { name: 'text-classification', figures: { ...figures, skipped: `no original.csv and test.csv in ${corpus} (pass --corpus=<dir> or BENCH_TEXT_CORPUS)` } };
  }
  const train = parseCsv(await fs.readFile(path.join(corpus, 'original.csv'), 'utf8'));
  const test = parseCsv(await fs.readFile(path.join(corpus, 'test.csv'), 'utf8'));
  const labels = [...new Set(train.map((r) => r.label))].sort((a, b) => Number(a) - Number(b));
  const truth = test.map((r) => r.label);
  figures.rows = `${train.length} train, ${test.length} test, ${labels.length} classes`;

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-bench-text-'));
  // The embedded server may run as an unprivileged user when we are root: it must be able to read the files.
  await fs.chmod(dir, 0o755);
  let server: BenchServer | null = null;
  try {
    const trainCsv = path.join(dir, 'train.csv');
    const testCsv = path.join(dir, 'test.csv');
    await writeCsv(trainCsv, train);
    await writeCsv(testCsv, test);
    await fs.writeFile(path.join(dir, 'train.txt'), train.map(fastTextLine).join(''));
    await fs.writeFile(path.join(dir, 'test.txt'), test.map(fastTextLine).join(''));

    const missing = await ensureTools();
    let sklearn: Run | null = null;
    if (missing.length) figures.baselines = `not measured: ${missing.join(', ')} missing (apt-get install -y ${missing.join(' ')})`;
    else {
      sklearn = await sklearnRun(trainCsv, testCsv, labels, truth);
      runFigures(figures, 'sklearn', sklearn, null);
    }

    server = await startBenchServer(SELF);
    const reg = await call(server.url, 'POST', '/api/auth/register', { body: { email: 'bench@example.com', username: 'bench_user', password: 'bench-password-123' } });
    const token = reg.body.token as string;
    const trained = await trainThroughService(server, token, trainCsv, 'sentipers');
    const tp = performance.now();
    const predicted = await predictThroughService(server, token, trained.modelId, test);
    const predictSeconds = (performance.now() - tp) / 1000;
    const sokhan: Run = { report: reportOf(labels, truth, predicted), seconds: trained.seconds + predictSeconds, peakRssMb: trained.peakRssMb };
    const final = trained.job.metrics.final;
    figures.sokhan_job = `defaults, seed ${SEED}: ${final?.epochs} epochs, kept epoch ${final?.bestEpoch}, ${trained.job.metrics.samples?.train} train / ${trained.job.metrics.samples?.validation} validation rows`;
    runFigures(figures, 'sokhan', sokhan, sklearn);
    figures.sokhan_predict_s = predictSeconds;

    if (!missing.length) {
      const tuned = ['-epoch', '25', '-wordNgrams', '2', '-minn', '2', '-maxn', '4', '-dim', '50', '-lr', '0.5'];
      runFigures(figures, 'fasttext', await fastTextRun(dir, 'ft-tuned', tuned, labels, truth), sklearn);
      runFigures(figures, 'fasttext_defaults', await fastTextRun(dir, 'ft-default', [], labels, truth), sklearn);
    }
    if (sklearn) {
      figures.target_accuracy = `${mark(sokhan.report.accuracy >= sklearn.report.accuracy)} (${sokhan.report.accuracy.toFixed(4)} vs ${sklearn.report.accuracy.toFixed(4)})`;
      figures.target_macro_f1 = `${mark(sokhan.report.macroF1 >= sklearn.report.macroF1)} (${sokhan.report.macroF1.toFixed(4)} vs ${sklearn.report.macroF1.toFixed(4)})`;
      figures.target_wall = `${mark(sokhan.seconds <= sklearn.seconds)} (${sokhan.seconds.toFixed(1)} s vs ${sklearn.seconds.toFixed(1)} s)`;
    }

    const scale: { rows: number; seconds: number; rss: number }[] = [];
    for (const rows of SCALE_ROWS) {
      const file = path.join(dir, `recombined-${rows}.csv`);
      await writeCsv(file, recombined(train, rows));
      const run = await trainThroughService(server, token, file, `recombined-${rows}`, SCALE_SETTINGS);
      await fs.rm(file, { force: true });
      scale.push({ rows, seconds: run.seconds, rss: run.peakRssMb });
      progress(`${rows} rows: ${run.seconds.toFixed(1)} s, ${run.peakRssMb.toFixed(0)} MB`);
      figures[`scale_${rows}_wall_s`] = run.seconds;
      figures[`scale_${rows}_rows_per_s`] = rows / run.seconds;
      figures[`scale_${rows}_peak_rss_mb`] = run.peakRssMb;
    }
    const [small, large] = scale as [(typeof scale)[0], (typeof scale)[0]];
    figures.scale_note = `defaults with ${JSON.stringify(SCALE_SETTINGS)}; wall = upload + profile + job; RSS = server process peak (VmHWM) during the run`;
    figures.scale_wall_ratio_1m_vs_100k = large.seconds / small.seconds;
    figures.scale_rss_ratio_1m_vs_100k = large.rss / small.rss;
    figures.target_rss_flat = `${mark(large.rss <= 1.5 * small.rss)} (${large.rss.toFixed(0)} MB at 1M vs ${small.rss.toFixed(0)} MB at 100k, limit 1.5×)`;
  } finally {
    await stopBenchServer(server);
    await fs.rm(dir, { recursive: true, force: true });
  }
  return { name: 'text-classification', figures };
}

// ---- child process: the server ----

const childServer = () => serveForBench('sokhan-bench-text-server-');

const at = process.argv.indexOf('--bench-child');
if (at !== -1 && process.argv[at + 1] === 'server') await childServer();
