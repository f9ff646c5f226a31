import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  CLASS_WEIGHTINGS,
  EARLY_STOPPING_MONITORS,
  MODEL_INPUTS,
  OPTIMIZERS,
  TRAINING_LIMITS,
  type ClassWeighting,
  type DatasetDetail,
  type EarlyStoppingMonitor,
  type ModelInput,
  type OptimizerName,
} from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { Field } from '../../components/Field';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ChartIcon } from '../../components/icons';
import { Button, Card, DataValue, EmptyState, Loading, PageHeader } from '../../components/ui';
import { ApiError } from '../../lib/api';
import { issueMessage, serverFieldErrors, type FieldErrors, type IssueLike } from '../../lib/validation';
import { datasetKeys, datasetsApi } from '../datasets/datasets.api';
import { hubApi, hubKeys } from '../hub/hub.api';
import { modelKeys, modelsApi } from '../playground/models.api';
import {
  applyBaseModel,
  applyDataset,
  applyLabelColumn,
  baseModelChoices,
  buildRequest,
  canContinueFrom,
  defaultDraft,
  encoderChoices,
  labelClasses,
  type SentimentClass,
  type TrainingDraft,
} from './form-model';
import { LayerBuilder } from './LayerBuilder';
import { trainingApi, trainingKeys } from './training.api';

function pathOf(issue: IssueLike): string {
  return typeof issue.path === 'string' ? issue.path : issue.path.map(String).join('.');
}

/** The schema's cross-field rules (code `custom`) get sentences of their own, chosen by where they point. */
function customMessage(t: TFunction, issue: IssueLike, draft: TrainingDraft): string | null {
  if (issue.code !== 'custom') return null;
  const path = pathOf(issue);
  if (path === 'textColumn') return draft.textColumn ? t('training.errors.labelIsInput') : t('training.errors.textColumnRequired');
  if (path === 'featureColumns') return t('training.errors.featuresRequired');
  if (path.startsWith('featureColumns.')) return t('training.errors.labelIsInput');
  if (path === 'encoder') return t('training.errors.encoderNeedsText');
  if (path === 'earlyStopping.monitor') return draft.task === 'tabular-regression' && draft.monitor.includes('accuracy') ? t('training.errors.noAccuracy') : t('training.errors.needsValidation');
  return null;
}

export function formErrors(t: TFunction, issues: IssueLike[], draft: TrainingDraft, formatNumber: (n: number) => string): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = pathOf(issue) || '_form';
    if (!(key in out)) out[key] = customMessage(t, issue, draft) ?? issueMessage(t, issue, formatNumber);
  }
  return out;
}

export function NewTrainingPage() {
  const { t } = useTranslation();
  const api = useApi();
  const [params] = useSearchParams();
  const datasets = useQuery({ queryKey: datasetKeys.list, queryFn: () => datasetsApi.list(api) });
  const items = datasets.data?.items ?? [];
  const initialId = params.get('dataset') ?? '';
  return (
    <div className="page">
      <PageHeader title={t('training.new.title')} subtitle={t('training.new.subtitle')} />
      {datasets.isPending && <Loading />}
      {datasets.error && <ErrorNotice error={datasets.error} />}
      {datasets.isSuccess && items.length === 0 && (
        <EmptyState icon={<ChartIcon />} title={t('training.new.noDatasets')}>
          <Link to="/datasets" className="btn btn-primary">
            {t('training.new.toDatasets')}
          </Link>
        </EmptyState>
      )}
      {items.length > 0 && <TrainingForm datasetIds={items.map((d) => ({ id: d.id, name: d.name }))} initialId={items.some((d) => d.id === initialId) ? initialId : (items[0]?.id ?? '')} />}
    </div>
  );
}

function TrainingForm({ datasetIds, initialId }: { datasetIds: { id: string; name: string }[]; initialId: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<TrainingDraft>(() => ({ ...defaultDraft(), datasetId: initialId }));
  const [appliedFor, setAppliedFor] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});

  const dataset = useQuery({
    queryKey: datasetKeys.one(draft.datasetId),
    queryFn: () => datasetsApi.get(api, draft.datasetId),
    enabled: !!draft.datasetId,
  });
  const installed = useQuery({ queryKey: hubKeys.installed, queryFn: () => hubApi.installed(api) });
  const trained = useQuery({ queryKey: modelKeys.list, queryFn: () => modelsApi.list(api) });
  const encoders = encoderChoices(installed.data?.items ?? []);
  const baseModels = baseModelChoices(trained.data?.items ?? [], draft.task);
  // Classes labelled -2…2 (or -1…1) start with the words of the sentiment scale, in the UI's language.
  const sentimentWord = (c: SentimentClass) => t(`training.classNames.sentiment.${c}`);
  // When a dataset's details arrive, columns and task follow it (once per dataset chosen).
  const loaded = dataset.data;
  if (loaded && loaded.id === draft.datasetId && appliedFor !== draft.datasetId) {
    setAppliedFor(draft.datasetId);
    setDraft((d) => applyDataset(d, loaded, sentimentWord));
  }

  const built = useMemo(() => buildRequest(draft), [draft]);
  const num = (n: number) => f.number(n);
  const liveErrors = formErrors(t, built.issues, draft, num);
  const errors: FieldErrors = { ...serverErrors };
  for (const [k, v] of Object.entries(liveErrors)) if (submitted || k !== 'datasetId') errors[k] ??= v;

  const set = <K extends keyof TrainingDraft>(key: K, value: TrainingDraft[K]) => {
    setServerErrors({});
    setDraft((d) => ({ ...d, [key]: value }));
  };

  // Without a name the job is called after its dataset and today, in the user's calendar and digits.
  const defaultName = loaded ? t('training.new.defaultName', { dataset: loaded.name, date: f.date(new Date(), 'date') }) : undefined;

  const create = useMutation({
    mutationFn: () => {
      if (!built.request) throw new Error('invalid');
      return trainingApi.create(api, { ...built.request, name: built.request.name ?? defaultName });
    },
    onSuccess: (job) => {
      void queryClient.invalidateQueries({ queryKey: trainingKeys.all });
      void queryClient.invalidateQueries({ queryKey: datasetKeys.all });
      void navigate(`/training/${job.id}`);
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') setServerErrors(serverFieldErrors(t, err, num));
    },
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (built.request) create.mutate();
  };

  const ds: DatasetDetail | undefined = dataset.data?.id === draft.datasetId ? dataset.data : undefined;
  const columns = ds?.columns ?? [];
  const isText = draft.task === 'text-classification';
  const classes = ds?.classCounts?.length ?? 0;
  const classList = ds && draft.task !== 'tabular-regression' ? labelClasses(ds, draft.labelColumn) : [];
  const encoder = isText ? encoders.find((e) => e.id === draft.encoderId) : undefined;
  const baseModel = baseModels.find((m) => m.id === draft.baseModelId);
  const inputLabel = !isText
    ? t('training.layers.inputFeatures', { n: f.number(draft.featureColumns.length) })
    : encoder
      ? t('training.layers.inputEmbedding', { column: draft.textColumn, dim: encoder.dim ? f.number(encoder.dim) : '…' })
      : t('training.layers.inputText', { column: draft.textColumn });
  const errorCount = Object.values(errors).filter(Boolean).length;

  return (
    <form className="training-form" onSubmit={onSubmit} noValidate aria-label={t('training.new.title')}>
      <Card title={t('training.new.data')}>
        <div className="form">
          <div className="form-row">
            <Field label={t('training.fields.dataset')} error={errors.datasetId}>
              <select className="select" name="datasetId" value={draft.datasetId} onChange={(e) => set('datasetId', e.target.value)}>
                {datasetIds.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('training.fields.task')}>
              <select
                className="select"
                value={draft.task}
                onChange={(e) => {
                  setServerErrors({});
                  const task = e.target.value as TrainingDraft['task'];
                  // A model to continue from was trained for its own task.
                  setDraft((d) => ({ ...d, task, baseModelId: '' }));
                }}
              >
                <option value="text-classification">{t('datasets.types.text-classification')}</option>
                <option value="tabular-classification">{t('datasets.types.tabular-classification')}</option>
                <option value="tabular-regression">{t('datasets.types.tabular-regression')}</option>
              </select>
            </Field>
          </div>
          {dataset.isPending && draft.datasetId && <Loading />}
          {ds && (
            <div className="form-row">
              {isText ? (
                <Field label={t('training.fields.textColumn')} error={errors.textColumn}>
                  <select className="select" value={draft.textColumn} onChange={(e) => set('textColumn', e.target.value)}>
                    <option value="">{t('training.new.pick')}</option>
                    {columns.map((c) => (
                      <option key={c.name} value={c.name}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                </Field>
              ) : (
                <fieldset className="field columns-field">
                  <legend className="field-label">{t('training.fields.featureColumns')}</legend>
                  <div className="checks">
                    {columns
                      .filter((c) => c.name !== draft.labelColumn)
                      .map((c) => (
                        <label key={c.name} className="checkbox">
                          <input
                            type="checkbox"
                            checked={draft.featureColumns.includes(c.name)}
                            onChange={(e) =>
                              set('featureColumns', e.target.checked ? [...draft.featureColumns, c.name] : draft.featureColumns.filter((n) => n !== c.name))
                            }
                          />
                          <bdi>{c.name}</bdi> <span className="faint">({t(`datasets.colType.${c.type}`)})</span>
                        </label>
                      ))}
                  </div>
                  {errors.featureColumns && <p className="field-error">{errors.featureColumns}</p>}
                </fieldset>
              )}
              <Field label={t('training.fields.labelColumn')} error={errors.labelColumn}>
                <select
                  className="select"
                  value={draft.labelColumn}
                  onChange={(e) => {
                    setServerErrors({});
                    const column = e.target.value;
                    setDraft((d) => applyLabelColumn(d, ds, column, sentimentWord));
                  }}
                >
                  {columns.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
          )}
          {classList.length > 0 && (
            <fieldset className="field class-names" data-testid="class-names">
              <legend className="field-label">{t('training.classNames.title')}</legend>
              <p className="field-hint">{t('training.classNames.hint')}</p>
              <div className="form-row">
                {classList.map((value) => (
                  <Field
                    key={value}
                    label={
                      <>
                        {t('training.classNames.label')} <DataValue value={value} />
                      </>
                    }
                    error={errors[`labelNames.${value}`]}
                  >
                    <input
                      className="input"
                      dir="auto"
                      maxLength={TRAINING_LIMITS.maxLabelName}
                      value={draft.labelNames[value] ?? value}
                      onChange={(e) => set('labelNames', { ...draft.labelNames, [value]: e.target.value })}
                    />
                  </Field>
                ))}
              </div>
              {errors.labelNames && <p className="field-error">{errors.labelNames}</p>}
            </fieldset>
          )}
          {ds && (
            <div className="form-row">
              {isText && (
                <Field
                  label={t('training.fields.encoder')}
                  error={errors.encoder ?? errors['encoder.modelId']}
                  hint={
                    baseModel ? (
                      t('training.encoder.followsBase')
                    ) : encoders.length === 0 && installed.isSuccess ? (
                      <>
                        {t('training.encoder.noneInstalled')} <Link to="/hub?task=feature-extraction&runs=here">{t('training.encoder.toHub')}</Link>
                      </>
                    ) : (
                      t('training.encoder.hint')
                    )
                  }
                >
                  <select
                    className="select"
                    name="encoder"
                    value={draft.encoderId}
                    disabled={!!baseModel}
                    onChange={(e) => set('encoderId', e.target.value)}
                    data-testid="encoder-picker"
                  >
                    <option value="">{t('training.encoder.none')}</option>
                    {encoders.map((e) => (
                      <option key={e.id} value={e.id}>
                        {e.dim ? t('training.encoder.option', { repo: e.repoId, dim: f.number(e.dim) }) : e.repoId}
                      </option>
                    ))}
                  </select>
                </Field>
              )}
              {encoder && (
                <Field label={t('training.fields.encoderPooling')} hint={t('training.encoder.poolingHint')}>
                  <select
                    className="select"
                    name="encoderPooling"
                    value={draft.encoderPooling}
                    disabled={!!baseModel}
                    onChange={(e) => set('encoderPooling', e.target.value as TrainingDraft['encoderPooling'])}
                  >
                    <option value="mean">{t('training.encoder.poolings.mean')}</option>
                    <option value="cls">{t('training.encoder.poolings.cls')}</option>
                  </select>
                </Field>
              )}
              <Field label={t('training.fields.baseModel')} error={errors.modelId} hint={t('training.hints.baseModel')}>
                <select
                  className="select"
                  name="baseModel"
                  value={draft.baseModelId}
                  onChange={(e) => {
                    setServerErrors({});
                    const chosen = baseModels.find((m) => m.id === e.target.value) ?? null;
                    setDraft((d) => applyBaseModel(d, chosen));
                  }}
                >
                  <option value="">{t('training.baseModel.none')}</option>
                  {baseModels.map((m) => (
                    <option key={m.id} value={m.id} disabled={!canContinueFrom(m)}>
                      {canContinueFrom(m) ? m.name : t('training.baseModel.encoderRemoved', { name: m.name })}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
          )}
        </div>
      </Card>

      <Card title={t('training.layers.title')}>
        {baseModel ? (
          <p className="muted layers-hint" data-testid="base-network">
            {t('training.baseModel.keepsNetwork', { name: baseModel.name })}
          </p>
        ) : (
          <>
            <p className="muted layers-hint">{t('training.layers.hint')}</p>
            <LayerBuilder
              layers={draft.layers}
              onChange={(layers) => set('layers', layers)}
              errors={errors}
              inputLabel={inputLabel}
              outputLabel={
                draft.task === 'tabular-regression'
                  ? t('training.layers.outputRegression')
                  : t('training.layers.outputClasses', { n: classes ? f.number(classes) : '…' })
              }
            />
          </>
        )}
      </Card>

      <Card title={t('training.new.optimisation')}>
        <div className="form">
          <div className="form-row">
            {/* An embedding is read densely, and a continued model keeps its own input: nothing to choose then. */}
            {!encoder && !baseModel && (
              <Field label={t('training.fields.input')} hint={t('training.hints.input')}>
                <select className="select" name="input" value={draft.input} onChange={(e) => set('input', e.target.value as ModelInput)}>
                  {MODEL_INPUTS.map((o) => (
                    <option key={o} value={o}>
                      {t(`training.inputs.${o}`)}
                    </option>
                  ))}
                </select>
              </Field>
            )}
            {draft.task !== 'tabular-regression' && (
              <Field label={t('training.fields.classWeight')} hint={t('training.hints.classWeight')}>
                <select className="select" name="classWeight" value={draft.classWeight} onChange={(e) => set('classWeight', e.target.value as ClassWeighting)}>
                  {CLASS_WEIGHTINGS.map((o) => (
                    <option key={o} value={o}>
                      {t(`training.classWeights.${o}`)}
                    </option>
                  ))}
                </select>
              </Field>
            )}
          </div>
          <div className="form-row">
            <Field label={t('training.fields.optimizer')}>
              <select className="select" value={draft.optimizer} onChange={(e) => set('optimizer', e.target.value as OptimizerName)}>
                {OPTIMIZERS.map((o) => (
                  <option key={o} value={o}>
                    {t(`training.optimizers.${o}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              label={t('training.fields.learningRate')}
              error={errors.learningRate}
              hint={t('training.hints.range', { min: f.number(TRAINING_LIMITS.minLearningRate, { maximumFractionDigits: 6 }), max: f.number(TRAINING_LIMITS.maxLearningRate) })}
            >
              <input className="input" name="learningRate" inputMode="decimal" dir="ltr" value={f.digits(draft.learningRate)} onChange={(e) => set('learningRate', e.target.value)} />
            </Field>
            <Field label={t('training.fields.l2')} error={errors.l2} hint={encoder ? t('training.hints.l2Encoder') : t('training.hints.l2')}>
              <input className="input" name="l2" inputMode="decimal" dir="ltr" value={f.digits(draft.l2)} onChange={(e) => set('l2', e.target.value)} />
            </Field>
            <Field label={t('training.fields.epochs')} error={errors.epochs} hint={t('training.hints.range', { min: f.number(1), max: f.number(TRAINING_LIMITS.maxEpochs) })}>
              <input className="input" name="epochs" inputMode="numeric" dir="ltr" value={f.digits(draft.epochs)} onChange={(e) => set('epochs', e.target.value)} />
            </Field>
            <Field label={t('training.fields.batchSize')} error={errors.batchSize} hint={t('training.hints.range', { min: f.number(1), max: f.number(TRAINING_LIMITS.maxBatchSize) })}>
              <input className="input" name="batchSize" inputMode="numeric" dir="ltr" value={f.digits(draft.batchSize)} onChange={(e) => set('batchSize', e.target.value)} />
            </Field>
            <Field
              label={t('training.fields.validationSplit')}
              error={errors.validationSplit}
              hint={t('training.hints.split', { max: f.number(TRAINING_LIMITS.maxValidationSplit) })}
            >
              <input className="input" name="validationSplit" inputMode="decimal" dir="ltr" value={f.digits(draft.validationSplit)} onChange={(e) => set('validationSplit', e.target.value)} />
            </Field>
          </div>
          <div className="form-row">
            <div className="field">
              <label className="checkbox">
                <input type="checkbox" checked={draft.earlyStopping} onChange={(e) => set('earlyStopping', e.target.checked)} />
                {t('training.fields.earlyStopping')}
              </label>
              <p className="field-hint">{t('training.hints.earlyStopping')}</p>
            </div>
            {draft.earlyStopping && (
              <>
                <Field label={t('training.fields.monitor')} error={errors['earlyStopping.monitor']}>
                  <select className="select" value={draft.monitor} onChange={(e) => set('monitor', e.target.value as EarlyStoppingMonitor)}>
                    {EARLY_STOPPING_MONITORS.map((m) => (
                      <option key={m} value={m}>
                        {t(`training.monitors.${m}`)}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label={t('training.fields.patience')} error={errors['earlyStopping.patience']}>
                  <input className="input" inputMode="numeric" dir="ltr" value={draft.patience} onChange={(e) => set('patience', e.target.value)} />
                </Field>
                <div className="field">
                  <label className="checkbox">
                    <input type="checkbox" name="refit" checked={draft.refit} onChange={(e) => set('refit', e.target.checked)} />
                    {t('training.fields.refit')}
                  </label>
                  <p className="field-hint">{t('training.hints.refit')}</p>
                </div>
              </>
            )}
          </div>
          <div className="form-row">
            <Field label={t('training.fields.name')} error={errors.name} hint={t('training.hints.name')}>
              <input className="input" value={draft.name} placeholder={defaultName} onChange={(e) => set('name', e.target.value)} dir="auto" />
            </Field>
            <Field label={t('training.fields.seed')} error={errors.seed} hint={t('training.hints.seed')}>
              <input className="input" inputMode="numeric" dir="ltr" value={f.digits(draft.seed)} onChange={(e) => set('seed', e.target.value)} />
            </Field>
          </div>
        </div>
      </Card>

      <div className="submit-bar">
        <ErrorNotice error={create.error instanceof ApiError && create.error.code === 'VALIDATION_FAILED' ? null : create.error} />
        {errorCount > 0 && (
          <p className="field-error" role="status">
            {t('training.new.fix', { n: f.number(errorCount) })}
          </p>
        )}
        <Button type="submit" variant="primary" icon={<ChartIcon />} busy={create.isPending} disabled={!built.request}>
          {t('training.new.start')}
        </Button>
      </div>
    </form>
  );
}
