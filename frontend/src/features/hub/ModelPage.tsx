import { useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { onnxVariantsIn, runnableIncludes, type DownloadRecord, type HubModelDetails, type OnnxVariant } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { Field } from '../../components/Field';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { CheckIcon, DownloadIcon, HeartIcon, LockIcon } from '../../components/icons';
import { Badge, Button, Card, Loading, Ltr, Stat, TableWrap } from '../../components/ui';
import { ApiError } from '../../lib/api';
import { DownloadItem } from '../downloads/DownloadItem';
import { useSettings } from '../settings/use-settings-sync';
import { parsePatterns, selectFiles } from './glob';
import { hubApi, hubKeys, repoIdOf } from './hub.api';
import { HubError } from './HubPage';
import { renderModelCard } from './model-card';
import { TaskLabel } from './task-label';

export function ModelPage() {
  const repoId = repoIdOf(useParams());
  const { t } = useTranslation();
  const api = useApi();
  const details = useQuery({
    queryKey: hubKeys.model(repoId),
    queryFn: ({ signal }) => hubApi.model(api, repoId, undefined, signal),
    retry: false,
  });
  return (
    <div className="page">
      <nav className="breadcrumb" aria-label={t('hub.breadcrumb')}>
        <Link to="/hub">{t('nav.hub')}</Link>
        <span aria-hidden="true">/</span>
        <Ltr>{repoId}</Ltr>
      </nav>
      {details.isPending && <Loading />}
      {details.error && <HubError error={details.error} onRetry={() => void details.refetch()} />}
      {details.data && <ModelDetails model={details.data} />}
    </div>
  );
}

function ModelDetails({ model }: { model: HubModelDetails }) {
  const { t } = useTranslation();
  const f = useFormat();
  const settings = useSettings();
  const hasToken = settings.data?.huggingface.hasToken ?? false;
  const ready = model.installed?.status === 'ready';
  return (
    <>
      <header className="model-hero card">
        <div className="inline">
          <Badge tone="accent">
            <TaskLabel tag={model.pipelineTag} />
          </Badge>
          {model.gated !== false && (
            <Badge tone="warning">
              <LockIcon />
              {t('hub.gated')}
            </Badge>
          )}
          {model.private && <Badge tone="danger">{t('hub.private')}</Badge>}
          {ready && (
            <Badge tone="success">
              <CheckIcon />
              {t('hub.installed')}
            </Badge>
          )}
          {model.offline && <Badge tone="info">{t('hub.offlineBadge')}</Badge>}
        </div>
        <h1 className="model-title">
          <Ltr>{model.id}</Ltr>
        </h1>
        <div className="stats">
          <Stat label={t('hub.downloads')} value={<span className="inline"><DownloadIcon />{f.number(model.downloads)}</span>} />
          <Stat label={t('hub.likes')} value={<span className="inline"><HeartIcon />{f.number(model.likes)}</span>} />
          <Stat label={t('hub.totalSize')} value={f.bytes(model.totalSize)} hint={t('hub.fileCount', { count: model.fileCount, n: f.number(model.fileCount) })} />
          <Stat label={t('hub.license')} value={model.license ? <Ltr>{model.license}</Ltr> : t('hub.unknownLicense')} />
          {model.lastModified && <Stat label={t('hub.lastModified')} value={f.date(model.lastModified, 'date')} />}
        </div>
        {model.tags.length > 0 && (
          <ul className="tag-list" aria-label={t('hub.tags')}>
            {model.tags.slice(0, 30).map((tag) => (
              <li key={tag}>
                <Ltr className="tag">{tag}</Ltr>
              </li>
            ))}
          </ul>
        )}
      </header>

      {model.gated !== false && (
        <Notice tone="warning" icon={<LockIcon />}>
          <strong>{t('hub.gatedTitle')}</strong>
          <p>{hasToken ? t('hub.gatedWithToken') : t('hub.gatedNoToken')}</p>
          <p>
            <Link to="/settings" data-testid="gated-settings-link">
              {t('hub.toTokenSettings')}
            </Link>
          </p>
        </Notice>
      )}

      <DownloadPanel model={model} />
      <ModelCardSection repoId={model.id} />
    </>
  );
}

/** The repository's README (its model card), rendered from sanitized Markdown. */
function ModelCardSection({ repoId }: { repoId: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const card = useQuery({ queryKey: hubKeys.card(repoId), queryFn: ({ signal }) => hubApi.card(api, repoId, signal), retry: false, staleTime: 300_000 });
  const html = useMemo(() => (card.data?.markdown ? renderModelCard(card.data.markdown) : null), [card.data]);
  return (
    <Card title={t('hub.card.title')} className="model-card-readme">
      {card.isPending && <Loading />}
      {/* A gated repository's card is behind its gate; the page already says how to get access. */}
      {card.error && (card.error instanceof ApiError && card.error.code === 'GATED_REPO' ? <p className="muted">{t('hub.card.gated')}</p> : <ErrorNotice error={card.error} />)}
      {card.data && !html && <p className="muted">{t('hub.card.none')}</p>}
      {html && <div className="markdown" data-testid="model-readme" dangerouslySetInnerHTML={{ __html: html }} />}
    </Card>
  );
}

function DownloadPanel({ model }: { model: HubModelDetails }) {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const queryClient = useQueryClient();
  const [include, setInclude] = useState('');
  const [exclude, setExclude] = useState('');
  const [started, setStarted] = useState<DownloadRecord | null>(null);
  // A repository in transformers.js' layout: by default only one ONNX variant and the files it needs.
  const variants = useMemo(() => onnxVariantsIn(model.files.map((file) => file.path)), [model.files]);
  const [runnableOnly, setRunnableOnly] = useState(variants.length > 0);
  const [variant, setVariant] = useState<OnnxVariant | null>(variants[0]?.variant ?? null);
  const runnable = runnableOnly && variant !== null ? variant : null;

  const inc = useMemo(() => (runnable ? runnableIncludes(runnable) : parsePatterns(include)), [runnable, include]);
  const exc = useMemo(() => (runnable ? [] : parsePatterns(exclude)), [runnable, exclude]);
  const selected = useMemo(() => new Set(selectFiles(model.files, inc, exc).map((file) => file.path)), [model.files, inc, exc]);
  const selectedSize = model.files.filter((file) => selected.has(file.path)).reduce((sum, file) => sum + file.size, 0);

  const start = useMutation({
    mutationFn: () =>
      hubApi.download(api, {
        repoId: model.id,
        revision: model.revision,
        ...(inc.length ? { include: inc } : {}),
        ...(exc.length ? { exclude: exc } : {}),
      }),
    onSuccess: (record) => {
      setStarted(record);
      void queryClient.invalidateQueries({ queryKey: hubKeys.downloads });
    },
  });
  const cancel = useMutation({
    mutationFn: (id: string) => hubApi.cancelDownload(api, id),
    onSuccess: (record) => setStarted(record),
  });

  // The started record follows the downloads list, which socket events and refetches keep current.
  const poll = useQuery({
    queryKey: hubKeys.download(started?.id ?? ''),
    queryFn: () => hubApi.getDownload(api, started?.id ?? ''),
    enabled: !!started,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'queued' || q.state.data.status === 'running') ? 2000 : false),
  });
  const current = poll.data ?? started;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };

  return (
    <div className="grid model-layout">
      <Card title={t('hub.files')} className="files-card">
        <TableWrap label={t('hub.files')}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('hub.filePath')}</th>
                <th scope="col" className="num">
                  {t('hub.fileSize')}
                </th>
                <th scope="col">{t('hub.fileStorage')}</th>
              </tr>
            </thead>
            <tbody>
              {model.files.map((file) => (
                <tr key={file.path} className={selected.has(file.path) ? undefined : 'row-muted'}>
                  <td>
                    <span className="inline">
                      {selected.has(file.path) ? <CheckIcon className="ok-icon" aria-label={t('hub.fileSelected')} /> : null}
                      <Ltr className="mono">{file.path}</Ltr>
                    </span>
                  </td>
                  <td className="num">{f.bytes(file.size)}</td>
                  <td>{file.lfs ? <Badge tone="info">{t('hub.lfs')}</Badge> : <Badge>{t('hub.git')}</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      <Card title={t('hub.downloadTitle')} className="download-card">
        {model.installed?.status === 'ready' && !current && (
          <Notice tone="success" icon={<CheckIcon />}>
            <p>{t('hub.alreadyInstalled', { size: f.bytes(model.installed.sizeBytes) })}</p>
            <Link to="/models">{t('downloads.seeInstalled')}</Link>
          </Notice>
        )}
        <form className="form" onSubmit={onSubmit} noValidate>
          {variants.length > 0 && (
            <div className="runnable-choice">
              <label className="checkbox">
                <input type="checkbox" checked={runnableOnly} onChange={(e) => setRunnableOnly(e.target.checked)} aria-describedby="runnable-only-hint" data-testid="runnable-only" />
                {t('hub.runnableOnly')}
              </label>
              <p id="runnable-only-hint" className="field-hint">
                {t('hub.runnableOnlyHint')}
              </p>
              {runnableOnly && (
                <Field label={t('hub.onnxVariant')}>
                  <select className="select" value={variant ?? ''} onChange={(e) => setVariant(e.target.value as OnnxVariant)} data-testid="onnx-variant">
                    {variants.map((v) => (
                      <option key={v.variant} value={v.variant}>
                        {`${v.variant} · ${v.file}`}
                      </option>
                    ))}
                  </select>
                </Field>
              )}
            </div>
          )}
          {runnable ? (
            <p className="field-hint" data-testid="runnable-patterns">
              {t('hub.runnablePatterns')} <Ltr className="mono">{inc.join(', ')}</Ltr>
            </p>
          ) : (
            <>
              <Field label={t('hub.include')} hint={<PatternHint text={t('hub.includeHint')} example={t('hub.includeExample')} />}>
                <input className="input mono" dir="ltr" value={include} onChange={(e) => setInclude(e.target.value)} spellCheck={false} />
              </Field>
              <Field label={t('hub.exclude')} hint={<PatternHint text={t('hub.excludeHint')} example={t('hub.excludeExample')} />}>
                <input className="input mono" dir="ltr" value={exclude} onChange={(e) => setExclude(e.target.value)} spellCheck={false} />
              </Field>
            </>
          )}
          <p className="selection-summary" data-testid="selection-summary">
            {t('hub.selection', { n: f.number(selected.size), total: f.number(model.files.length), size: f.bytes(selectedSize) })}
          </p>
          {selected.size === 0 && <p className="field-error">{t('hub.nothingSelected')}</p>}
          <ErrorNotice error={start.error ?? cancel.error} />
          <Button type="submit" variant="primary" icon={<DownloadIcon />} busy={start.isPending} disabled={selected.size === 0 || model.offline}>
            {t('hub.download')}
          </Button>
        </form>
        {current && (
          <div className="download-inline">
            <DownloadItem record={current} onCancel={() => cancel.mutate(current.id)} cancelling={cancel.isPending} />
          </div>
        )}
      </Card>
    </div>
  );
}

/** Glob examples are code: isolated so their `*` and `.` do not reorder inside Persian text. */
function PatternHint({ text, example }: { text: string; example: string }) {
  return (
    <>
      {text} <Ltr className="mono nowrap">{example}</Ltr>
    </>
  );
}
