import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { HubSearchItem } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { CheckIcon, DownloadIcon, HeartIcon, LockIcon } from '../../components/icons';
import { Badge, Ltr } from '../../components/ui';
import { repoPath } from './hub.api';
import { TaskLabel } from './task-label';

export function ModelCard({ item }: { item: HubSearchItem }) {
  const { t } = useTranslation();
  const f = useFormat();
  // A legacy one-part id (`gpt2`) has no owner part.
  const [owner, name] = item.id.includes('/') ? item.id.split('/') : [null, item.id];
  return (
    <article className="model-card" data-testid="model-card">
      <div className="model-card-top">
        <Badge tone="accent">
          <TaskLabel tag={item.pipelineTag} />
        </Badge>
        <div className="inline">
          {item.gated !== false && (
            <Badge tone="warning" title={t('hub.gatedHint')}>
              <LockIcon />
              {t('hub.gated')}
            </Badge>
          )}
          {item.private && <Badge tone="danger">{t('hub.private')}</Badge>}
          {item.installed && (
            <Badge tone="success">
              <CheckIcon />
              {t('hub.installed')}
            </Badge>
          )}
        </div>
      </div>
      <h3 className="model-card-title">
        <Link to={`/hub/${repoPath(item.id)}`} className="stretched">
          <Ltr>
            {owner && <span className="model-owner">{owner}/</span>}
            {name}
          </Ltr>
        </Link>
      </h3>
      <div className="meta-line">
        <span title={t('hub.downloads')}>
          <DownloadIcon />
          {f.number(item.downloads, { notation: 'compact' })}
        </span>
        <span title={t('hub.likes')}>
          <HeartIcon />
          {f.number(item.likes, { notation: 'compact' })}
        </span>
        {item.sizeBytes !== null && (
          <span title={t('hub.size')} data-testid="model-size">
            {f.bytes(item.sizeBytes)}
          </span>
        )}
        {item.license && (
          <span title={t('hub.license')}>
            <Ltr>{item.license}</Ltr>
          </span>
        )}
        {item.lastModified && <span title={t('hub.lastModified')}>{f.relative(item.lastModified)}</span>}
      </div>
      {item.libraryName && (
        <div className="model-card-foot">
          <Ltr className="mono faint">{item.libraryName}</Ltr>
        </div>
      )}
    </article>
  );
}
