import { createContext, useContext, type ReactNode } from 'react';
import type { ApiClient } from '../lib/api';
import type { TokenStore } from '../lib/token-store';
import type { AppSocket, SocketOptions } from '../lib/socket';

/** The app's outside-world parts, built once in main.tsx and passed down (tests build their own). */
export interface Services {
  api: ApiClient;
  tokens: TokenStore;
  connectSocket: (opts: SocketOptions) => AppSocket;
  storage: Storage | null;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const value = useContext(ServicesContext);
  if (!value) throw new Error('useServices outside ServicesProvider');
  return value;
}

export function useApi(): ApiClient {
  return useServices().api;
}
