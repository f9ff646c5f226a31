import { describe, expect, it } from 'vitest';
import { createDownloadBodySchema, isValidRepoId } from './hub.js';

describe('repo ids', () => {
  it('takes owner/name and the one-part ids the Hub still serves', () => {
    for (const ok of ['google-bert/bert-base-uncased', 'bert-base-uncased', 'gpt2', 't5-small', 'espnet/kan-bayashi_ljspeech_vits', 'a.b/c_d']) {
      expect(isValidRepoId(ok)).toBe(true);
    }
    expect(createDownloadBodySchema.parse({ repoId: ' gpt2 ' }).repoId).toBe('gpt2');
  });

  it('refuses anything else', () => {
    for (const bad of ['', '/', 'a/', '/a', 'a/b/c', '..', 'a..b', '.a', 'a-', '_legacy', '../etc', 'a b', 'x'.repeat(97)]) {
      expect(isValidRepoId(bad)).toBe(false);
    }
  });
});
