import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Checkpoint, EmbeddingProgress, TrainingJobDetail } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useConnection } from '../../app/socket-context';
import { useApi } from '../../app/services';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { PauseIcon, PlayIcon, SparkIcon } from '../../components/icons';
import { LineChart, type Series } from '../../components/LineChart';
import { StatusBadge } from '../../components/StatusBadge';
import { LiveStatus } from '../../components/LiveStatus';
import { Badge, Button, Card, Loading, PageHeader, ProgressBar, Stat, TableWrap } from '../../components/ui';
import { describeCode } from '../../lib/errors';
import { ExportModelButton } from '../playground/ExportModelButton';
import { isActiveJob, trainingApi, trainingKeys } from './training.api';
import { EvaluationCard } from './EvaluationCard';
import { ModelEvaluations } from './ModelEvaluations';

export function JobPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const { state } = useConnection();
  const job = useQuery({
    queryKey: trainingKeys.job(id),
    queryFn: () => trainingApi.get(api, id),
    // Events keep the page live; polling covers a dropped socket.
    refetchInterval: (q) => (q.state.data && isActiveJob(q.state.data.status) ? (state === 'connected' ? 15_000 : 2_000) : false),
  });
  return (
    <div className="page">
      {job.isPending && <Loading />}
      {job.error && <ErrorNotice error={job.error} />}
      {job.data && <JobView job={job.data} />}
    </div>
  );
}

function JobView({ job }: { job: TrainingJobDetail }) {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const queryClient = useQueryClient();
  const onDone = (next: TrainingJobDetail) => {
    queryClient.setQueryData(trainingKeys.job(job.id), next);
    void queryClient.invalidateQueries({ queryKey: ['training', 'list'] });
  };
  const pause = useMutation({ mutationFn: () => trainingApi.pause(api, job.id), onSuccess: onDone });
  const resume = useMutation({ mutationFn: () => trainingApi.resume(api, job.id), onSuccess: onDone });
  const cancel = useMutation({ mutationFn: () => trainingApi.cancel(api, job.id), onSuccess: onDone });

  const current = job.metrics.current;
  const epochs = job.config.epochs;
  const running = job.status === 'running';
  const regression = job.task === 'tabular-regression';
  const history = job.metrics.history.filter((h) => !h.partial || h.loss !== null);
  const pts = (pick: (h: (typeof history)[number]) => number | null): Array<[number, number]> =>
    history.flatMap((h) => {
      const v = pick(h);
      return v === null ? [] : [[h.epoch, v] as [number, number]];
    });

  const lossSeries: Series[] = [
    { name: t('training.charts.train'), color: 'var(--chart-1)', points: pts((h) => h.loss) },
    { name: t('training.charts.validation'), color: 'var(--chart-3)', points: pts((h) => h.valLoss), dashed: true },
  ].filter((s) => s.points.length > 0);
  const accSeries: Series[] = [
    { name: t('training.charts.train'), color: 'var(--chart-2)', points: pts((h) => h.accuracy) },
    { name: t('training.charts.validation'), color: 'var(--chart-4)', points: pts((h) => h.valAccuracy), dashed: true },
  ].filter((s) => s.points.length > 0);

  const eta = running && current ? f.eta(current.etaSeconds) : null;
  const actionError = pause.error ?? resume.error ?? cancel.error;
  const terminal = { completed: 'done', failed: 'failed', paused: 'paused', cancelled: 'cancelled' } as const;
  const outcome = job.status in terminal ? terminal[job.status as keyof typeof terminal] : null;
  const embedding = job.metrics.embedding ?? null;
  const embeddingLive = embedding && !embedding.done && outcome === null ? embedding : null;
  const announcement =
    outcome !== null
      ? t(`training.job.announce.${outcome}`, { reason: describeCode(t, job.error?.code) })
      : embeddingLive
        ? t('training.job.announce.embedding', { rows: f.number(embeddingLive.rows), total: f.number(embeddingLive.total) })
        : t('training.job.announce.progress', { n: f.number(job.epochsCompleted), total: f.number(epochs), percent: f.percent(job.progress / 100) });

  return (
    <>
      <nav className="breadcrumb" aria-label={t('hub.breadcrumb')}>
        <Link to="/training">{t('nav.training')}</Link>
        <span aria-hidden="true">/</span>
        <bdi>{job.name}</bdi>
      </nav>
      <PageHeader
        title={<bdi>{job.name}</bdi>}
        subtitle={
          <span className="inline">
            <StatusBadge status={job.status} />
            <span>{t(`datasets.types.${job.task}`)}</span>
            {job.backend && <Badge tone="info">{t(`system.tfBackends.${job.backend}`)}</Badge>}
            {job.datasetId && <Link to={`/datasets/${job.datasetId}`}>{t('training.job.dataset')}</Link>}
          </span>
        }
        actions={
          <div className="inline" data-testid="job-actions">
            {(job.status === 'running' || job.status === 'queued') && (
              <Button icon={<PauseIcon />} onClick={() => pause.mutate()} busy={pause.isPending} disabled={job.status === 'queued'}>
                {t('training.job.pause')}
              </Button>
            )}
            {job.status === 'paused' && (
              <Button variant="primary" icon={<PlayIcon />} onClick={() => resume.mutate()} busy={resume.isPending}>
                {t('training.job.resume')}
              </Button>
            )}
            {isActiveJob(job.status) && (
              <ConfirmButton question={t('training.job.cancelQuestion')} onConfirm={() => cancel.mutate()} busy={cancel.isPending}>
                {t('training.job.cancel')}
              </ConfirmButton>
            )}
            {job.status === 'completed' && job.modelId && (
              <Link className="btn btn-primary" to={`/playground?model=${job.modelId}`}>
                <SparkIcon />
                <span>{t('training.job.tryIt')}</span>
              </Link>
            )}
            {job.model?.status === 'ready' && <ExportModelButton model={job.model} />}
          </div>
        }
      />
      <ErrorNotice error={actionError} />
      {job.status === 'failed' && job.error && <Notice tone="danger">{describeCode(t, job.error.code)}</Notice>}
      {job.status === 'pausing' && <Notice tone="info">{t('training.job.pausing')}</Notice>}
      {job.status === 'paused' && <Notice tone="warning">{t('training.job.pausedHint')}</Notice>}

      <LiveStatus message={announcement} final={outcome !== null} />
      {embedding && <EmbeddingCard embedding={embedding} active={isActiveJob(job.status)} />}
      <Card>
        <div className="job-progress">
          <ProgressBar value={job.progress / 100} label={t('training.job.progress')} tone={job.status === 'completed' ? 'success' : 'accent'} />
          <div className="stats">
            <Stat label={t('training.job.progress')} value={<span data-testid="job-progress">{f.percent(job.progress / 100)}</span>} />
            <Stat
              label={t('training.job.epoch')}
              value={<span data-testid="job-epochs">{t('training.job.epochOf', { n: f.number(job.epochsCompleted), total: f.number(epochs) })}</span>}
              hint={running && current ? t('training.job.batchOf', { n: f.number(current.batch), total: f.number(current.batches) }) : undefined}
            />
            <Stat label={t('training.job.eta')} value={eta ?? (running ? t('downloads.etaUnknown') : '—')} />
            <Stat
              label={t('training.job.speed')}
              value={current?.samplesPerSecond ? t('training.job.samplesPerSecond', { n: f.number(current.samplesPerSecond, { maximumFractionDigits: 0 }) }) : '—'}
            />
            {job.latest && <Stat label={t('training.metrics.loss')} value={job.latest.loss !== null ? f.number(job.latest.loss, { maximumFractionDigits: 4 }) : '—'} />}
            {job.latest && !regression && (
              <Stat label={t('training.metrics.accuracy')} value={job.latest.accuracy !== null ? f.percent(job.latest.accuracy, 1) : '—'} />
            )}
          </div>
        </div>
      </Card>

      <div className="grid chart-grid" data-testid="charts">
        <Card>
          <LineChart
            title={t('training.charts.loss')}
            series={lossSeries}
            xLabel={t('training.charts.epoch')}
            formatX={(n) => f.number(n)}
            formatY={(n) => f.number(n, { maximumFractionDigits: 3 })}
            yMin={0}
            xMax={epochs}
            emptyText={t('training.charts.waiting')}
          />
        </Card>
        {!regression && (
          <Card>
            <LineChart
              title={t('training.charts.accuracy')}
              series={accSeries}
              xLabel={t('training.charts.epoch')}
              formatX={(n) => f.number(n)}
              formatY={(n) => f.percent(n)}
              yMin={0}
              yMax={1}
              xMax={epochs}
              emptyText={t('training.charts.waiting')}
            />
          </Card>
        )}
      </div>

      {job.evaluation && (
        <Card title={t('training.evaluation.title')}>
          <EvaluationCard evaluation={job.evaluation} bestEpoch={job.metrics.final?.bestEpoch ?? null} labelNames={job.model?.labelNames ?? job.config.labelNames} />
        </Card>
      )}

      {job.model?.status === 'ready' && job.task !== 'tabular-regression' && (
        <Card title={t('training.evaluation.otherTitle')}>
          <ModelEvaluations modelId={job.model.id} labelNames={job.model.labelNames} />
        </Card>
      )}

      <div className="grid dataset-grid">
        <Card title={t('training.checkpoints.title')} className="card-wide">
          <CheckpointTable checkpoints={job.checkpoints} regression={regression} />
        </Card>
        <Card title={t('training.job.config')}>
          <ConfigSummary job={job} />
        </Card>
      </div>
    </>
  );
}

/** The encoder's pass over the dataset: live while it embeds, then what it did (from the cache or not). */
function EmbeddingCard({ embedding: e, active }: { embedding: EmbeddingProgress; active: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const share = e.done ? 1 : e.total > 0 ? e.rows / e.total : null;
  const eta = !e.done && active ? (f.eta(e.etaSeconds) ?? t('downloads.etaUnknown')) : '—';
  return (
    <Card title={t('training.embedding.title')}>
      <div className="job-progress" data-testid="embedding-progress" data-rows={e.rows} data-total={e.total} data-done={e.done} data-cached={e.cached}>
        <ProgressBar value={share} label={t('training.embedding.progress')} tone={e.done ? 'success' : 'accent'} />
        <div className="stats">
          <Stat label={t('training.embedding.encoder')} value={<bdi dir="ltr">{e.repoId}</bdi>} hint={t('training.embedding.dim', { n: f.number(e.dim) })} />
          <Stat label={t('training.embedding.rows')} value={<span data-testid="embedding-rows">{t('training.embedding.rowsOf', { rows: f.number(e.rows), total: f.number(e.total) })}</span>} />
          <Stat label={t('training.job.speed')} value={e.rowsPerSecond ? t('training.embedding.rowsPerSecond', { n: f.number(e.rowsPerSecond, { maximumFractionDigits: 0 }) }) : '—'} />
          <Stat label={t('training.job.eta')} value={eta} />
        </div>
        {e.cached ? (
          <p className="inline" data-testid="embedding-cached">
            <Badge tone="info">{t('training.embedding.cached')}</Badge>
            <span className="muted">{t('training.embedding.cachedHint')}</span>
          </p>
        ) : (
          e.done && <p className="muted">{t('training.embedding.done')}</p>
        )}
      </div>
    </Card>
  );
}

const CHECKPOINTS_SHOWN = 8;

function CheckpointTable({ checkpoints, regression }: { checkpoints: Checkpoint[]; regression: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [all, setAll] = useState(false);
  if (checkpoints.length === 0) return <p className="muted">{t('training.checkpoints.none')}</p>;
  const m = (v: number | null) => (v === null ? '—' : f.number(v, { maximumFractionDigits: 4 }));
  const p = (v: number | null) => (v === null ? '—' : f.percent(v, 1));
  return (
    <TableWrap label={t('training.checkpoints.title')}>
      <table className="table" data-testid="checkpoints">
        <thead>
          <tr>
            <th scope="col">{t('training.checkpoints.epoch')}</th>
            <th scope="col" className="num">
              {t('training.metrics.loss')}
            </th>
            <th scope="col" className="num">
              {t('training.metrics.valLoss')}
            </th>
            {!regression && (
              <>
                <th scope="col" className="num">
                  {t('training.metrics.accuracy')}
                </th>
                <th scope="col" className="num">
                  {t('training.metrics.valAccuracy')}
                </th>
              </>
            )}
            <th scope="col" className="num">
              {t('training.checkpoints.size')}
            </th>
            <th scope="col">{t('training.checkpoints.when')}</th>
          </tr>
        </thead>
        <tbody>
          {visibleCheckpoints(checkpoints, all ? Infinity : CHECKPOINTS_SHOWN).map((c) => (
              <tr key={c.id} className={c.best ? 'row-best' : undefined} data-best={c.best || undefined}>
                <td>
                  <span className="inline">
                    {f.number(c.epoch)}
                    {c.best && <Badge tone="success">{t('training.checkpoints.best')}</Badge>}
                    {c.partial && <Badge tone="warning">{t('training.checkpoints.partial')}</Badge>}
                  </span>
                </td>
                <td className="num">{m(c.loss)}</td>
                <td className="num">{m(c.valLoss)}</td>
                {/* Each split in its own column: a partial epoch has no validation figure yet, and shows none. */}
                {!regression && (
                  <>
                    <td className="num">{p(c.accuracy)}</td>
                    <td className="num">{p(c.valAccuracy)}</td>
                  </>
                )}
                <td className="num">{f.bytes(c.sizeBytes)}</td>
                <td>{f.date(c.createdAt, 'time')}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {checkpoints.length > CHECKPOINTS_SHOWN && (
        <div className="table-foot">
          <Button size="sm" variant="ghost" onClick={() => setAll((v) => !v)}>
            {all ? t('training.checkpoints.fewer') : t('training.checkpoints.all', { n: f.number(checkpoints.length) })}
          </Button>
        </div>
      )}
    </TableWrap>
  );
}

/** Newest first; the best one always stays in view even when older than the shown rows. */
export function visibleCheckpoints(checkpoints: Checkpoint[], limit: number): Checkpoint[] {
  const sorted = [...checkpoints].sort((a, b) => b.epoch - a.epoch || b.step - a.step);
  const shown = sorted.slice(0, limit);
  const best = sorted.find((c) => c.best);
  if (best && !shown.includes(best)) shown.push(best);
  return shown;
}

function ConfigSummary({ job }: { job: TrainingJobDetail }) {
  const { t } = useTranslation();
  const f = useFormat();
  const c = job.config;
  return (
    <dl className="facts">
      <dt>{t('training.layers.title')}</dt>
      <dd>
        <ol className="layer-summary">
          {c.layers.map((l, i) => (
            <li key={i}>
              {l.type === 'dense'
                ? t('training.layers.denseSummary', { units: f.number(l.units), activation: l.activation })
                : t('training.layers.dropoutSummary', { rate: f.number(l.rate) })}
            </li>
          ))}
        </ol>
      </dd>
      {c.encoder ? (
        <>
          <dt>{t('training.fields.encoder')}</dt>
          <dd>
            <bdi dir="ltr">{job.metrics.embedding?.repoId ?? job.model?.encoder?.repoId ?? '—'}</bdi> · {t(`training.encoder.poolings.${c.encoder.pooling}`)}
          </dd>
        </>
      ) : (
        <>
          <dt>{t('training.fields.input')}</dt>
          <dd>{t(`training.inputs.${c.input ?? 'dense'}`)}</dd>
        </>
      )}
      <dt>{t('training.fields.classWeight')}</dt>
      <dd>{t(`training.classWeights.${c.classWeight ?? 'none'}`)}</dd>
      <dt>{t('training.fields.optimizer')}</dt>
      <dd>{t(`training.optimizers.${c.optimizer}`)}</dd>
      <dt>{t('training.fields.learningRate')}</dt>
      <dd>{f.number(c.learningRate, { maximumFractionDigits: 6 })}</dd>
      <dt>{t('training.fields.l2')}</dt>
      <dd>{f.number(c.l2 ?? 0, { maximumFractionDigits: 8 })}</dd>
      <dt>{t('training.fields.batchSize')}</dt>
      <dd>{f.number(c.batchSize)}</dd>
      <dt>{t('training.fields.validationSplit')}</dt>
      <dd>{f.percent(c.validationSplit)}</dd>
      {job.metrics.parameters !== null && (
        <>
          <dt>{t('training.job.parameters')}</dt>
          <dd>{f.number(job.metrics.parameters)}</dd>
        </>
      )}
      {job.metrics.samples && (
        <>
          <dt>{t('training.job.samples')}</dt>
          <dd>{t('training.job.samplesValue', { train: f.number(job.metrics.samples.train), validation: f.number(job.metrics.samples.validation) })}</dd>
        </>
      )}
      {c.earlyStopping && (
        <>
          <dt>{t('training.fields.earlyStopping')}</dt>
          <dd>{t('training.job.earlyStoppingValue', { monitor: t(`training.monitors.${c.earlyStopping.monitor}`), patience: f.number(c.earlyStopping.patience) })}</dd>
          {c.refit && <dd>{t('training.fields.refit')}</dd>}
        </>
      )}
    </dl>
  );
}
