import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TrainingJob } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useConnection } from '../../app/socket-context';
import { useApi } from '../../app/services';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ChartIcon, PlusIcon } from '../../components/icons';
import { StatusBadge } from '../../components/StatusBadge';
import { Card, EmptyState, Loading, PageHeader, ProgressBar } from '../../components/ui';
import { isActiveJob, trainingApi, trainingKeys } from './training.api';

export function TrainingPage() {
  const { t } = useTranslation();
  const api = useApi();
  const { state } = useConnection();
  const list = useQuery({
    queryKey: trainingKeys.list(),
    queryFn: () => trainingApi.list(api),
    refetchInterval: (q) => (q.state.data?.items.some((j) => isActiveJob(j.status)) ? (state === 'connected' ? 15_000 : 3_000) : false),
  });
  const items = list.data?.items ?? [];
  return (
    <div className="page">
      <PageHeader
        title={t('training.title')}
        subtitle={t('training.subtitle')}
        actions={
          <Link to="/training/new" className="btn btn-primary">
            <PlusIcon />
            <span>{t('training.newJob')}</span>
          </Link>
        }
      />
      {list.isPending && <Loading />}
      {list.error && <ErrorNotice error={list.error} />}
      {list.isSuccess && items.length === 0 && (
        <EmptyState icon={<ChartIcon />} title={t('training.empty')}>
          <p>{t('training.emptyHint')}</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <Card>
          <ul className="list">
            {items.map((job) => (
              <JobRow key={job.id} job={job} />
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}

function JobRow({ job }: { job: TrainingJob }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <li className="job-row" data-testid="job-row" data-status={job.status}>
      <div className="row-between">
        <div className="inline">
          <Link to={`/training/${job.id}`} className="dataset-name">
            <bdi>{job.name}</bdi>
          </Link>
          <StatusBadge status={job.status} />
        </div>
        <span className="muted">{f.relative(job.createdAt)}</span>
      </div>
      {isActiveJob(job.status) && <ProgressBar value={job.progress / 100} label={t('training.job.progress')} />}
      <div className="meta-line">
        <span>{t(`datasets.types.${job.task}`)}</span>
        <span>{t('training.job.epochOf', { n: f.number(job.epochsCompleted), total: f.number(job.config.epochs) })}</span>
        {job.latest?.loss != null && <span>{t('training.job.lossValue', { v: f.number(job.latest.loss, { maximumFractionDigits: 4 }) })}</span>}
        {job.latest?.valAccuracy != null && <span>{t('training.job.accValue', { v: f.percent(job.latest.valAccuracy, 1) })}</span>}
      </div>
    </li>
  );
}
