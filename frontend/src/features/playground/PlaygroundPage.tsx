import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  decodePrediction,
  decodeRegression,
  labelName,
  modelInputArrays,
  type ClassificationPrediction,
  type FeatureRow,
  type InputColumn,
  type LabelNames,
  type LabelProbability,
  type RegressionPrediction,
  type TrainedModel,
} from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { SparkIcon } from '../../components/icons';
import { Badge, Button, Card, DataValue, EmptyState, Loading, PageHeader, ProgressBar } from '../../components/ui';
import { parseLocaleNumber } from '../../lib/format';
import { trainingApi } from '../training/training.api';
import { ExportModelButton } from './ExportModelButton';
import { ImportModelCard } from './ImportModelCard';
import { withEmbedding } from './encoder-source';
import { modelKeys, modelsApi } from './models.api';
import { EncoderUnavailableError, useBrowserModel, type BrowserModelState } from './use-browser-model';

type Values = Record<string, string>;

interface BrowserResult {
  kind: 'classification' | 'regression';
  probabilities: LabelProbability[];
  value: number | null;
  inferenceMs: number;
  featuresMs: number;
  /** Models on an encoder: the time it took to embed the text. */
  encoderMs: number | null;
}

export function PlaygroundPage() {
  const { t } = useTranslation();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const listed = useQuery({ queryKey: modelKeys.list, queryFn: () => modelsApi.list(api) });
  const models = listed.data?.items ?? [];
  const wanted = params.get('model');
  const model = models.find((m) => m.id === wanted) ?? models[0] ?? null;

  return (
    <div className="page">
      <PageHeader title={t('playground.title')} subtitle={t('playground.subtitle')} />
      {listed.isPending && <Loading />}
      {listed.error && <ErrorNotice error={listed.error} />}
      {listed.isSuccess && models.length === 0 && (
        <EmptyState icon={<SparkIcon />} title={t('playground.noModels')}>
          <Link to="/training/new" className="btn btn-primary">
            {t('training.newJob')}
          </Link>
        </EmptyState>
      )}
      {model && (
        <Card actions={<ExportModelButton key={model.id} model={model} size="sm" />}>
          <label className="field">
            <span className="field-label">{t('playground.model')}</span>
            <select className="select" value={model.id} onChange={(e) => setParams({ model: e.target.value }, { replace: true })} data-testid="model-picker">
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.importedAt ? t('playground.importedOption', { name: m.name }) : m.name}
                </option>
              ))}
            </select>
          </label>
        </Card>
      )}
      {model && <ModelPlayground key={model.id} model={model} />}
      {listed.isSuccess && <ImportModelCard onImported={(m) => setParams({ model: m.id }, { replace: true })} />}
    </div>
  );
}

function ModelPlayground({ model }: { model: TrainedModel }) {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const state = useBrowserModel(api, model);
  const [values, setValues] = useState<Values>(() => Object.fromEntries(model.inputs.map((c) => [c.name, c.kind === 'category' ? (c.values?.[0] ?? '') : ''])));
  const [result, setResult] = useState<BrowserResult | null>(null);
  const [predictError, setPredictError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const server = useMutation({ mutationFn: () => trainingApi.predict(api, model.id, rowFrom(model.inputs, values)) });

  const run = async (current: Values) => {
    if (state.stage !== 'ready' || !state.loaded || !state.features || !state.runtime) return;
    setRunning(true);
    setPredictError(null);
    try {
      let row: FeatureRow = rowFrom(model.inputs, current);
      let encoderMs: number | null = null;
      const block = state.features.embedding;
      if (block && state.encoder) {
        // The encoder runs first: the head reads its embedding in place of the text, as on the server.
        const embedded = await state.encoder.embed(String(row[block.column] ?? ''));
        row = withEmbedding(state.features, row, embedded.vector);
        encoderMs = embedded.ms;
      }
      const t0 = performance.now();
      const x = modelInputArrays(state.features, [row], state.loaded.input);
      const featuresMs = performance.now() - t0;
      const { output, ms } = await state.runtime.predict(state.loaded, x);
      if (state.features.label.kind === 'classification') {
        const probabilities = [...decodePrediction(state.features, output)].sort((a, b) => b.probability - a.probability);
        setResult({ kind: 'classification', probabilities, value: null, inferenceMs: ms, featuresMs, encoderMs });
      } else {
        setResult({ kind: 'regression', probabilities: [], value: decodeRegression(state.features, output), inferenceMs: ms, featuresMs, encoderMs });
      }
    } catch (err) {
      setPredictError(err);
    } finally {
      setRunning(false);
    }
  };

  // Text predictions follow the typing (debounced); the button is there for keyboard users and numbers.
  const runRef = useRef(run);
  useEffect(() => {
    runRef.current = run;
  });
  const hasText = model.inputs.some((c) => c.kind === 'text');
  const filled = model.inputs.every((c) => c.kind !== 'text' || (values[c.name] ?? '').trim() !== '');
  useEffect(() => {
    if (!hasText || !filled || state.stage !== 'ready') return;
    const timer = setTimeout(() => void runRef.current(values), 300);
    return () => clearTimeout(timer);
  }, [values, hasText, filled, state.stage]);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run(values);
  };

  return (
    <div className="grid playground-grid">
      <Card title={t('playground.input')}>
        {model.encoder && (
          <p className="meta-line" data-testid="encoder-repo">
            <span>{t('playground.encoder.label')}</span> <bdi dir="ltr">{model.encoder.repoId}</bdi>
          </p>
        )}
        <LoadStatus state={state} />
        <form className="form" onSubmit={onSubmit} noValidate>
          {model.inputs.map((c) => (
            <InputField key={c.name} column={c} value={values[c.name] ?? ''} onChange={(v) => setValues((s) => ({ ...s, [c.name]: v }))} />
          ))}
          <div className="form-actions">
            <Button type="submit" variant="primary" icon={<SparkIcon />} busy={running} disabled={state.stage !== 'ready'}>
              {t('playground.predict')}
            </Button>
            <Button onClick={() => server.mutate()} busy={server.isPending}>
              {t('playground.compareServer')}
            </Button>
          </div>
        </form>
        <ErrorNotice error={predictError} />
      </Card>
      <Card title={t('playground.result')}>
        {!result && <p className="muted">{state.stage === 'ready' ? t('playground.typeToPredict') : t('playground.waitingModel')}</p>}
        {result && (
          <div className="result" data-testid="prediction">
            {result.kind === 'classification' ? (
              <ProbabilityBars probabilities={result.probabilities} names={model.labelNames} />
            ) : (
              <p className="regression-value">{f.number(result.value ?? 0, { maximumFractionDigits: 4 })}</p>
            )}
            <div className="meta-line timing" data-testid="inference-time">
              <span>{t('playground.inferenceTime', { ms: f.number(result.inferenceMs, { maximumFractionDigits: 1 }) })}</span>
              {result.encoderMs !== null && <span>{t('playground.encoder.time', { ms: f.number(result.encoderMs, { maximumFractionDigits: 1 }) })}</span>}
              <span>{t('playground.featuresTime', { ms: f.number(result.featuresMs, { maximumFractionDigits: 1 }) })}</span>
              {state.backend && <Badge tone="info">{t(`playground.backends.${state.backend}`)}</Badge>}
            </div>
          </div>
        )}
        {server.error && <ErrorNotice error={server.error} />}
        {server.data && <ServerResult data={server.data.predictions[0]} ms={server.data.durationMs} backend={server.data.backend} />}
      </Card>
    </div>
  );
}

function rowFrom(inputs: readonly InputColumn[], values: Values): Record<string, string | number | null> {
  const row: Record<string, string | number | null> = {};
  for (const c of inputs) {
    const raw = values[c.name] ?? '';
    row[c.name] = c.kind === 'number' ? parseLocaleNumber(raw) : raw === '' ? null : raw;
  }
  return row;
}

function InputField({ column, value, onChange }: { column: InputColumn; value: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const id = `input-${column.name}`;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        <bdi>{column.name}</bdi> <span className="faint">({t(`datasets.colType.${column.kind}`)})</span>
      </label>
      {column.kind === 'text' ? (
        <textarea id={id} className="textarea" dir="auto" value={value} onChange={(e) => onChange(e.target.value)} rows={4} data-testid="text-input" />
      ) : column.kind === 'number' ? (
        <input id={id} className="input" inputMode="decimal" dir="ltr" value={value} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <select id={id} className="select" value={value} onChange={(e) => onChange(e.target.value)}>
          {(column.values ?? []).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}

function LoadStatus({ state }: { state: BrowserModelState }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (state.stage === 'error' && state.error instanceof EncoderUnavailableError) return <EncoderProblem error={state.error} />;
  if (state.stage === 'error') return <ErrorNotice error={state.error} title={t('playground.loadFailed')} />;
  if (state.stage === 'ready' && state.loaded) {
    return (
      <Notice tone="success">
        <span data-testid="model-ready">
          {t('playground.loaded', { backend: t(`playground.backends.${state.loaded.backend}`), ms: f.number(state.loaded.loadMs, { maximumFractionDigits: 0 }) })}
        </span>
        {state.encoder && (
          <span data-testid="encoder-ready">
            {' '}
            {t('playground.encoder.loaded', { repo: state.encoder.repoId, ms: f.number(state.encoder.loadMs, { maximumFractionDigits: 0 }) })}
          </span>
        )}
        {state.skipped.length > 0 && (
          <span className="faint">
            {' '}
            {t('playground.skipped', { list: state.skipped.map((b) => t(`playground.backends.${b}`)).join(t('common.listSeparator')) })}
          </span>
        )}
      </Notice>
    );
  }
  if (state.stage === 'idle') return null;
  const file = state.stage === 'encoder' ? state.encoderFile : null;
  const share = file && file.total > 0 ? file.loaded / file.total : null;
  const stage =
    state.stage === 'backend'
      ? t('playground.stageBackend')
      : state.stage === 'model'
        ? t('playground.stageModel')
        : !file
          ? t('playground.encoder.stageFiles')
          : file.file.endsWith('.onnx') && file.loaded >= file.total
            ? t('playground.encoder.stageRuntime')
            : t('playground.encoder.stageFile', { file: file.file, percent: share === null ? '…' : f.percent(share) });
  return (
    <div className="load-status" data-stage={state.stage}>
      <ProgressBar value={share} label={t('playground.loading')} />
      <span className="muted">{stage}</span>
    </div>
  );
}

/** The model's encoder cannot run: removed (nothing to fetch), or it failed to load (with the library's words). */
function EncoderProblem({ error }: { error: EncoderUnavailableError }) {
  const { t } = useTranslation();
  const cause = error.cause instanceof Error ? error.cause.message : null;
  return (
    <Notice tone="danger">
      <p data-testid="encoder-problem" data-reason={error.reason}>
        {error.reason === 'removed' ? t('playground.encoder.removed', { repo: error.repoId }) : t('playground.encoder.failed', { repo: error.repoId })}
      </p>
      {cause && (
        <details>
          <summary>{t('playground.encoder.technical')}</summary>
          <bdi dir="ltr" className="mono">
            {cause}
          </bdi>
        </details>
      )}
    </Notice>
  );
}

/** Classes by their display name: the server's `name`, or the model's names in the browser, or the raw value. */
export function ProbabilityBars({ probabilities, names }: { probabilities: (LabelProbability & { name?: string })[]; names?: LabelNames | null }) {
  const f = useFormat();
  const top = probabilities[0]?.label;
  const list = useMemo(() => probabilities.slice(0, 12), [probabilities]);
  return (
    <ul className="bars probs">
      {list.map((p) => {
        const name = p.name ?? labelName(names, p.label);
        return (
          <li key={p.label} className={p.label === top ? 'bar-row bar-top' : 'bar-row'} data-testid="probability" data-label={p.label} data-probability={p.probability}>
            <DataValue className="bar-label" value={name} />
            {/* In percent with one decimal, as the progress bars do: a tiny probability would otherwise print as 3e-7, which ARIA does not read. */}
            <div
              className="bar-track"
              role="meter"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(p.probability * 1000) / 10}
              aria-valuetext={f.percent(p.probability, 1)}
              aria-label={name}
            >
              <div className="bar-fill" style={{ inlineSize: `${Math.max(0.5, p.probability * 100)}%` }} />
            </div>
            <span className="bar-value">{f.percent(p.probability, 1)}</span>
          </li>
        );
      })}
    </ul>
  );
}

function ServerResult({ data, ms, backend }: { data: ClassificationPrediction | RegressionPrediction | undefined; ms: number; backend: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (!data) return null;
  return (
    <div className="server-result" data-testid="server-prediction">
      <h3 className="subheading">{t('playground.serverResult')}</h3>
      {'label' in data ? <ProbabilityBars probabilities={[...data.probabilities]} /> : <p className="regression-value">{f.number(data.value, { maximumFractionDigits: 4 })}</p>}
      <p className="meta-line">
        <span>{t('playground.serverTime', { ms: f.number(ms, { maximumFractionDigits: 1 }) })}</span>
        <bdi className="mono">{backend}</bdi>
      </p>
    </div>
  );
}
