import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { matchPath } from 'react-router';
import type { HubSearchItem } from '@sokhan/common';
import { renderWithApp } from '../../test/harness';
import { MODEL_ROUTES, repoIdOf, repoPath } from './hub.api';
import { ModelCard } from './ModelCard';

function routeRepoId(url: string): string | null {
  for (const pattern of MODEL_ROUTES) {
    const m = matchPath(pattern, url);
    if (m) return repoIdOf(m.params);
  }
  return null;
}

const item = (id: string): HubSearchItem => ({
  id,
  author: null,
  pipelineTag: 'text-generation',
  libraryName: null,
  downloads: 1,
  likes: 1,
  tags: [],
  license: null,
  lastModified: null,
  gated: false,
  private: false,
  sizeBytes: null,
  installed: false,
});

describe('model page routes', () => {
  it('open owner/name and one-part ids alike, and the links lead back to them', () => {
    for (const id of ['google-bert/bert-base-uncased', 'gpt2', 'bert-base-uncased']) {
      expect(routeRepoId(`/hub/${repoPath(id)}`)).toBe(id);
    }
    expect(routeRepoId('/hub/a/b/c')).toBeNull();
  });

  it('shows a one-part id on its card without an owner part', () => {
    renderWithApp(<ModelCard item={item('gpt2')} />);
    const link = screen.getByRole('link');
    expect(link.textContent).toBe('gpt2');
    expect(link.getAttribute('href')).toBe('/hub/gpt2');
  });
});
