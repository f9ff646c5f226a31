import { labelName, MODEL_ARCHIVE_FILES, SPARSE_INPUT_NAMES, type ClassificationReport, type FittedFeatures, type InputColumn, type ModelArchiveManifest, type ModelArchiveMetrics, type ModelFeatureInput } from '@sokhan/common';

/** What the README of an exported archive describes. */
export interface ReadmeInput {
  manifest: ModelArchiveManifest;
  metrics: ModelArchiveMetrics;
  features: FittedFeatures;
  inputs: readonly InputColumn[];
  how: ModelFeatureInput;
  labelNames: Record<string, string>;
  weights: readonly string[];
  /** The TensorFlow.js version the model was saved with (the page loads the same one from a CDN). */
  tfjsVersion: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const fixed = (n: number) => n.toFixed(3);
const TASKS: Record<string, string> = {
  'text-classification': 'text classification',
  'tabular-classification': 'tabular classification',
  'tabular-regression': 'tabular regression',
};
const SPLITS: Record<string, string> = { validation: 'held-out validation rows', training: 'training rows (nothing was held out)', dataset: 'test file' };
/** JSON.stringify, then `<` escaped: the values go inside a <script> of the example page. */
const js = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** README.md of an exported model: what it is, its figures, and a plain TF.js page that runs it. */
export function renderReadme(r: ReadmeInput): string {
  const m = r.manifest.model;
  const out: string[] = [];
  out.push(`# ${m.name} — مدل سخن`, '');
  out.push(
    `A ${TASKS[m.task] ?? m.task} model trained in Sokhan (سخن) and exported by Sokhan ${r.manifest.sokhanVersion} on ${r.manifest.createdAt.slice(0, 10)}. ` +
      `It reads ${r.inputs.map((c) => `«${c.name}» (${c.kind})`).join(', ')} and predicts «${m.labelColumn}».`,
    '',
  );

  out.push('## Files', '', '| file | what |', '|---|---|');
  out.push(`| \`${MODEL_ARCHIVE_FILES.model}\` | the TensorFlow.js layers model (topology and weights manifest) |`);
  for (const w of r.weights) out.push(`| \`${w}\` | its weights |`);
  out.push(`| \`${MODEL_ARCHIVE_FILES.features}\` | the fitted feature extractor: hashed text n-grams and their idf, column statistics, classes |`);
  out.push(`| \`${MODEL_ARCHIVE_FILES.labels}\` | the classes in output order and their display names |`);
  out.push(`| \`${MODEL_ARCHIVE_FILES.metrics}\` | the stored evaluations below, in full |`);
  out.push(`| \`${MODEL_ARCHIVE_FILES.featurize}\` | Sokhan's feature code, bundled for a web page (the global \`SokhanFeatures\`) |`);
  out.push(`| \`${MODEL_ARCHIVE_FILES.manifest}\` | format, versions, the model's settings and every file's size and SHA-256 |`, '');

  out.push('## Metrics', '');
  const f = r.metrics.final;
  if (f) {
    const figures = [
      f.accuracy !== null ? `training accuracy ${pct(f.accuracy)}` : null,
      f.valAccuracy !== null ? `validation accuracy ${pct(f.valAccuracy)}` : null,
      f.valLoss !== null ? `validation loss ${fixed(f.valLoss)}` : f.loss !== null ? `loss ${fixed(f.loss)}` : null,
      `${f.epochs} epochs`,
    ].filter(Boolean);
    out.push(`Training: ${figures.join(', ')}.`, '');
  }
  if (r.metrics.evaluations.length === 0) out.push('No evaluation was stored with this model.', '');
  for (const e of r.metrics.evaluations) {
    const where = e.split === 'dataset' && e.dataset ? `test file «${e.dataset}»` : (SPLITS[e.split] ?? e.split);
    out.push(`### ${where[0]!.toUpperCase()}${where.slice(1)} (${e.report.rows} rows, ${e.createdAt.slice(0, 10)})`, '');
    out.push(`Accuracy **${pct(e.report.accuracy)}**, macro-F1 **${fixed(e.report.macroF1)}**.`, '');
    out.push(...classTable(e.report, r.labelNames), '');
  }

  out.push('## Run it in a plain web page', '');
  out.push(
    'Unzip the archive and serve the folder over HTTP (a browser does not let a page fetch files from `file://`), ' +
      'for example `python3 -m http.server 8000` or `npx http-server -p 8000` inside it. Save this as `index.html` next to `model.json` and open http://localhost:8000/:',
    '',
  );
  out.push('```html', examplePage(r), '```', '');
  out.push(
    '`SokhanFeatures.create(features, model.getUserDefinedMetadata(), labels)` returns `inputs` (the columns to give), ' +
      '`predict(tf, model, rows)` (every class with its display `name` and probability, most likely first; `{value}` for regression), ' +
      'and the steps apart: `encode(rows)` (typed arrays and shape), `tensors(tf, rows)` and `decode(output, rows)`. ' +
      'In Node, run `featurize.js` in a `vm` context (it defines `SokhanFeatures`) and load the model with `@tensorflow/tfjs-node`.',
    '',
  );

  out.push('## How inputs become features', '');
  out.push(...featureNotes(r), '');

  out.push('## Import it into Sokhan', '');
  out.push(
    'On the playground page choose **Import a model** and pick this .zip, or `POST /api/models/import` with the file as the multipart field `file`. ' +
      'The archive is checked entry by entry (the manifest, each file\'s size and SHA-256, features.json, labels.json, the weights against model.json) ' +
      'and the model is loaded once before it is accepted; a changed file is refused.',
    '',
  );
  return out.join('\n');
}

function classTable(report: ClassificationReport, names: Record<string, string>): string[] {
  const rows = ['| class | name | precision | recall | F1 | rows |', '|---|---|---|---|---|---|'];
  for (const c of report.perClass) rows.push(`| ${cell(c.label)} | ${cell(labelName(names, c.label))} | ${fixed(c.precision)} | ${fixed(c.recall)} | ${fixed(c.f1)} | ${c.support} |`);
  rows.push('', 'Confusion matrix (rows: true class, columns: predicted):', '');
  rows.push(`| | ${report.labels.map((l) => cell(labelName(names, l))).join(' | ')} |`, `|---|${report.labels.map(() => '---').join('|')}|`);
  report.confusion.forEach((line, i) => rows.push(`| **${cell(labelName(names, report.labels[i]!))}** | ${line.join(' | ')} |`));
  return rows;
}

function examplePage(r: ReadmeInput): string {
  const fields = r.inputs.map((c, i) =>
    c.kind === 'text'
      ? `  <label>${html(c.name)}<br><textarea id="in-${i}" rows="3" cols="60" dir="auto"></textarea></label><br>`
      : `  <label>${html(c.name)} <input id="in-${i}" dir="auto"></label><br>`,
  );
  return [
    '<!doctype html>',
    '<html lang="fa" dir="rtl">',
    '<head><meta charset="utf-8"><title>' + html(r.manifest.model.name) + '</title></head>',
    '<body>',
    ...fields,
    '  <button id="run">Predict</button>',
    '  <pre id="out" dir="auto"></pre>',
    `  <script src="https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@${r.tfjsVersion}/dist/tf.min.js"></script>`,
    `  <script src="${MODEL_ARCHIVE_FILES.featurize}"></script>`,
    '  <script>',
    `    const columns = ${js(r.inputs.map((c) => c.name))};`,
    '    const ready = (async () => {',
    `      const model = await tf.loadLayersModel('${MODEL_ARCHIVE_FILES.model}');`,
    `      const [features, labels] = await Promise.all(['${MODEL_ARCHIVE_FILES.features}', '${MODEL_ARCHIVE_FILES.labels}'].map((f) => fetch(f).then((res) => res.json())));`,
    '      return { model, featurizer: SokhanFeatures.create(features, model.getUserDefinedMetadata(), labels) };',
    '    })();',
    "    document.getElementById('run').onclick = async () => {",
    '      const { model, featurizer } = await ready;',
    "      const row = Object.fromEntries(columns.map((name, i) => [name, document.getElementById('in-' + i).value]));",
    '      const [result] = await featurizer.predict(tf, model, [row]);',
    "      document.getElementById('out').textContent = JSON.stringify(result, null, 2);",
    '    };',
    '  </script>',
    '</body>',
    '</html>',
  ].join('\n');
}

function featureNotes(r: ReadmeInput): string[] {
  const notes: string[] = [];
  const t = r.features.text;
  if (t) {
    const grams = [t.word ? `word ${t.word.min}–${t.word.max}-grams` : null, t.char ? `character ${t.char.min}–${t.char.max}-grams inside words` : null].filter(Boolean).join(' and ');
    notes.push(
      `- «${t.column}»: normalised as Persian (Arabic ي/ك → ی/ک, one digit style, diacritics, tatweel and bidi marks dropped, half-spaces fixed${t.lowercase ? ', lower-cased' : ''}), ` +
        `split into words, then ${grams}, each hashed (FNV-1a over UTF-16LE code units, then fmix32) into ${t.buckets} buckets; ` +
        `weight ${t.sublinearTf ? '(1 + ln count)' : 'count'} × idf (the idf from features.json), the text's weights then L2-normalised together.`,
    );
  }
  for (const c of r.features.columns) {
    notes.push(c.kind === 'number' ? `- «${c.name}»: a number, standardised with mean ${c.mean.toPrecision(6)} and deviation ${c.std.toPrecision(6)}; missing → 0.` : `- «${c.name}»: one-hot over ${c.values.length} known values plus one for anything else.`);
  }
  notes.push(
    r.how.input === 'sparse'
      ? `- The network reads the non-zeros only: two inputs of shape [rows, n], \`${SPARSE_INPUT_NAMES[0]}\` (int32) and \`${SPARSE_INPUT_NAMES[1]}\` (float32), each row ending with the bias slot (id ${r.features.dim}, weight 1) and padded with (0, 0); text weights are ${r.how.pooling === 'mean' ? 'count / total count (mean pooling)' : 'the TF-IDF values above'}.`
      : `- The network reads one float32 vector of ${r.features.dim} values per row.`,
  );
  notes.push('- `featurize.js` does all of this exactly as Sokhan does when it trains and predicts: it is the same code, bundled.');
  return notes;
}
