import { afterEach } from 'vitest';
import { cleanup, render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { AppProviders } from '../app/App';
import type { Services } from '../app/services';
import { createApiClient } from '../lib/api';
import { createSocket } from '../lib/socket';
import { createTokenStore } from '../lib/token-store';

// vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

export function makeServices(baseUrl = ''): Services {
  const storage = window.localStorage;
  const tokens = createTokenStore(storage);
  return { storage, tokens, api: createApiClient({ tokens, baseUrl }), connectSocket: createSocket };
}

export function renderWithApp(ui: ReactNode, opts: { services?: Services; path?: string } = {}): RenderResult & { services: Services } {
  const services = opts.services ?? makeServices();
  const result = render(
    <AppProviders services={services}>
      <MemoryRouter initialEntries={[opts.path ?? '/']}>{ui}</MemoryRouter>
    </AppProviders>,
  );
  return { ...result, services };
}
