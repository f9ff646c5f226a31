import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Dataset } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { TableIcon } from '../../components/icons';
import { Badge, Card, EmptyState, Loading, PageHeader } from '../../components/ui';
import { datasetKeys, datasetsApi } from './datasets.api';
import { SamplesCard } from './SamplesCard';
import { UploadCard } from './UploadCard';

export function DatasetsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const list = useQuery({ queryKey: datasetKeys.list, queryFn: () => datasetsApi.list(api) });
  const items = list.data?.items ?? [];
  return (
    <div className="page">
      <PageHeader title={t('datasets.title')} subtitle={t('datasets.subtitle')} />
      <UploadCard />
      <SamplesCard />
      {list.isPending && <Loading />}
      {list.error && <ErrorNotice error={list.error} />}
      {list.isSuccess && items.length === 0 && <EmptyState icon={<TableIcon />} title={t('datasets.empty')} />}
      {items.length > 0 && (
        <Card title={t('datasets.mine')}>
          <ul className="list">
            {items.map((d) => (
              <DatasetRow key={d.id} dataset={d} />
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}

function DatasetRow({ dataset }: { dataset: Dataset }) {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => datasetsApi.remove(api, dataset.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: datasetKeys.all }),
  });
  return (
    <li className="dataset-row" data-testid="dataset-row" data-name={dataset.name}>
      <div className="dataset-row-main">
        <Link to={`/datasets/${dataset.id}`} className="dataset-name">
          <bdi>{dataset.name}</bdi>
        </Link>
        <div className="meta-line">
          <Badge tone="accent">{t(`datasets.types.${dataset.type}`)}</Badge>
          <span>{t('datasets.records', { n: f.number(dataset.recordCount) })}</span>
          <span>{t('datasets.columnsCount', { n: f.number(dataset.columns.length) })}</span>
          <span>{f.bytes(dataset.sizeBytes)}</span>
          <span>{f.relative(dataset.createdAt)}</span>
          {dataset.inUse && <Badge tone="warning">{t('datasets.inUse')}</Badge>}
        </div>
        <ErrorNotice error={remove.error} />
      </div>
      <div className="inline">
        <Link to={`/training/new?dataset=${dataset.id}`} className="btn btn-sm">
          {t('datasets.train')}
        </Link>
        <ConfirmButton size="sm" question={t('datasets.deleteQuestion')} onConfirm={() => remove.mutate()} busy={remove.isPending} disabled={dataset.inUse}>
          {t('datasets.delete')}
        </ConfirmButton>
      </div>
    </li>
  );
}
