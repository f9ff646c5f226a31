import { useCallback, useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Preferences, SettingsResponse } from '@sokhan/common';
import { useAuth } from '../../app/auth';
import { usePreferences } from '../../app/preferences';
import { useApi } from '../../app/services';
import { settingsApi, settingsKeys } from './settings.api';

export function useSettings() {
  const api = useApi();
  const { status } = useAuth();
  return useQuery({
    queryKey: settingsKeys.all,
    queryFn: () => settingsApi.get(api),
    enabled: status === 'signed-in',
    staleTime: 60_000,
  });
}

/** After sign-in the server's preferences win over this browser's: the user's choice follows them. */
export function useServerPreferences(): void {
  const { data } = useSettings();
  const { update } = usePreferences();
  useEffect(() => {
    if (data) update(data.preferences);
  }, [data, update]);
}

/** Applies a preference at once, then stores it on the server when signed in (the header and settings use it). */
export function useSettingsSync(): (patch: Partial<Preferences>) => Promise<SettingsResponse | null> {
  const api = useApi();
  const { status } = useAuth();
  const { update } = usePreferences();
  const queryClient = useQueryClient();
  return useCallback(
    async (patch) => {
      update(patch);
      if (status !== 'signed-in') return null;
      const saved = await settingsApi.save(api, patch);
      queryClient.setQueryData(settingsKeys.all, saved);
      return saved;
    },
    [api, status, update, queryClient],
  );
}
