import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { HUB_SORTS, HUB_TASKS, type HubSearchInterpretation, type HubSort } from '@sokhan/common';
import { useAuth } from '../../app/auth';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { SearchIcon } from '../../components/icons';
import { Button, EmptyState, Loading, Ltr, PageHeader } from '../../components/ui';
import { ApiError } from '../../lib/api';
import { hubApi, hubKeys } from './hub.api';
import { ModelCard } from './ModelCard';

/** The tasks a Persian speech and language user reaches for first; the rest sit behind "more". */
const MAIN_TASKS = ['text-to-speech', 'automatic-speech-recognition', 'text-classification'] as const;
const PAGE_SIZE = 24;

function isSort(value: string | null): value is HubSort {
  return !!value && (HUB_SORTS as readonly string[]).includes(value);
}

export function HubPage() {
  const { t } = useTranslation();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const task = params.get('task') ?? '';
  const sortParam = params.get('sort');
  const sort: HubSort = isSort(sortParam) ? sortParam : 'downloads';
  // A Persian-first product: Persian only unless the user turns it off (`lang=all`).
  const persianOnly = params.get('lang') !== 'all';
  const runsHere = params.get('runs') === 'here';
  const [text, setText] = useState(q);
  const [moreTasks, setMoreTasks] = useState(() => !!task && !(MAIN_TASKS as readonly string[]).includes(task));

  // Back/forward changes `q`: the box follows (state adjusted during render, as React recommends).
  const [syncedQ, setSyncedQ] = useState(q);
  if (q !== syncedQ) {
    setSyncedQ(q);
    setText(q);
  }

  const update = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };

  // Typing searches after a short pause; Enter searches at once.
  useEffect(() => {
    const wanted = text.trim();
    if (wanted === q) return;
    const timer = setTimeout(() => {
      const next = new URLSearchParams(params);
      if (wanted) next.set('q', wanted);
      else next.delete('q');
      setParams(next, { replace: true });
    }, 450);
    return () => clearTimeout(timer);
  }, [text, q, params, setParams]);

  const filters = { q: q || undefined, task: task || undefined, sort, language: persianOnly ? 'fa' : undefined, runsHere, limit: PAGE_SIZE };
  const search = useInfiniteQuery({
    queryKey: hubKeys.search(filters),
    queryFn: ({ pageParam, signal }) => hubApi.search(api, { ...filters, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    retry: (count, err) => !(err instanceof ApiError) && count < 1,
    staleTime: 60_000,
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    update({ q: text.trim() || null });
  };

  // A first page widened with Persian-named models may meet them again later: each model is listed once.
  const items = uniqueById(search.data?.pages.flatMap((p) => p.items) ?? []);
  const offline = search.data?.pages[0]?.offline ?? false;
  const interpreted = search.data?.pages[0]?.interpreted ?? null;
  const tasks = moreTasks ? HUB_TASKS : MAIN_TASKS;

  return (
    <div className="page">
      <PageHeader title={t('hub.title')} subtitle={t('hub.subtitle')} />
      <section className="hub-search card" aria-label={t('hub.filters')}>
        <form className="search-row" role="search" onSubmit={onSubmit}>
          <label htmlFor="hub-q" className="visually-hidden">
            {t('hub.searchLabel')}
          </label>
          <div className="search-box">
            <SearchIcon />
            <input
              id="hub-q"
              type="search"
              className="input"
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-describedby="hub-q-hint"
              dir="auto"
              autoComplete="off"
            />
          </div>
          <Button type="submit" variant="primary">
            {t('hub.search')}
          </Button>
        </form>
        <p id="hub-q-hint" className="field-hint">
          {t('hub.searchHint')}
        </p>
        <div className="chips" role="group" aria-label={t('hub.task')}>
          <button type="button" className="chip" aria-pressed={!task} onClick={() => update({ task: null })}>
            {t('hub.allTasks')}
          </button>
          {tasks.map((tag) => (
            <button key={tag} type="button" className="chip" aria-pressed={task === tag} onClick={() => update({ task: task === tag ? null : tag })}>
              {t(`hub.tasks.${tag}`)}
            </button>
          ))}
          <button type="button" className="chip chip-more" onClick={() => setMoreTasks((v) => !v)} aria-expanded={moreTasks}>
            {moreTasks ? t('hub.fewerTasks') : t('hub.moreTasks')}
          </button>
        </div>
        <div className="row-between">
          <div className="inline">
            <label className="checkbox">
              <input type="checkbox" checked={persianOnly} onChange={(e) => update({ lang: e.target.checked ? null : 'all' })} />
              {t('hub.persianOnly')}
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={runsHere} onChange={(e) => update({ runs: e.target.checked ? 'here' : null })} aria-describedby="hub-runs-hint" />
              {t('hub.runsHere')}
            </label>
            <span id="hub-runs-hint" className="visually-hidden">
              {t('hub.runsHereHint')}
            </span>
          </div>
          <label className="inline">
            <span className="field-label">{t('hub.sort')}</span>
            <select className="select select-inline" value={sort} onChange={(e) => update({ sort: e.target.value === 'downloads' ? null : e.target.value })}>
              {HUB_SORTS.map((s) => (
                <option key={s} value={s}>
                  {t(`hub.sorts.${s}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </section>

      {offline && <Notice tone="warning">{t('hub.offline')}</Notice>}
      {interpreted && search.isSuccess && <SearchSummary interpreted={interpreted} count={items.length} more={search.hasNextPage} />}
      {search.isPending && <Loading />}
      {search.error && <HubError error={search.error} onRetry={() => void search.refetch()} />}
      {search.isSuccess && items.length === 0 && <EmptyState icon={<SearchIcon />} title={t('hub.noResults')}>{t('hub.noResultsHint')}</EmptyState>}
      {items.length > 0 && (
        <>
          <div className="model-grid" aria-live="polite">
            {items.map((item) => (
              <ModelCard key={item.id} item={item} />
            ))}
          </div>
          {search.hasNextPage && (
            <div className="center">
              <Button onClick={() => void search.fetchNextPage()} busy={search.isFetchingNextPage}>
                {t('hub.more')}
              </Button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

/** How the search was understood ("Persian, speech recognition, «گربه» left out") and how many results are shown. */
function SearchSummary({ interpreted, count, more }: { interpreted: HubSearchInterpretation; count: number; more: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const parts: ReactNode[] = [];
  if (interpreted.language === 'fa') parts.push(t('hub.understood.persian'));
  if (interpreted.task) parts.push(t('hub.understood.task', { task: t(`hub.tasks.${interpreted.task}`, { defaultValue: interpreted.task }) }));
  for (const tag of interpreted.tags) parts.push(t('hub.understood.tag', { tag }));
  if (interpreted.search)
    parts.push(
      <span key="search">
        {t('hub.understood.search')} <Ltr>{interpreted.search}</Ltr>
      </span>,
    );
  return (
    <p className="search-summary" role="status" data-testid="search-summary">
      <strong>{more ? t('hub.resultCountMore', { count, n: f.number(count) }) : t('hub.resultCount', { count, n: f.number(count) })}</strong>
      {parts.length > 0 && (
        <>
          {' · '}
          {t('hub.understood.title')}{' '}
          {parts.map((p, i) => (
            <span key={i}>
              {i > 0 && t('hub.understood.sep')}
              {p}
            </span>
          ))}
        </>
      )}
      {interpreted.ignored.length > 0 && (
        <>
          {' · '}
          {t('hub.understood.ignored', { words: interpreted.ignored.join(t('hub.understood.sep')) })}
        </>
      )}
    </p>
  );
}

/** Hub connectivity problems get the mirror/proxy explanation for admins (who run the server); a plain one for others. */
export function HubError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const admin = user?.role === 'admin';
  const unreachable = error instanceof ApiError && error.code === 'HUB_UNREACHABLE';
  const endpoint =
    error instanceof ApiError ? (error.details?.find((d): d is { endpoint: string } => typeof (d as { endpoint?: unknown })?.endpoint === 'string')?.endpoint ?? null) : null;
  return (
    <ErrorNotice
      error={error}
      title={unreachable ? t('hub.unreachableTitle') : undefined}
      action={
        <>
          {unreachable && !admin && <p>{t('hub.unreachableUser')}</p>}
          {unreachable && admin && endpoint && (
            <p>
              {t('hub.triedEndpoint')} <bdi dir="ltr" className="mono">{endpoint}</bdi>
            </p>
          )}
          {unreachable && admin && (
            <>
              <p>{t('hub.mirrorHint')}</p>
              <ul className="code-list">
                <li>
                  <code dir="ltr">HF_ENDPOINT=https://hf-mirror.example</code> {t('hub.mirrorVar')}
                </li>
                <li>
                  <code dir="ltr">HTTPS_PROXY=http://proxy.example:3128</code> {t('hub.proxyVar')}
                </li>
                <li>
                  <code dir="ltr">HF_HUB_OFFLINE=1</code> {t('hub.offlineVar')}
                </li>
              </ul>
            </>
          )}
          {onRetry && (
            <div>
              <Button size="sm" onClick={onRetry}>
                {t('common.retry')}
              </Button>
            </div>
          )}
        </>
      }
    />
  );
}

function uniqueById<T extends { id: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.id) && (seen.add(i.id), true));
}
