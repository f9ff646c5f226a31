import { useState, type ReactNode } from 'react';
import { BrowserRouter } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { I18nextProvider } from 'react-i18next';
import { ApiError } from '../lib/api';
import { createI18n } from './i18n';
import { AuthProvider } from './auth';
import { PreferencesProvider, readLocalPreferences } from './preferences';
import { AppRoutes } from './routes';
import { ServicesProvider, type Services } from './services';
import { SocketProvider } from './socket-context';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Client errors will not change on retry; network and 5xx get two more tries.
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
        refetchOnWindowFocus: true,
        staleTime: 5_000,
      },
      mutations: { retry: false },
    },
  });
}

export function AppProviders({ services, children }: { services: Services; children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [i18n] = useState(() => createI18n(readLocalPreferences(services.storage).language));
  return (
    <ServicesProvider services={services}>
      <QueryClientProvider client={queryClient}>
        <I18nextProvider i18n={i18n}>
          <PreferencesProvider storage={services.storage}>
            <AuthProvider>
              <SocketProvider>{children}</SocketProvider>
            </AuthProvider>
          </PreferencesProvider>
        </I18nextProvider>
      </QueryClientProvider>
    </ServicesProvider>
  );
}

export function App({ services }: { services: Services }) {
  return (
    <AppProviders services={services}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </AppProviders>
  );
}
