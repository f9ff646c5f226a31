// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
// The same literals are checked by parity.node.test.ts and parity.jsdom.test.ts.
import fixture from './fixtures/parity.json' with { type: 'json' };
import { deserializeFeatures, fitFeatureExtractor, serializeFeatures, transformRow } from './index.js';
import type { FeatureSpec, FittedFeatures } from './index.js';

function pinnedForm(fitted: FittedFeatures): { dim: number; indices: number[]; values: number[] } {
  const v = transformRow(fitted, fixture.probe);
  const indices: number[] = [];
  const values: number[] = [];
  v.forEach((x, i) => {
    if (x !== 0) {
      indices.push(i);
      values.push(Math.round(x * 1e6) / 1e6);
    }
  });
  return { dim: v.length, indices, values };
}

describe('a browser-like run (jsdom) gives the pinned feature vector', () => {
  it('really runs in a browser-like environment (jsdom)', () => {
    expect(typeof window).toBe('object');
    expect(typeof document.createElement).toBe('function');
    expect(navigator.userAgent).toMatch(/jsdom/);
  });

  const fitted = fitFeatureExtractor(fixture.rows, fixture.spec as FeatureSpec);

  it('fitting on the fixture rows and transforming the probe gives the pinned positions and values', () => {
    expect(pinnedForm(fitted)).toEqual(fixture.expected);
  });

  it('so does the fit after a trip through features.json (what the browser loads)', () => {
    const loaded = deserializeFeatures(JSON.stringify(serializeFeatures(fitted)));
    expect(pinnedForm(loaded)).toEqual(fixture.expected);
  });
});
