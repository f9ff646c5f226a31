import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { AuthResponse, PublicUser } from '@sokhan/common';
import { ApiError } from '../lib/api';
import { authApi } from '../features/auth/auth.api';
import { useServices } from './services';

export type AuthStatus = 'loading' | 'signed-in' | 'signed-out' | 'unreachable';

interface AuthValue {
  status: AuthStatus;
  user: PublicUser | null;
  token: string | null;
  signIn: (response: AuthResponse) => void;
  signOut: () => void;
  retry: () => void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const { api, tokens } = useServices();
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(() => tokens.get());
  const [user, setUser] = useState<PublicUser | null>(null);
  const [status, setStatus] = useState<AuthStatus>(() => (tokens.get() ? 'loading' : 'signed-out'));
  const [attempt, setAttempt] = useState(0);

  // The token store is the source of truth: a 401 anywhere clears it and this follows.
  useEffect(
    () =>
      tokens.subscribe((next) => {
        setToken(next);
        if (next === null) {
          setUser(null);
          setStatus('signed-out');
          queryClient.clear();
        }
      }),
    [tokens, queryClient],
  );

  // A stored token is checked once at start (and on retry after the server was unreachable).
  useEffect(() => {
    if (!token || user) return;
    let cancelled = false;
    authApi
      .me(api)
      .then((res) => {
        if (cancelled) return;
        setUser(res.user);
        setStatus('signed-in');
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        if (err instanceof ApiError && err.status === 401) tokens.set(null);
        else setStatus('unreachable');
      });
    return () => {
      cancelled = true;
    };
  }, [api, tokens, token, user, attempt]);

  const signIn = useCallback(
    (response: AuthResponse) => {
      queryClient.clear();
      setUser(response.user);
      setStatus('signed-in');
      tokens.set(response.token);
    },
    [tokens, queryClient],
  );
  const signOut = useCallback(() => tokens.set(null), [tokens]);
  const retry = useCallback(() => {
    setStatus('loading');
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ status, user, token, signIn, signOut, retry }), [status, user, token, signIn, signOut, retry]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
