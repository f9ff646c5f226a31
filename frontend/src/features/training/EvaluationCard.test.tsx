import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { classificationReport, type ModelEvaluation } from '@sokhan/common';
import { renderWithApp } from '../../test/harness';
import { EvaluationCard } from './EvaluationCard';

const evaluation: ModelEvaluation = {
  id: 'e1',
  modelId: 'm1',
  trainingJobId: 'j1',
  datasetId: 'd1',
  split: 'validation',
  report: classificationReport(['-1', '0', '1'], [
    [5, 1, 0],
    [1, 4, 1],
    [0, 1, 6],
  ]),
  createdAt: '2025-01-01T00:00:00Z',
};

describe('EvaluationCard', () => {
  it('shows the classes by their names, and unnamed ones by their value (isolated, sign kept in place)', () => {
    renderWithApp(<EvaluationCard evaluation={evaluation} bestEpoch={null} labelNames={{ '-1': 'bad', '1': 'good' }} />);
    const perClass = within(screen.getByTestId('per-class'));
    expect(perClass.getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['bad', '0', 'good']);
    const confusion = within(screen.getByTestId('confusion'));
    expect(confusion.getAllByRole('columnheader').slice(1).map((h) => h.textContent)).toEqual(['bad', '0', 'good']);
    const raw = perClass.getByRole('rowheader', { name: '0' }).querySelector('bdi');
    expect(raw?.getAttribute('dir')).toBe('ltr');
  });

  it('without names shows the raw values', () => {
    renderWithApp(<EvaluationCard evaluation={evaluation} bestEpoch={null} />);
    expect(within(screen.getByTestId('confusion')).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['-1', '0', '1']);
  });
});
