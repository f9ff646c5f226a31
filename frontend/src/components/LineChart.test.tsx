import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { renderWithApp } from '../test/harness';
import { LineChart, niceStep, ticks } from './LineChart';

describe('chart scales', () => {
  it('picks round steps', () => {
    expect(niceStep(1, 4)).toBe(0.5);
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(0.03, 3)).toBeCloseTo(0.01);
    expect(niceStep(0, 4)).toBe(1);
  });
  it('places ticks inside the range', () => {
    expect(ticks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(ticks(1, 12, 6)).toEqual([2, 4, 6, 8, 10, 12]);
  });
});

describe('LineChart', () => {
  it('draws one path per series with a dot per point and Persian tick labels', () => {
    const { container } = renderWithApp(
      <LineChart
        title="خطا"
        xLabel="دوره"
        emptyText="—"
        formatX={(n) => new Intl.NumberFormat('fa-IR').format(n)}
        formatY={(n) => new Intl.NumberFormat('fa-IR').format(n)}
        yMin={0}
        xMax={10}
        series={[
          { name: 'آموزش', color: 'red', points: [[1, 0.9], [2, 0.5], [3, 0.3]] },
          { name: 'اعتبارسنجی', color: 'blue', points: [[1, 1], [2, 0.7]], dashed: true },
        ]}
      />,
    );
    expect(container.querySelectorAll('path')).toHaveLength(2);
    expect(container.querySelectorAll('circle')).toHaveLength(5);
    expect(container.querySelector('svg')?.getAttribute('data-points')).toBe('5');
    expect(screen.getByText('۱۰')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'خطا' })).toBeTruthy();
  });
  it('shows the waiting text before the first point', () => {
    renderWithApp(<LineChart title="دقت" xLabel="دوره" emptyText="منتظر" formatX={String} formatY={String} series={[{ name: 'a', color: 'red', points: [] }]} />);
    expect(screen.getByText('منتظر')).toBeTruthy();
  });
});

describe('LineChart data table', () => {
  it('lists every point under the chart, one row per x, as its text alternative', () => {
    renderWithApp(
      <LineChart
        title="خطا"
        xLabel="دوره"
        emptyText="—"
        formatX={(n) => String(n)}
        formatY={(n) => n.toFixed(2)}
        series={[
          { name: 'آموزش', color: 'red', points: [[1, 0.9], [2, 0.5]] },
          { name: 'اعتبارسنجی', color: 'blue', points: [[2, 0.6]] },
        ]}
      />,
    );
    const table = screen.getByRole('region', { name: 'خطا' }).querySelector('table');
    const rows = [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ['1', '0.90', '—'],
      ['2', '0.50', '0.60'],
    ]);
  });
});
