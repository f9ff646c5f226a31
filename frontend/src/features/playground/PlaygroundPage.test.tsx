import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TrainedModel, TrainedModelListResponse } from '@sokhan/common';
import fa from '../../locales/fa.json';
import { startApiServer } from '../../test/api-server';
import { makeServices, renderWithApp } from '../../test/harness';
import { PlaygroundPage } from './PlaygroundPage';

const MODEL_ID = 'b0000000-0000-4000-8000-000000000001';
const REPO = 'sokhan-lab/bert-fa-tiny-encoder';

/** A model trained on an encoder that has since been removed from the installed models. */
const orphan: TrainedModel = {
  id: MODEL_ID,
  name: 'نظرها با رمزگذار',
  status: 'ready',
  task: 'text-classification',
  inputs: [{ name: 'متن', kind: 'text' }],
  labels: ['مثبت', 'منفی'],
  labelNames: null,
  files: [{ name: 'model.json', sizeBytes: 1 }],
  metrics: null,
  datasetId: null,
  trainingJobId: null,
  createdAt: '2025-01-01T00:00:00Z',
  importedAt: null,
  encoder: {
    repoId: REPO,
    revision: 'abc',
    variant: 'fp32',
    pooling: 'mean',
    normalize: true,
    text: { persian: true, digits: 'latin', keepDiacritics: false },
    installedId: null,
    dim: 32,
    files: ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'],
  },
};

const requests: string[] = [];
let api: Awaited<ReturnType<typeof startApiServer>>;
let base: string;

beforeAll(async () => {
  api = await startApiServer((req) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === 'GET' && req.url === '/api/models') return { status: 200, body: { items: [orphan] } satisfies TrainedModelListResponse };
    // The server's answer for such a model (backend/test/training-encoder.test.ts checks it is given).
    if (req.method === 'POST' && req.url === `/api/models/${MODEL_ID}/predict`) {
      return { status: 409, body: { error: { code: 'ENCODER_MISSING', message: `the encoder ${REPO} is no longer installed` } } };
    }
    return null;
  });
  base = api.base;
});
afterAll(() => api.close());

describe('PlaygroundPage with a model on an encoder', () => {
  it('names the encoder, and says in Persian that it was removed instead of loading anything', async () => {
    renderWithApp(<PlaygroundPage />, { services: makeServices(base), path: '/playground' });
    const problem = await screen.findByTestId('encoder-problem');
    expect(problem.dataset.reason).toBe('removed');
    expect(problem.textContent).toBe(fa.playground.encoder.removed.replace('{{repo}}', REPO));
    expect(screen.getByTestId('encoder-repo').textContent).toContain(REPO);
    expect(screen.getByRole('button', { name: fa.playground.predict })).toHaveProperty('disabled', true);
    // It cannot go into an archive either (the server refuses it): the button says why.
    expect(screen.getByTestId('export-model')).toHaveProperty('disabled', true);
    expect(screen.getByTestId('export-encoder').textContent).toBe(fa.playground.exportEncoder);
    // Neither the network nor the encoder was fetched: the model cannot run without it.
    expect(requests.filter((r) => r.includes(`/api/models/${MODEL_ID}/`))).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: fa.playground.compareServer }));
    expect((await screen.findByText(fa.errors.codes.ENCODER_MISSING)).textContent).toBe(fa.errors.codes.ENCODER_MISSING);
  });
});
