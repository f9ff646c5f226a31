import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import type { ModelRuntime } from '@sokhan/common';
import { PREFS_KEY } from '../../app/preferences';
import en from '../../locales/en.json';
import fa from '../../locales/fa.json';
import { renderWithApp } from '../../test/harness';
import { RuntimeStatus } from './RuntimeStatus';

const runnable: ModelRuntime = {
  status: 'runnable',
  pipelines: ['zero-shot-classification', 'text-classification'],
  variants: [
    { variant: 'fp32', file: 'onnx/model.onnx', sizeBytes: 167_555 },
    { variant: 'q8', file: 'onnx/model_quantized.onnx', sizeBytes: 128_505 },
  ],
  defaultVariant: 'fp32',
  text: { persian: true, digits: 'latin', keepDiacritics: false },
  maskToken: null,
  hiddenSize: null,
  samplingRate: null,
  checkedAt: '2025-02-01T09:00:00.000Z',
};
const pytorch: ModelRuntime = { status: 'unsupported', reasonCode: 'pytorch-only', reason: 'weights are PyTorch only: no onnx/ folder', checkedAt: '2025-02-01T09:00:00.000Z' };

describe('RuntimeStatus', () => {
  it('says «runs here» with the pipelines, and the ONNX files when detailed', () => {
    renderWithApp(<RuntimeStatus runtime={runnable} detailed />);
    const status = screen.getByTestId('runtime-status');
    expect(status.dataset.status).toBe('runnable');
    expect(status.textContent).toContain(fa.run.status.runnable);
    expect([...status.querySelectorAll('[data-pipeline]')].map((li) => li.textContent)).toEqual([
      fa.run.pipelines['zero-shot-classification'],
      fa.run.pipelines['text-classification'],
    ]);
    expect(status.textContent).toContain('onnx/model_quantized.onnx');
  });

  it('says why not in Persian, with the server’s reason in English beside it', () => {
    renderWithApp(<RuntimeStatus runtime={pytorch} />);
    const status = screen.getByTestId('runtime-status');
    expect(status.dataset.reason).toBe('pytorch-only');
    expect(status.textContent).toContain(fa.run.status.unsupported);
    expect(status.textContent).toContain(fa.run.reasons['pytorch-only']);
    const reason = screen.getByTestId('runtime-reason');
    expect(reason.textContent).toBe('weights are PyTorch only: no onnx/ folder');
    expect(reason.getAttribute('lang')).toBe('en');
  });

  it('speaks English when the user chose it', () => {
    window.localStorage.setItem(PREFS_KEY, JSON.stringify({ language: 'en' }));
    renderWithApp(<RuntimeStatus runtime={pytorch} />);
    expect(screen.getByTestId('runtime-status').textContent).toContain(en.run.reasons['pytorch-only']);
  });

  it('sends a Piper voice to the speech page instead of calling it a failure', () => {
    renderWithApp(<RuntimeStatus runtime={{ ...pytorch, reasonCode: 'piper-voice', reason: 'a Piper voice (x.onnx): it speaks on the speech page' }} />);
    expect(screen.getByRole('link', { name: fa.run.toSpeech }).getAttribute('href')).toBe('/speech');
    expect(screen.queryByText(fa.run.status.unsupported)).toBeNull();
  });
});
