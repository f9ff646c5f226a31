import { useId } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { DatasetSample } from '@sokhan/common';
import { useFormat, usePreferences } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ChartIcon } from '../../components/icons';
import { Badge, Button, Card, Loading } from '../../components/ui';
import { trainingKeys } from '../training/training.api';
import { datasetKeys, datasetsApi } from './datasets.api';
import { trainFirstModel } from './first-training';

/** The datasets that ship with Sokhan: something real to train on with no Hub and no data of one's own. */
export function SamplesCard() {
  const { t } = useTranslation();
  const api = useApi();
  const samples = useQuery({ queryKey: datasetKeys.samples, queryFn: () => datasetsApi.samples(api) });
  return (
    <Card title={t('datasets.samples.title')}>
      <p className="muted">{t('datasets.samples.intro')}</p>
      {samples.isPending && <Loading />}
      <ErrorNotice error={samples.error} />
      {samples.data && (
        <ul className="list" data-testid="samples">
          {samples.data.items.map((s) => (
            <SampleRow key={s.id} sample={s} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function SampleRow({ sample }: { sample: DatasetSample }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { prefs } = usePreferences();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const titleId = useId();
  const title = sample.title[prefs.language];
  const add = useMutation({
    mutationFn: () => datasetsApi.addSample(api, sample.id, { name: title }),
    onSuccess: (dataset) => {
      void queryClient.invalidateQueries({ queryKey: datasetKeys.all });
      void navigate(`/datasets/${dataset.id}`);
    },
  });
  const train = useMutation({
    mutationFn: () => trainFirstModel(api, sample, title),
    onSuccess: (job) => {
      void queryClient.invalidateQueries({ queryKey: datasetKeys.all });
      void queryClient.invalidateQueries({ queryKey: trainingKeys.all });
      void navigate(`/training/${job.id}`);
    },
  });
  const busy = add.isPending || train.isPending;
  return (
    <li className="dataset-row" data-testid="sample" data-sample={sample.id}>
      <div className="dataset-row-main">
        <h3 id={titleId} className="dataset-name">
          <bdi>{title}</bdi>
        </h3>
        <p className="muted">{sample.description[prefs.language]}</p>
        <div className="meta-line">
          <span>{t('datasets.records', { n: f.number(sample.rows) })}</span>
          <span>{t('datasets.samples.classes', { n: f.number(sample.classes.length) })}</span>
          <span>{f.bytes(sample.sizeBytes)}</span>
          <Badge>{t('datasets.samples.license', { license: sample.license })}</Badge>
          {sample.datasetId && <Badge tone="success">{t('datasets.samples.added')}</Badge>}
        </div>
        <ErrorNotice error={add.error ?? train.error} />
      </div>
      <div className="inline">
        <Button variant="primary" size="sm" icon={<ChartIcon />} onClick={() => train.mutate()} busy={train.isPending} disabled={busy} aria-describedby={titleId}>
          {t('datasets.samples.trainFirst')}
        </Button>
        {sample.datasetId ? (
          <Link to={`/datasets/${sample.datasetId}`} className="btn btn-sm" aria-describedby={titleId}>
            {t('datasets.samples.open')}
          </Link>
        ) : (
          <Button size="sm" onClick={() => add.mutate()} busy={add.isPending} disabled={busy} aria-describedby={titleId}>
            {t('datasets.samples.add')}
          </Button>
        )}
      </div>
    </li>
  );
}
