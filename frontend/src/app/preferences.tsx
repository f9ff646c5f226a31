import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Preferences } from '@sokhan/common';
import { createFormatter, type Digits, type Formatter, type Lang } from '../lib/format';
import { applyDocumentLanguage } from './i18n';

export type Theme = 'light' | 'dark' | 'system';

export interface LocalPreferences {
  language: Lang;
  theme: Theme;
  digits: Digits;
}

export const PREFS_KEY = 'sokhan.preferences';
export const DEFAULT_PREFERENCES: LocalPreferences = { language: 'fa', theme: 'system', digits: 'persian' };

export function readLocalPreferences(storage: Storage | null): LocalPreferences {
  try {
    const raw = storage?.getItem(PREFS_KEY);
    if (!raw) return DEFAULT_PREFERENCES;
    return mergePreferences(DEFAULT_PREFERENCES, JSON.parse(raw) as Preferences);
  } catch {
    return DEFAULT_PREFERENCES;
  }
}

/** Only known values pass: a stale or hand-edited entry cannot put the UI in an unknown state. */
export function mergePreferences(base: LocalPreferences, patch: Partial<Preferences> | null | undefined): LocalPreferences {
  if (!patch) return base;
  return {
    language: patch.language === 'fa' || patch.language === 'en' ? patch.language : base.language,
    theme: patch.theme === 'light' || patch.theme === 'dark' || patch.theme === 'system' ? patch.theme : base.theme,
    digits: patch.digits === 'persian' || patch.digits === 'latin' ? patch.digits : base.digits,
  };
}

interface PreferencesValue {
  prefs: LocalPreferences;
  update: (patch: Partial<Preferences>) => void;
  format: Formatter;
}

const PreferencesContext = createContext<PreferencesValue | null>(null);

export function PreferencesProvider({ storage, children }: { storage: Storage | null; children: ReactNode }) {
  const { i18n, t } = useTranslation();
  const [prefs, setPrefs] = useState<LocalPreferences>(() => readLocalPreferences(storage));

  const update = useCallback(
    (patch: Partial<Preferences>) => {
      setPrefs((current) => {
        const next = mergePreferences(current, patch);
        try {
          storage?.setItem(PREFS_KEY, JSON.stringify(next));
        } catch {
          // Storage may be unavailable; the preference still applies to this tab.
        }
        return next;
      });
    },
    [storage],
  );

  useEffect(() => {
    if (i18n.language !== prefs.language) void i18n.changeLanguage(prefs.language);
    applyDocumentLanguage(document, prefs.language, t('app.title'));
  }, [prefs.language, i18n, t]);

  useEffect(() => {
    const root = document.documentElement;
    if (prefs.theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', prefs.theme);
  }, [prefs.theme]);

  const format = useMemo(() => createFormatter({ lang: prefs.language, digits: prefs.digits }), [prefs.language, prefs.digits]);
  const value = useMemo(() => ({ prefs, update, format }), [prefs, update, format]);
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

export function usePreferences(): PreferencesValue {
  const value = useContext(PreferencesContext);
  if (!value) throw new Error('usePreferences outside PreferencesProvider');
  return value;
}

export function useFormat(): Formatter {
  return usePreferences().format;
}
