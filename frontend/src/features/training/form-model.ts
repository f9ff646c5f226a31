import {
  ACTIVATIONS,
  createTrainingRequestSchema,
  TRAINING_DEFAULTS,
  TRAINING_LIMITS,
  type Activation,
  type ClassWeighting,
  type CreateTrainingRequest,
  type DatasetDetail,
  type EarlyStoppingMonitor,
  type EncoderConfig,
  type InstalledModel,
  type ModelInput,
  type OptimizerName,
  type TrainedModel,
  type TrainingTask,
} from '@sokhan/common';
import { parseLocaleNumber } from '../../lib/format';
import type { IssueLike } from '../../lib/validation';

/** Form fields hold what the user typed (Persian digits allowed); numbers are parsed when the request is built. */
export interface LayerDraft {
  key: number;
  type: 'dense' | 'dropout';
  units: string;
  activation: Activation;
  rate: string;
}

export interface TrainingDraft {
  name: string;
  datasetId: string;
  task: TrainingTask;
  textColumn: string;
  featureColumns: string[];
  labelColumn: string;
  /** Class value → the name typed for it (prefilled; a name equal to the value or empty is not sent). */
  labelNames: Record<string, string>;
  layers: LayerDraft[];
  input: ModelInput;
  /** Text classification: the installed feature-extraction model that embeds the text; '' reads hashed n-grams. */
  encoderId: string;
  encoderPooling: EncoderConfig['pooling'];
  /** One of my trained models to continue from (fine-tuning); '' trains a new network. */
  baseModelId: string;
  classWeight: ClassWeighting;
  l2: string;
  refit: boolean;
  optimizer: OptimizerName;
  learningRate: string;
  epochs: string;
  batchSize: string;
  validationSplit: string;
  earlyStopping: boolean;
  monitor: EarlyStoppingMonitor;
  patience: string;
  seed: string;
}

let nextKey = 1;
export function newLayer(type: 'dense' | 'dropout', units = '64', rate = '0.2'): LayerDraft {
  nextKey += 1;
  return { key: nextKey, type, units, activation: 'relu', rate };
}

export function defaultDraft(): TrainingDraft {
  return {
    name: '',
    datasetId: '',
    task: 'text-classification',
    textColumn: '',
    featureColumns: [],
    labelColumn: '',
    labelNames: {},
    layers: TRAINING_DEFAULTS.layers.map((l) =>
      l.type === 'dense' ? { ...newLayer('dense', String(l.units)), activation: l.activation } : newLayer('dropout', '64', String(l.rate)),
    ),
    input: 'sparse',
    encoderId: '',
    encoderPooling: 'mean',
    baseModelId: '',
    classWeight: TRAINING_DEFAULTS.classWeight,
    l2: String(TRAINING_DEFAULTS.l2),
    refit: TRAINING_DEFAULTS.refit,
    optimizer: TRAINING_DEFAULTS.optimizer,
    learningRate: String(TRAINING_DEFAULTS.learningRate),
    epochs: String(TRAINING_DEFAULTS.epochs),
    batchSize: String(TRAINING_DEFAULTS.batchSize),
    validationSplit: String(TRAINING_DEFAULTS.validationSplit),
    earlyStopping: true,
    monitor: TRAINING_DEFAULTS.earlyStopping.monitor,
    patience: String(TRAINING_DEFAULTS.earlyStopping.patience),
    seed: '',
  };
}

/** Sentiment scales people label with numbers, and the words their classes are known by. */
export const SENTIMENT_CLASSES = ['veryNegative', 'negative', 'neutral', 'positive', 'veryPositive'] as const;
export type SentimentClass = (typeof SENTIMENT_CLASSES)[number];
const SENTIMENT_SCALES: Record<string, SentimentClass[]> = {
  '-2,-1,0,1,2': [...SENTIMENT_CLASSES],
  '-1,0,1': ['negative', 'neutral', 'positive'],
  '-1,1': ['negative', 'positive'],
};

/**
 * The label column's classes, when the dataset lists them (its class counts, or a category column's values):
 * numbers in order (−2 … 2), anything else most frequent first.
 */
export function labelClasses(dataset: DatasetDetail, labelColumn: string): string[] {
  if (dataset.type === 'tabular-regression') return [];
  const column = dataset.columns.find((c) => c.name === labelColumn);
  const counted = labelColumn === dataset.labelColumn ? dataset.classCounts : null;
  const listed = column?.topValues && !column.distinctCapped && column.topValues.length >= column.distinct ? column.topValues : null;
  const values = (counted ?? listed ?? []).map((c) => c.value);
  const numeric = values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  return numeric ? values.sort((a, b) => Number(a) - Number(b)) : values;
}

/** Each class (in labelClasses order) prefilled with its value, or its sentiment word when the values are a known scale. */
export function defaultLabelNames(classes: readonly string[], word?: (c: SentimentClass) => string): Record<string, string> {
  const scale = word ? SENTIMENT_SCALES[classes.join(',')] : undefined;
  return Object.fromEntries(classes.map((v, i) => [v, scale && word ? word(scale[i]!) : v]));
}

/** Another label column: its classes and their names start over. */
export function applyLabelColumn(draft: TrainingDraft, dataset: DatasetDetail, labelColumn: string, word?: (c: SentimentClass) => string): TrainingDraft {
  return { ...draft, labelColumn, labelNames: defaultLabelNames(labelClasses(dataset, labelColumn), word) };
}

/** Columns and task follow the dataset: its type, text column, label column and the remaining usable columns. */
export function applyDataset(draft: TrainingDraft, dataset: DatasetDetail, word?: (c: SentimentClass) => string): TrainingDraft {
  const label = dataset.labelColumn ?? dataset.columns[dataset.columns.length - 1]?.name ?? '';
  const text = dataset.type === 'text-classification' ? (dataset.textColumn ?? '') : '';
  const features =
    dataset.type === 'text-classification'
      ? []
      : dataset.columns.filter((c) => c.name !== label && c.type !== 'text').map((c) => c.name);
  const input: ModelInput = dataset.type === 'text-classification' ? 'sparse' : 'dense';
  // A model to continue from belongs to its own columns: another dataset starts from scratch. The encoder stays for text.
  const encoderId = dataset.type === 'text-classification' ? draft.encoderId : '';
  return {
    ...draft,
    datasetId: dataset.id,
    task: dataset.type,
    textColumn: text,
    labelColumn: label,
    labelNames: defaultLabelNames(labelClasses(dataset, label), word),
    featureColumns: features,
    input,
    encoderId,
    baseModelId: '',
  };
}

export interface EncoderChoice {
  /** The installed model (models.id), as `encoder.modelId` takes it. */
  id: string;
  repoId: string;
  /** The embedding length (its hidden size), when the inspection found it. */
  dim: number | null;
}

/** Installed Hub models that run feature-extraction here: the encoders a text model can read through. */
export function encoderChoices(installed: readonly InstalledModel[]): EncoderChoice[] {
  return installed.flatMap((m) =>
    m.status === 'ready' && m.runtime.status === 'runnable' && m.runtime.pipelines.includes('feature-extraction')
      ? [{ id: m.id, repoId: m.repoId, dim: m.runtime.hiddenSize }]
      : [],
  );
}

/** My ready models of this task, the ones training can continue from. */
export function baseModelChoices(models: readonly TrainedModel[], task: TrainingTask): TrainedModel[] {
  return models.filter((m) => m.status === 'ready' && m.task === task);
}

/** A model whose encoder was removed cannot embed new rows, so it cannot be continued from. */
export function canContinueFrom(model: TrainedModel): boolean {
  return !model.encoder || model.encoder.installedId !== null;
}

/**
 * Continuing from a model keeps its network and features (the server checks the columns): the text column and
 * feature columns it reads, and the encoder it reads the text through, follow it.
 */
export function applyBaseModel(draft: TrainingDraft, model: TrainedModel | null): TrainingDraft {
  if (!model) return { ...draft, baseModelId: '' };
  const text = model.inputs.find((c) => c.kind === 'text')?.name;
  const features = model.inputs.filter((c) => c.kind !== 'text').map((c) => c.name);
  return {
    ...draft,
    baseModelId: model.id,
    textColumn: text ?? draft.textColumn,
    featureColumns: draft.task === 'text-classification' ? draft.featureColumns : features,
    encoderId: model.encoder?.installedId ?? '',
    encoderPooling: model.encoder?.pooling ?? draft.encoderPooling,
  };
}

type NumberIssue = IssueLike & { path: (string | number)[] };

function num(value: string, path: (string | number)[], issues: NumberIssue[], opts: { integer?: boolean; optional?: boolean } = {}): number | undefined {
  if (value.trim() === '' && opts.optional) return undefined;
  const parsed = parseLocaleNumber(value);
  if (parsed === null) {
    issues.push({ code: 'invalid_type', expected: 'number', path });
    return undefined;
  }
  if (opts.integer && !Number.isInteger(parsed)) {
    issues.push({ code: 'not_multiple_of', path });
    return undefined;
  }
  return parsed;
}

export interface BuiltRequest {
  request: CreateTrainingRequest | null;
  issues: IssueLike[];
}

/** Turns the draft into the API body and validates it with the same schema the server uses. */
export function buildRequest(draft: TrainingDraft): BuiltRequest {
  const parseIssues: NumberIssue[] = [];
  const layers = draft.layers.map((l, i) =>
    l.type === 'dense'
      ? { type: 'dense' as const, units: num(l.units, ['layers', i, 'units'], parseIssues, { integer: true }), activation: l.activation }
      : { type: 'dropout' as const, rate: num(l.rate, ['layers', i, 'rate'], parseIssues) },
  );
  const isText = draft.task === 'text-classification';
  const encoder = isText && draft.encoderId ? { modelId: draft.encoderId, pooling: draft.encoderPooling } : null;
  // Only names that say more than the value itself.
  const named = Object.entries(draft.labelNames)
    .map(([value, name]) => [value, name.trim()] as const)
    .filter(([value, name]) => name !== '' && name !== value);
  const body = {
    ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
    datasetId: draft.datasetId,
    task: draft.task,
    ...(isText && draft.textColumn ? { textColumn: draft.textColumn } : {}),
    featureColumns: isText ? [] : draft.featureColumns.map((name) => ({ name })),
    labelColumn: draft.labelColumn,
    ...(draft.task !== 'tabular-regression' && named.length > 0 ? { labelNames: Object.fromEntries(named) } : {}),
    layers,
    // An embedding is read densely: the server takes no input kind with an encoder.
    ...(encoder ? { encoder } : { input: draft.input }),
    ...(draft.baseModelId ? { modelId: draft.baseModelId } : {}),
    ...(draft.task === 'tabular-regression' ? {} : { classWeight: draft.classWeight }),
    optimizer: draft.optimizer,
    learningRate: num(draft.learningRate, ['learningRate'], parseIssues),
    l2: num(draft.l2, ['l2'], parseIssues),
    epochs: num(draft.epochs, ['epochs'], parseIssues, { integer: true }),
    batchSize: num(draft.batchSize, ['batchSize'], parseIssues, { integer: true }),
    validationSplit: num(draft.validationSplit, ['validationSplit'], parseIssues),
    earlyStopping: draft.earlyStopping
      ? { monitor: draft.monitor, patience: num(draft.patience, ['earlyStopping', 'patience'], parseIssues, { integer: true }), restoreBest: true }
      : null,
    refit: draft.earlyStopping && draft.refit,
    ...(draft.seed.trim() ? { seed: num(draft.seed, ['seed'], parseIssues, { integer: true, optional: true }) } : {}),
  };
  if (!draft.datasetId) parseIssues.push({ code: 'too_small', origin: 'string', minimum: 1, path: ['datasetId'] });
  const result = createTrainingRequestSchema.safeParse(body);
  const failedPaths = new Set(parseIssues.map((i) => i.path.join('.')));
  // A field that did not parse as a number reports that, not the schema's "expected number" on the same path.
  const schemaIssues = result.success ? [] : result.error.issues.filter((i) => !failedPaths.has(i.path.map(String).join('.')));
  const issues: IssueLike[] = [...parseIssues, ...(schemaIssues as unknown as IssueLike[])];
  if (issues.length > 0) return { request: null, issues };
  return { request: body as CreateTrainingRequest, issues: [] };
}

export const LIMITS = TRAINING_LIMITS;
export { ACTIVATIONS };
