import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { InstalledModel } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { BoxIcon, FileIcon } from '../../components/icons';
import { StatusBadge } from '../../components/StatusBadge';
import { Badge, Card, EmptyState, Loading, Ltr, PageHeader } from '../../components/ui';
import { hubApi, hubKeys, repoPath } from '../hub/hub.api';
import { TaskLabel } from '../hub/task-label';
import { installedModelPath } from './runtime.api';
import { RuntimeStatus } from './RuntimeStatus';

export function ModelsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const installed = useQuery({
    queryKey: hubKeys.installed,
    queryFn: () => hubApi.installed(api),
    // Models installed before this version are inspected at start, in the background: their status follows.
    refetchInterval: (q) => (q.state.data?.items.some((m) => m.status === 'ready' && m.runtime.status === 'unchecked') ? 3000 : false),
  });
  const items = installed.data?.items ?? [];
  const total = items.reduce((sum, m) => sum + m.sizeBytes, 0);
  return (
    <div className="page">
      <PageHeader
        title={t('models.title')}
        subtitle={items.length ? t('models.summary', { n: f.number(items.length), size: f.bytes(total) }) : t('models.subtitle')}
      />
      {installed.isPending && <Loading />}
      {installed.error && <ErrorNotice error={installed.error} />}
      {installed.isSuccess && items.length === 0 && (
        <EmptyState icon={<BoxIcon />} title={t('models.empty')}>
          <Link to="/hub" className="btn btn-primary">
            {t('downloads.findModels')}
          </Link>
        </EmptyState>
      )}
      <div className="grid grid-cards">
        {items.map((m) => (
          <InstalledCard key={m.id} model={m} />
        ))}
      </div>
    </div>
  );
}

function InstalledCard({ model }: { model: InstalledModel }) {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => hubApi.deleteInstalled(api, model.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: hubKeys.installed });
      void queryClient.invalidateQueries({ queryKey: ['hub'] });
      void queryClient.invalidateQueries({ queryKey: ['tts'] });
    },
  });
  return (
    <Card
      title={
        <Link to={installedModelPath(model.id)}>
          <Ltr>{model.repoId}</Ltr>
        </Link>
      }
      actions={<StatusBadge status={model.status} />}
      className="installed-card"
    >
      <div className="inline installed-badges">
        <Badge tone="accent">
          <TaskLabel tag={model.pipelineTag} />
        </Badge>
        {model.license && (
          <Badge>
            <Ltr>{model.license}</Ltr>
          </Badge>
        )}
        {model.revision !== 'main' && (
          <Badge>
            <Ltr>{model.revision}</Ltr>
          </Badge>
        )}
      </div>
      {model.status === 'ready' && <RuntimeStatus runtime={model.runtime} />}
      {model.problems.length > 0 && (
        <Notice tone="warning">
          <strong>{t('models.problems')}</strong>
          <ul className="unavailable-voices" data-testid="model-problems">
            {model.problems.map((p) => (
              <li key={p.file}>
                <Ltr className="mono">{p.file}</Ltr>
                {': '}
                <Ltr>{p.reason}</Ltr>
              </li>
            ))}
          </ul>
        </Notice>
      )}
      <dl className="facts" data-testid="installed-model" data-repo={model.repoId}>
        <dt>{t('models.size')}</dt>
        <dd>{f.bytes(model.sizeBytes)}</dd>
        <dt>{t('models.files')}</dt>
        <dd className="inline">
          <FileIcon />
          {f.number(model.fileCount)}
        </dd>
        {model.path !== null && (
          <>
            <dt>{t('models.path')}</dt>
            <dd>
              <Ltr className="mono path">{model.path}</Ltr>
            </dd>
          </>
        )}
        {model.commitSha && (
          <>
            <dt>{t('models.commit')}</dt>
            <dd>
              <Ltr className="mono">{model.commitSha.slice(0, 10)}</Ltr>
            </dd>
          </>
        )}
        <dt>{t('models.installedAt')}</dt>
        <dd>{f.date(model.createdAt)}</dd>
      </dl>
      {model.trainedOnIt > 0 && (
        <p className="field-hint" data-testid="trained-on-it">
          {t('models.trainedOnIt', { count: model.trainedOnIt, n: f.number(model.trainedOnIt) })}
        </p>
      )}
      <ErrorNotice error={remove.error} />
      <div className="form-actions card-foot">
        {model.status === 'ready' && model.runtime.status === 'runnable' && (
          <Link to={installedModelPath(model.id)} className="btn btn-primary btn-sm" data-testid="try-model">
            {t('run.tryIt')}
          </Link>
        )}
        <Link to={`/hub/${repoPath(model.repoId)}`} className="btn btn-sm">
          {t('run.onHub')}
        </Link>
        {model.canDelete && (
          <ConfirmButton
            size="sm"
            question={model.trainedOnIt > 0 ? t('models.deleteQuestionEncoder', { count: model.trainedOnIt, n: f.number(model.trainedOnIt) }) : t('models.deleteQuestion')}
            onConfirm={() => remove.mutate()}
            busy={remove.isPending}
          >
            {t('models.delete')}
          </ConfirmButton>
        )}
      </div>
    </Card>
  );
}
