import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ModelRuntime, RunResponse } from '@sokhan/common';
import { PREFS_KEY } from '../../../app/preferences';
import en from '../../../locales/en.json';
import fa from '../../../locales/fa.json';
import { startApiServer } from '../../../test/api-server';
import { makeServices, renderWithApp } from '../../../test/harness';
import { TryPanel } from './TryPanel';

const TEXT = 'علی رضایی دیروز به شیراز رفت';
const info = { repoId: 'sokhan-lab/bert-fa-tiny-ner', variant: 'fp32' as const, normalized: false, cached: true, loadMs: 0, runMs: 3 };

/** What each model id answers, in the API's shapes: the runtime itself is tested in backend/test/runtime-api.test.ts. */
const answers: Record<string, { status: number; body: unknown }> = {
  'a0000000-0000-4000-8000-000000000001': {
    status: 200,
    body: {
      pipeline: 'token-classification',
      modelId: 'a0000000-0000-4000-8000-000000000001',
      ...info,
      text: TEXT,
      entities: [
        { entity: 'PER', score: 0.99, start: 0, end: 9, word: 'علی رضایی' },
        { entity: 'LOC', score: 0.98, start: 19, end: 24, word: 'شیراز' },
      ],
      tokens: [],
    } satisfies RunResponse,
  },
  'a0000000-0000-4000-8000-000000000002': {
    status: 422,
    body: { error: { code: 'MODEL_NOT_RUNNABLE', message: 'this model does not run here: the ONNX file does not load: …', details: [{ reasonCode: 'onnx-load-failed', reason: '…' }] } },
  },
  // Not the contract: entities without offsets.
  'a0000000-0000-4000-8000-000000000003': {
    status: 200,
    body: { pipeline: 'token-classification', modelId: 'x', ...info, text: TEXT, entities: [{ entity: 'PER', word: 'علی' }], tokens: [] },
  },
};
const received: { id: string; body: unknown }[] = [];

let api: Awaited<ReturnType<typeof startApiServer>>;
let base: string;

beforeAll(async () => {
  api = await startApiServer((req, body) => {
    const id = /^\/api\/models\/([^/]+)\/run$/.exec(req.url ?? '')?.[1] ?? '';
    const answer = req.method === 'POST' ? answers[id] : undefined;
    if (!answer) return null;
    received.push({ id, body: JSON.parse(body) });
    return answer;
  });
  base = api.base;
});
afterAll(() => api.close());

const runtime = (pipelines: string[]): Extract<ModelRuntime, { status: 'runnable' }> => ({
  status: 'runnable',
  pipelines: pipelines as never,
  variants: [{ variant: 'fp32', file: 'onnx/model.onnx', sizeBytes: 1000 }],
  defaultVariant: 'fp32',
  text: { persian: true, digits: 'latin', keepDiacritics: false },
  maskToken: null,
  hiddenSize: null,
  samplingRate: null,
  checkedAt: '2025-02-01T09:00:00.000Z',
});

function renderPanel(modelId: string, pipelines: string[]) {
  return renderWithApp(<TryPanel modelId={modelId} repoId="sokhan-lab/test" runtime={runtime(pipelines)} />, { services: makeServices(base) });
}

describe('TryPanel', () => {
  it('highlights the entities at the offsets the runtime answers, the request checked with the shared schema', async () => {
    const user = userEvent.setup();
    renderPanel('a0000000-0000-4000-8000-000000000001', ['token-classification']);
    await user.clear(screen.getByLabelText(fa.run.text));
    await user.type(screen.getByLabelText(fa.run.text), TEXT);
    await user.click(screen.getByRole('button', { name: fa.run.submit }));
    const marks = await screen.findAllByTestId('entity');
    expect(marks.map((m) => [m.dataset.entity, m.firstChild?.textContent])).toEqual([
      ['PER', 'علی رضایی'],
      ['LOC', 'شیراز'],
    ]);
    expect(screen.getByTestId('entity-text').textContent).toBe(`علی رضایی${fa.run.entities.types.PER} دیروز به شیراز${fa.run.entities.types.LOC} رفت`);
    // The schema's defaults went with it.
    expect(received.at(-1)).toEqual({ id: 'a0000000-0000-4000-8000-000000000001', body: { pipeline: 'token-classification', inputs: TEXT, ignoreLabels: ['O'], variant: 'fp32' } });
    // The result sits in the live region.
    expect(screen.getByTestId('run-result').getAttribute('aria-live')).toBe('polite');
  });

  it('says why a model does not run, in Persian and in English', async () => {
    const user = userEvent.setup();
    const { unmount } = renderPanel('a0000000-0000-4000-8000-000000000002', ['token-classification']);
    await user.click(screen.getByRole('button', { name: fa.run.submit }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(fa.errors.codes.MODEL_NOT_RUNNABLE);
    expect(alert.textContent).toContain(fa.run.reasons['onnx-load-failed']);
    unmount();
    window.localStorage.setItem(PREFS_KEY, JSON.stringify({ language: 'en' }));
    renderPanel('a0000000-0000-4000-8000-000000000002', ['token-classification']);
    await user.click(screen.getByRole('button', { name: en.run.submit }));
    expect((await screen.findByRole('alert')).textContent).toContain(en.run.reasons['onnx-load-failed']);
  });

  it('refuses an answer that is not the contract instead of drawing it', async () => {
    const user = userEvent.setup();
    renderPanel('a0000000-0000-4000-8000-000000000003', ['token-classification']);
    await user.click(screen.getByRole('button', { name: fa.run.submit }));
    expect((await screen.findByRole('alert')).textContent).toContain(fa.errors.unexpected);
    expect(screen.queryAllByTestId('entity')).toEqual([]);
  });

  it('checks the zero-shot form before sending: labels and the {} of the hypothesis', async () => {
    const user = userEvent.setup();
    renderPanel('a0000000-0000-4000-8000-000000000001', ['zero-shot-classification', 'text-classification']);
    const before = received.length;
    await user.clear(screen.getByLabelText(fa.run.zeroShot.labels));
    await user.type(screen.getByLabelText(fa.run.zeroShot.labels), ' ، ,');
    await user.clear(screen.getByLabelText(fa.run.zeroShot.template));
    await user.type(screen.getByLabelText(fa.run.zeroShot.template), 'این متن درباره است');
    await user.click(screen.getByRole('button', { name: fa.run.submit }));
    await screen.findByText(fa.run.zeroShot.needLabels);
    expect(screen.getByText(fa.run.zeroShot.needSlot)).toBeTruthy();
    expect(received.length).toBe(before);
    // Both pipelines are offered, zero-shot first.
    expect(screen.getByRole('button', { name: fa.run.pipelines['zero-shot-classification'] }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: fa.run.pipelines['text-classification'] }).getAttribute('aria-pressed')).toBe('false');
  });
});
