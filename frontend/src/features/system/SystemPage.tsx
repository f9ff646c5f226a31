import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { SystemStatus } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge, Card, Loading, Ltr, PageHeader, ProgressBar, Stat } from '../../components/ui';
import { StatusCounts } from './StatusCounts';
import { systemApi } from './system.api';

export function SystemPage() {
  const { t } = useTranslation();
  const api = useApi();
  const status = useQuery({ queryKey: ['system', 'status'], queryFn: () => systemApi.status(api), refetchInterval: 5000 });
  return (
    <div className="page">
      <PageHeader title={t('system.title')} subtitle={t('system.subtitle')} />
      {status.isPending && <Loading />}
      {status.error && <ErrorNotice error={status.error} />}
      {status.data && <SystemView data={status.data} />}
    </div>
  );
}

function SystemView({ data }: { data: SystemStatus }) {
  const { t } = useTranslation();
  const f = useFormat();
  const pool = data.database.pool;
  const memUsed = data.memory.systemTotalBytes - data.memory.systemFreeBytes;
  return (
    <div className="grid grid-cards">
      <Card title={t('system.server')}>
        <div className="stats">
          <Stat label={t('system.version')} value={<Ltr>{data.version}</Ltr>} />
          <Stat label={t('system.uptime')} value={f.duration(data.uptimeSeconds)} />
          <Stat label={t('system.node')} value={<Ltr>{data.node}</Ltr>} />
          <Stat label={t('system.sockets')} value={f.number(data.sockets.connected)} />
        </div>
      </Card>
      <Card
        title={t('system.database')}
        actions={<Badge tone={data.database.mode === 'embedded' ? 'info' : 'accent'}>{t(`system.dbMode.${data.database.mode}`)}</Badge>}
      >
        <div className="stats">
          <Stat label={t('system.dbVersion')} value={<Ltr>{data.database.serverVersion}</Ltr>} />
          <Stat
            label={t('system.pool')}
            value={t('system.poolValue', { total: f.number(pool.total), max: f.number(pool.max) })}
            hint={t('system.poolHint', { idle: f.number(pool.idle), waiting: f.number(pool.waiting) })}
          />
        </div>
        <ProgressBar value={pool.max ? pool.total / pool.max : 0} label={t('system.pool')} />
      </Card>
      <Card title={t('system.tensorflow')}>
        <div className="stats">
          <Stat label={t('system.tfBackend')} value={t(`system.tfBackends.${data.tensorflow.backend}`)} />
          <Stat label={t('system.tfVersion')} value={<Ltr>{data.tensorflow.version}</Ltr>} />
        </div>
      </Card>
      <Card title={t('system.memory')}>
        <div className="stats">
          <Stat label={t('system.rss')} value={f.bytes(data.memory.rssBytes)} />
          <Stat label={t('system.heap')} value={f.bytes(data.memory.heapUsedBytes)} />
          <Stat
            label={t('system.systemMemory')}
            value={t('system.usedOf', { used: f.bytes(memUsed), total: f.bytes(data.memory.systemTotalBytes) })}
          />
        </div>
        <ProgressBar
          value={data.memory.systemTotalBytes ? memUsed / data.memory.systemTotalBytes : 0}
          label={t('system.systemMemory')}
          tone={memUsed / Math.max(1, data.memory.systemTotalBytes) > 0.9 ? 'danger' : 'accent'}
        />
      </Card>
      <Card title={t('system.disk')} className="card-wide">
        <ul className="disk-list">
          {data.disk.map((d) => {
            const used = d.totalBytes - d.freeBytes;
            const ratio = d.totalBytes ? used / d.totalBytes : 0;
            return (
              <li key={d.folder}>
                <div className="disk-row">
                  <span>
                    {t(`system.folders.${d.folder}`)}
                    {d.path !== null && (
                      <>
                        {' '}
                        <Ltr className="mono">{d.path}</Ltr>
                      </>
                    )}
                  </span>
                  <span>{t('system.freeOf', { free: f.bytes(d.freeBytes), total: f.bytes(d.totalBytes) })}</span>
                </div>
                <ProgressBar value={ratio} label={t(`system.folders.${d.folder}`)} tone={ratio > 0.9 ? 'danger' : ratio > 0.75 ? 'warning' : 'accent'} />
              </li>
            );
          })}
        </ul>
      </Card>
      <Card title={t('system.downloads')}>
        <StatusCounts counts={data.downloads} />
      </Card>
      <Card title={t('system.trainingJobs')}>
        <StatusCounts counts={data.trainingJobs} />
      </Card>
    </div>
  );
}
