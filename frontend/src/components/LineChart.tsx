import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TableWrap } from './ui';

export interface Series {
  name: string;
  /** A CSS colour (a variable works). */
  color: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

interface Props {
  title: string;
  series: Series[];
  xLabel: string;
  formatX: (n: number) => string;
  formatY: (n: number) => string;
  /** Lower bound of the y axis (e.g. 0 for loss and accuracy). */
  yMin?: number;
  yMax?: number;
  /** The x axis spans at least this far (the planned epochs), so the line grows into the chart. */
  xMax?: number;
  emptyText: string;
}

const H = 260;

/** The chart is drawn at its real pixel width, so ticks and labels keep their size on any screen. */
function useWidth(fallback: number) {
  // A callback ref: the measured element may appear later (after the empty state).
  const [el, ref] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      const w = Math.round(entries[0]?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  return { ref, width };
}
const PAD = { top: 16, right: 16, bottom: 36, left: 56 };

/** 1, 2 or 5 times a power of ten: round tick steps. */
export function niceStep(span: number, targetTicks: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, targetTicks);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return nice * mag;
}

export function ticks(min: number, max: number, target: number): number[] {
  const step = niceStep(max - min, target);
  const first = Math.ceil(min / step) * step;
  const out: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * A small SVG line chart: axes with round ticks, one path per series, a dot on every point and the latest
 * value in the legend. Charts read left to right in both languages (numbers and epochs do), so the SVG is ltr.
 */
export function LineChart({ title, series, xLabel, formatX, formatY, yMin, yMax, xMax, emptyText }: Props) {
  const id = useId();
  const { ref, width } = useWidth(640);
  const W = Math.max(260, width);
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) {
    return (
      <figure className="chart chart-empty" aria-labelledby={`${id}-t`}>
        <figcaption id={`${id}-t`} className="chart-title">
          {title}
        </figcaption>
        <p className="muted">{emptyText}</p>
      </figure>
    );
  }
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const x0 = Math.min(1, ...xs);
  const x1 = Math.max(xMax ?? 0, ...xs, x0 + 1);
  let y0 = yMin ?? Math.min(...ys);
  let y1 = yMax ?? Math.max(...ys);
  if (y1 - y0 < 1e-9) {
    y1 += 0.5;
    y0 = yMin ?? y0 - 0.5;
  }
  const yTicks = ticks(y0, y1, 4);
  y1 = Math.max(y1, yTicks[yTicks.length - 1] ?? y1);
  const xTicks = ticks(x0, x1, 6).filter((v) => Number.isInteger(v));
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const last = (s: Series) => s.points[s.points.length - 1];
  return (
    <figure className="chart" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`} className="chart-title">
        {title}
      </figcaption>
      <ul className="chart-legend">
        {series.map((s) => {
          const p = last(s);
          return (
            <li key={s.name}>
              <span className={s.dashed ? 'legend-swatch legend-dashed' : 'legend-swatch'} style={{ borderColor: s.color }} aria-hidden="true" />
              {s.name}
              {p && <strong className="legend-value">{formatY(p[1])}</strong>}
            </li>
          );
        })}
      </ul>
      <div dir="ltr" ref={ref}>
        <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" role="img" aria-label={title} data-points={all.length}>
          {yTicks.map((v) => (
            <g key={`y${v}`}>
              <line x1={PAD.left} x2={W - PAD.right} y1={sy(v)} y2={sy(v)} className="chart-grid" />
              <text x={PAD.left - 8} y={sy(v)} className="chart-tick" textAnchor="end" dominantBaseline="middle">
                {formatY(v)}
              </text>
            </g>
          ))}
          {xTicks.map((v) => (
            <text key={`x${v}`} x={sx(v)} y={H - PAD.bottom + 18} className="chart-tick" textAnchor="middle">
              {formatX(v)}
            </text>
          ))}
          <text x={(PAD.left + W - PAD.right) / 2} y={H - 4} className="chart-axis-label" textAnchor="middle">
            {xLabel}
          </text>
          <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="chart-axis" />
          {series.map((s) => {
            const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
            if (pts.length === 0) return null;
            const d = pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
            return (
              <g key={s.name} data-series={s.name}>
                <path d={d} fill="none" stroke={s.color} strokeWidth={2.5} strokeDasharray={s.dashed ? '6 5' : undefined} strokeLinejoin="round" />
                {pts.map(([x, y]) => (
                  <circle key={x} cx={sx(x)} cy={sy(y)} r={3.5} fill={s.color}>
                    <title>{`${s.name} · ${formatX(x)}: ${formatY(y)}`}</title>
                  </circle>
                ))}
              </g>
            );
          })}
        </svg>
      </div>
      <ChartTable title={title} series={series} xLabel={xLabel} formatX={formatX} formatY={formatY} />
    </figure>
  );
}

/** The figures behind the chart, one row per x, for screen readers and for anyone who wants the numbers. */
function ChartTable({ title, series, xLabel, formatX, formatY }: Pick<Props, 'title' | 'series' | 'xLabel' | 'formatX' | 'formatY'>) {
  const { t } = useTranslation();
  const xs = [...new Set(series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const value = (s: Series, x: number) => s.points.find(([px]) => px === x)?.[1];
  return (
    <details className="chart-data">
      <summary>{t('chart.table')}</summary>
      <TableWrap label={title}>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{xLabel}</th>
              {series.map((s) => (
                <th key={s.name} scope="col" className="num">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {xs.map((x) => (
              <tr key={x}>
                <th scope="row">{formatX(x)}</th>
                {series.map((s) => {
                  const v = value(s, x);
                  return (
                    <td key={s.name} className="num">
                      {v === undefined || !Number.isFinite(v) ? '—' : formatY(v)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </details>
  );
}
