import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { InstalledModel } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';
import { Badge, Card, Loading, Ltr, Stat } from '../../components/ui';
import { hubApi, hubKeys, repoPath } from '../hub/hub.api';
import { TaskLabel } from '../hub/task-label';
import { RuntimeStatus } from './RuntimeStatus';
import { TryPanel } from './try/TryPanel';

/** One installed model: what it is, whether it runs here (or why not) and, when it runs, the try-it panel. */
export function InstalledModelPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const api = useApi();
  const model = useQuery({
    queryKey: [...hubKeys.installed, id],
    queryFn: () => hubApi.installedOne(api, id),
    retry: false,
    // An install finishing, or the start-time inspection of an older one, changes what the page offers.
    refetchInterval: (q) => (q.state.data && (q.state.data.status !== 'ready' || q.state.data.runtime.status === 'unchecked') ? 3000 : false),
  });
  return (
    <div className="page">
      <nav className="breadcrumb" aria-label={t('hub.breadcrumb')}>
        <Link to="/models">{t('nav.models')}</Link>
        <span aria-hidden="true">/</span>
        {model.data ? <Ltr>{model.data.repoId}</Ltr> : <span>{t('run.model')}</span>}
      </nav>
      {model.isPending && <Loading />}
      {model.error && <ErrorNotice error={model.error} />}
      {model.data && <ModelView model={model.data} />}
    </div>
  );
}

function ModelView({ model }: { model: InstalledModel }) {
  const { t } = useTranslation();
  const f = useFormat();
  const runtime = model.runtime;
  const ready = model.status === 'ready';
  return (
    <>
      <header className="model-hero card">
        <div className="inline">
          <Badge tone="accent">
            <TaskLabel tag={model.pipelineTag} />
          </Badge>
          <StatusBadge status={model.status} />
          {model.license && (
            <Badge>
              <Ltr>{model.license}</Ltr>
            </Badge>
          )}
        </div>
        <h1 className="model-title">
          <Ltr>{model.repoId}</Ltr>
        </h1>
        <div className="stats">
          <Stat label={t('models.size')} value={f.bytes(model.sizeBytes)} hint={t('hub.fileCount', { count: model.fileCount, n: f.number(model.fileCount) })} />
          <Stat label={t('models.installedAt')} value={f.date(model.createdAt, 'date')} />
          {model.revision !== 'main' && <Stat label={t('run.revision')} value={<Ltr>{model.revision}</Ltr>} />}
        </div>
        {ready && <RuntimeStatus runtime={runtime} detailed />}
        <p className="inline">
          <Link to={`/hub/${repoPath(model.repoId)}`}>{t('run.onHub')}</Link>
          {ready && runtime.status === 'runnable' && runtime.pipelines.includes('text-to-speech') && <Link to="/speech">{t('run.voiceOnSpeech')}</Link>}
        </p>
      </header>
      {!ready && <Notice>{t('run.notReady')}</Notice>}
      {ready && runtime.status === 'runnable' && <TryPanel modelId={model.id} repoId={model.repoId} runtime={runtime} />}
      {ready && runtime.status === 'unsupported' && runtime.reasonCode !== 'piper-voice' && (
        <Card title={t('run.title')}>
          <p className="muted">{t('run.cannotTry')}</p>
        </Card>
      )}
    </>
  );
}
