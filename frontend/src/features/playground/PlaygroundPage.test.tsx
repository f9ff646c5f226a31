import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TrainedModel, TrainedModelListResponse } from '@sokhan/common';
import fa from '../../locales/fa.json';
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
let server: Server;
let base: string;

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization, content-type, accept');
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    requests.push(`${req.method} ${req.url}`);
    if (req.method === 'GET' && req.url === '/api/models') return json(res, 200, { items: [orphan] } satisfies TrainedModelListResponse);
    // The server's answer for such a model (backend/test/training-encoder.test.ts checks it is given).
    if (req.method === 'POST' && req.url === `/api/models/${MODEL_ID}/predict`) {
      return json(res, 409, { error: { code: 'ENCODER_MISSING', message: `the encoder ${REPO} is no longer installed` } });
    }
    json(res, 404, { error: { code: 'NOT_FOUND', message: 'nope' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('PlaygroundPage with a model on an encoder', () => {
  it('names the encoder, and says in Persian that it was removed instead of loading anything', async () => {
    renderWithApp(<PlaygroundPage />, { services: makeServices(base), path: '/playground' });
    const problem = await screen.findByTestId('encoder-problem');
    expect(problem.dataset.reason).toBe('removed');
    expect(problem.textContent).toBe(fa.playground.encoder.removed.replace('{{repo}}', REPO));
    expect(screen.getByTestId('encoder-repo').textContent).toContain(REPO);
    expect(screen.getByRole('button', { name: fa.playground.predict })).toHaveProperty('disabled', true);
    // Neither the network nor the encoder was fetched: the model cannot run without it.
    expect(requests.filter((r) => r.includes(`/api/models/${MODEL_ID}/`))).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: fa.playground.compareServer }));
    expect((await screen.findByText(fa.errors.codes.ENCODER_MISSING)).textContent).toBe(fa.errors.codes.ENCODER_MISSING);
  });
});
