import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { DATASET_LIMITS, type DatasetCell, type DatasetColumn, type DatasetDetail, type DatasetRow, type ValueCount } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { Badge, Button, Card, DataValue, Loading, PageHeader, Stat, TableWrap } from '../../components/ui';
import { datasetKeys, datasetsApi } from './datasets.api';

/** The detail answer carries the first page; later pages come from /rows with the same size. */
const PAGE = DATASET_LIMITS.previewRows;

export function DatasetPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const detail = useQuery({ queryKey: datasetKeys.one(id), queryFn: () => datasetsApi.get(api, id) });
  return (
    <div className="page">
      {detail.isPending && <Loading />}
      {detail.error && <ErrorNotice error={detail.error} />}
      {detail.data && <DatasetView dataset={detail.data} />}
    </div>
  );
}

function DatasetView({ dataset }: { dataset: DatasetDetail }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <>
      <PageHeader
        title={<bdi>{dataset.name}</bdi>}
        subtitle={dataset.description ? <bdi>{dataset.description}</bdi> : t(`datasets.types.${dataset.type}`)}
        actions={
          <Link to={`/training/new?dataset=${dataset.id}`} className="btn btn-primary">
            {t('datasets.train')}
          </Link>
        }
      />
      <Card>
        <div className="stats">
          <Stat label={t('datasets.stats.records')} value={f.number(dataset.recordCount)} />
          <Stat label={t('datasets.stats.columns')} value={f.number(dataset.columns.length)} />
          <Stat label={t('datasets.stats.size')} value={f.bytes(dataset.sizeBytes)} />
          <Stat label={t('datasets.stats.format')} value={dataset.format.toUpperCase()} />
          <Stat
            label={t('datasets.fields.type')}
            value={t(`datasets.types.${dataset.type}`)}
            hint={dataset.typeGiven ? t('datasets.typeGiven') : t('datasets.typeInferred')}
          />
          <Stat label={t('datasets.fields.labelColumn')} value={dataset.labelColumn ? <bdi>{dataset.labelColumn}</bdi> : t('datasets.none')} />
          {dataset.textColumn && <Stat label={t('datasets.textColumn')} value={<bdi>{dataset.textColumn}</bdi>} />}
        </div>
        {dataset.workbook && (
          <p className="field-hint" data-testid="workbook-sheet">
            {t('datasets.workbook.readFrom', { sheet: dataset.workbook.sheet, n: f.number(dataset.workbook.sheets.length) })}
          </p>
        )}
        {dataset.skippedRows > 0 && (
          <Notice tone="warning">
            {t('datasets.skipped', {
              n: f.number(dataset.skippedRows),
              lines: dataset.skippedLines
                .slice(0, 5)
                .map((l) => f.number(l))
                .join(t('common.listSeparator')),
            })}
          </Notice>
        )}
      </Card>
      <div className="grid dataset-grid">
        <Card title={t('datasets.columnTypes')}>
          <ColumnsTable columns={dataset.columns} records={dataset.recordCount} />
        </Card>
        {dataset.classCounts && dataset.classCounts.length > 0 && (
          <Card title={t('datasets.balance', { column: dataset.labelColumn ?? '' })}>
            <LabelBalance counts={dataset.classCounts} />
          </Card>
        )}
      </div>
      <Card title={t('datasets.preview')}>
        <RowsTable dataset={dataset} />
      </Card>
    </>
  );
}

function ColumnsTable({ columns, records }: { columns: DatasetColumn[]; records: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <TableWrap label={t('datasets.stats.columns')}>
      <table className="table" data-testid="columns-table">
        <thead>
          <tr>
            <th scope="col">{t('datasets.column')}</th>
            <th scope="col">{t('datasets.columnType')}</th>
            <th scope="col" className="num">
              {t('datasets.distinct')}
            </th>
            <th scope="col" className="num">
              {t('datasets.missing')}
            </th>
            <th scope="col">{t('datasets.summary')}</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => (
            <tr key={c.name}>
              <th scope="row">
                <bdi>{c.name}</bdi>
              </th>
              <td>
                <Badge tone={c.type === 'number' ? 'info' : c.type === 'category' ? 'accent' : 'neutral'}>{t(`datasets.colType.${c.type}`)}</Badge>
              </td>
              <td className="num">
                {f.number(c.distinct)}
                {c.distinctCapped ? '+' : ''}
              </td>
              <td className="num">{c.missing > 0 ? f.percent(c.missing / Math.max(1, records), 1) : f.number(0)}</td>
              <td className="muted">
                {c.type === 'number' && c.min !== null && c.max !== null
                  ? t('datasets.range', { min: f.number(c.min), max: f.number(c.max), mean: f.number(c.mean ?? 0) })
                  : c.meanLength !== null
                    ? t('datasets.length', { mean: f.number(c.meanLength, { maximumFractionDigits: 0 }), max: f.number(c.maxLength ?? 0) })
                    : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Class balance as horizontal bars, most frequent first, with count and share. */
export function LabelBalance({ counts }: { counts: ValueCount[] }) {
  const f = useFormat();
  const total = counts.reduce((s, c) => s + c.count, 0);
  const max = Math.max(1, ...counts.map((c) => c.count));
  return (
    <ul className="bars" data-testid="label-balance">
      {counts.map((c) => (
        <li key={c.value} className="bar-row">
          <DataValue className="bar-label" value={c.value} />
          <div className="bar-track" aria-hidden="true">
            <div className="bar-fill" style={{ inlineSize: `${(c.count / max) * 100}%` }} />
          </div>
          <span className="bar-value">
            {f.number(c.count)} <span className="faint">({f.percent(c.count / Math.max(1, total))})</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function cellText(value: DatasetCell): string {
  if (value === null) return '';
  return String(value);
}

function RowsTable({ dataset }: { dataset: DatasetDetail }) {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const rows = useQuery({
    queryKey: datasetKeys.rows(dataset.id, offset, PAGE),
    queryFn: () => datasetsApi.rows(api, dataset.id, offset, PAGE),
    enabled: offset > 0,
  });
  // While the next page loads, the last page stays on screen (with its own row numbers) instead of an empty table.
  const firstPage = useMemo(() => dataset.preview.slice(0, PAGE), [dataset.preview]);
  const current = offset === 0 ? firstPage : rows.data?.rows;
  const [last, setLast] = useState<{ rows: DatasetRow[]; offset: number }>({ rows: firstPage, offset: 0 });
  if (current && current !== last.rows) setLast({ rows: current, offset });
  const shown = current ?? last.rows;
  const shownOffset = current ? offset : last.offset;
  const columns = dataset.columns.map((c) => c.name);
  const total = dataset.recordCount;
  return (
    <>
      <TableWrap className="preview-table" label={t('datasets.preview')}>
        <table className="table" data-testid="preview-table">
          <thead>
            <tr>
              <th scope="col" className="num">
                {t('datasets.rowNumber')}
              </th>
              {columns.map((c) => (
                <th key={c} scope="col">
                  <bdi>{c}</bdi>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, i) => (
              <tr key={shownOffset + i}>
                <td className="num faint">{f.number(shownOffset + i + 1)}</td>
                {columns.map((c) => (
                  <td key={c} title={cellText(row[c] ?? null)}>
                    {typeof row[c] === 'number' ? f.number(row[c]) : <DataValue value={cellText(row[c] ?? null)} />}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <ErrorNotice error={rows.error} />
      <div className="row-between pager">
        <span className="muted">
          {t('datasets.showing', { from: f.number(total ? shownOffset + 1 : 0), to: f.number(Math.min(total, shownOffset + shown.length)), total: f.number(total) })}
        </span>
        <div className="inline">
          <Button size="sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            {t('common.previous')}
          </Button>
          <Button size="sm" disabled={offset + PAGE >= total} busy={rows.isFetching} onClick={() => setOffset(offset + PAGE)}>
            {t('common.next')}
          </Button>
        </div>
      </div>
    </>
  );
}
