import type { DownloadRecord } from '@sokhan/common';
import { Link } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useConnection } from '../../app/socket-context';
import { useApi } from '../../app/services';
import { ErrorNotice } from '../../components/ErrorNotice';
import { DownloadIcon } from '../../components/icons';
import { Button, Card, EmptyState, Loading, PageHeader } from '../../components/ui';
import { hubApi, hubKeys } from '../hub/hub.api';
import { DownloadItem, isActive } from './DownloadItem';

const PAGE = 30;

export function DownloadsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const { state } = useConnection();
  const list = useInfiniteQuery({
    queryKey: [...hubKeys.downloads, 'pages'],
    queryFn: ({ pageParam }) => hubApi.downloads(api, { limit: PAGE, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: (last) => (last.offset + last.items.length < last.total ? last.offset + last.items.length : undefined),
    // Socket events carry progress; polling is the fallback while the live connection is down.
    refetchInterval: (q) => {
      const anyActive = q.state.data?.pages.some((p) => p.items.some(isActive)) ?? false;
      if (!anyActive) return false;
      return state === 'connected' ? 10_000 : 2_000;
    },
  });
  const cancel = useMutation({
    mutationFn: (id: string) => hubApi.cancelDownload(api, id),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: hubKeys.downloads }),
  });
  // The same repository, revision and file selection again; files a failed run verified are skipped.
  const retry = useMutation({
    mutationFn: (d: DownloadRecord) => hubApi.download(api, { repoId: d.repoId, revision: d.revision, include: d.include, exclude: d.exclude }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: hubKeys.downloads }),
  });

  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const active = items.filter(isActive);
  const done = items.filter((d) => !isActive(d));

  return (
    <div className="page">
      <PageHeader
        title={t('downloads.title')}
        subtitle={t('downloads.subtitle')}
        actions={
          <Link to="/hub" className="btn btn-primary">
            {t('downloads.findModels')}
          </Link>
        }
      />
      {list.isPending && <Loading />}
      {list.error && <ErrorNotice error={list.error} />}
      <ErrorNotice error={cancel.error ?? retry.error} />
      {list.isSuccess && items.length === 0 && (
        <EmptyState icon={<DownloadIcon />} title={t('downloads.empty')}>
          <p>{t('downloads.emptyHint')}</p>
        </EmptyState>
      )}
      {active.length > 0 && (
        <Card title={t('downloads.active')}>
          <div className="list" data-testid="active-downloads">
            {active.map((d) => (
              <DownloadItem key={d.id} record={d} onCancel={() => cancel.mutate(d.id)} cancelling={cancel.isPending && cancel.variables === d.id} />
            ))}
          </div>
        </Card>
      )}
      {done.length > 0 && (
        <Card title={t('downloads.history')}>
          <div className="list" data-testid="download-history">
            {done.map((d) => (
              <DownloadItem key={d.id} record={d} onRetry={() => retry.mutate(d)} retrying={retry.isPending && retry.variables?.id === d.id} />
            ))}
          </div>
          {list.hasNextPage && (
            <div className="center">
              <Button onClick={() => void list.fetchNextPage()} busy={list.isFetchingNextPage}>
                {t('common.more')}
              </Button>
            </div>
          )}
        </Card>
      )}
    </div>
  );
}
