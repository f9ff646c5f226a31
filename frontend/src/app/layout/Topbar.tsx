import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';
import { usePreferences } from '../preferences';
import { useSettingsSync } from '../../features/settings/use-settings-sync';
import { GlobeIcon, LogoutIcon, MenuIcon, MoonIcon, SunIcon } from '../../components/icons';
import { Ltr } from '../../components/ui';
import { ConnectionIndicator } from './ConnectionIndicator';

export function Topbar({ menuOpen, onMenu }: { menuOpen: boolean; onMenu: () => void }) {
  const { t } = useTranslation();
  const { user, signOut } = useAuth();
  const { prefs } = usePreferences();
  const save = useSettingsSync();
  const dark = prefs.theme === 'dark' || (prefs.theme === 'system' && matchesDark());
  return (
    <header className="topbar">
      <button
        type="button"
        className="icon-btn menu-btn"
        onClick={onMenu}
        aria-expanded={menuOpen}
        aria-controls="app-sidebar"
        aria-label={t('nav.toggle')}
      >
        <MenuIcon />
      </button>
      <ConnectionIndicator />
      <div className="topbar-spacer" />
      <button
        type="button"
        className="icon-btn"
        onClick={() => void save({ language: prefs.language === 'fa' ? 'en' : 'fa' }).catch(() => undefined)}
        title={t('header.switchLanguage')}
        data-testid="language-switch"
      >
        <GlobeIcon />
        {/* The name is the visible word (voice control users say what they see); the title describes the action. */}
        <span className="icon-btn-text" lang={prefs.language === 'fa' ? 'en' : 'fa'}>
          {t('header.otherLanguage')}
        </span>
      </button>
      <button
        type="button"
        className="icon-btn"
        onClick={() => void save({ theme: dark ? 'light' : 'dark' }).catch(() => undefined)}
        aria-label={dark ? t('header.lightTheme') : t('header.darkTheme')}
        title={dark ? t('header.lightTheme') : t('header.darkTheme')}
      >
        {dark ? <SunIcon /> : <MoonIcon />}
      </button>
      {user && (
        <div className="user-chip">
          <span className="avatar" aria-hidden="true">
            {user.username.slice(0, 1).toUpperCase()}
          </span>
          <Ltr className="user-name">{user.username}</Ltr>
        </div>
      )}
      <button type="button" className="icon-btn" onClick={signOut} aria-label={t('header.signOut')} title={t('header.signOut')}>
        <LogoutIcon />
      </button>
    </header>
  );
}

function matchesDark(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}
