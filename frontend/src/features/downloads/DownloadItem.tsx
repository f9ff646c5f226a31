import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { DownloadRecord } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { ConfirmButton } from '../../components/ConfirmButton';
import { StatusBadge } from '../../components/StatusBadge';
import { LiveStatus } from '../../components/LiveStatus';
import { Button, Ltr, ProgressBar } from '../../components/ui';
import { describeCode } from '../../lib/errors';
import { repoPath } from '../hub/hub.api';
import { useLiveDownload } from './live-downloads';

export function isActive(d: Pick<DownloadRecord, 'status'>): boolean {
  return d.status === 'queued' || d.status === 'running';
}

/** One download: live bar, bytes, speed, ETA, connections in use (a large file in parallel ranges) and the file in flight while it runs; the outcome after. */
export function DownloadItem({
  record,
  onCancel,
  cancelling,
  onRetry,
  retrying,
}: {
  record: DownloadRecord;
  onCancel?: () => void;
  cancelling?: boolean;
  /** Starts the same download again (files already verified are kept and skipped). */
  onRetry?: () => void;
  retrying?: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const live = useLiveDownload(record.id);
  const active = isActive(record);
  const bytesDone = live && active ? live.bytesDownloaded : record.bytesDownloaded;
  const bytesTotal = live && active ? live.bytesTotal : record.bytesTotal;
  const progress = record.status === 'completed' ? 100 : live && active ? live.progress : record.progress;
  const file = live && active ? live.file : record.currentFile;
  const eta = live && active ? f.eta(live.etaSeconds) : null;
  const announcement = active
    ? t('downloads.announce.progress', { repo: record.repoId, percent: f.percent(progress / 100) })
    : record.status === 'completed'
      ? t('downloads.announce.done', { repo: record.repoId })
      : record.status === 'failed'
        ? t('downloads.announce.failed', { repo: record.repoId, reason: describeCode(t, record.errorCode) })
        : t('downloads.announce.cancelled', { repo: record.repoId });
  return (
    <article className="download" data-testid="download-item" data-status={record.status} data-repo={record.repoId}>
      <LiveStatus message={announcement} final={!active} />
      <div className="row-between">
        <div className="inline">
          <Link to={`/hub/${repoPath(record.repoId)}`} className="download-title">
            <Ltr>{record.repoId}</Ltr>
          </Link>
          {record.revision !== 'main' && <Ltr className="mono faint">@{record.revision}</Ltr>}
          <StatusBadge status={record.status} />
        </div>
        {active && onCancel && (
          <ConfirmButton size="sm" question={t('downloads.cancelQuestion')} onConfirm={onCancel} busy={cancelling}>
            {t('downloads.cancel')}
          </ConfirmButton>
        )}
        {(record.status === 'failed' || record.status === 'cancelled') && onRetry && (
          <Button size="sm" onClick={onRetry} busy={retrying}>
            {t('downloads.retry')}
          </Button>
        )}
      </div>
      {(active || record.status === 'completed') && (
        <ProgressBar
          value={record.status === 'queued' && !live ? null : progress / 100}
          label={t('downloads.progressOf', { repo: record.repoId })}
          tone={record.status === 'completed' ? 'success' : 'accent'}
        />
      )}
      <div className="meta-line download-meta">
        {(active || record.status === 'completed') && (
          <span data-testid="download-percent">{f.percent(progress / 100)}</span>
        )}
        {bytesTotal > 0 && <span>{t('downloads.bytes', { done: f.bytes(bytesDone), total: f.bytes(bytesTotal) })}</span>}
        {active && live && live.speedBps > 0 && <span>{f.speed(live.speedBps)}</span>}
        {active && live && (live.connections ?? 0) > 1 && (
          <span data-testid="download-connections">{t('downloads.connections', { n: f.number(live.connections ?? 0) })}</span>
        )}
        {active && live && <span>{eta ? t('downloads.eta', { eta }) : t('downloads.etaUnknown')}</span>}
        {!active && record.finishedAt && <span>{f.relative(record.finishedAt)}</span>}
      </div>
      {active && file && (
        <div className="download-file">
          {t('downloads.currentFile')} <Ltr className="mono">{file}</Ltr>
        </div>
      )}
      {record.status === 'failed' && (
        <p className="field-error" role="status">
          {describeCode(t, record.errorCode)}
        </p>
      )}
      {record.status === 'completed' && record.modelId && (
        <Link to="/models" className="download-done-link">
          {t('downloads.seeInstalled')}
        </Link>
      )}
    </article>
  );
}
