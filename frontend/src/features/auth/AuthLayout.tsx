import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { usePreferences } from '../../app/preferences';
import { GlobeIcon, Logo } from '../../components/icons';

/** The signed-out frame: the product on one side, the form on the other (stacked on phones). */
export function AuthLayout({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  const { t } = useTranslation();
  const { prefs, update } = usePreferences();
  return (
    <div className="auth">
      <aside className="auth-hero">
        <div className="auth-hero-inner">
          <div className="brand brand-large">
            <Logo size={48} />
            <div>
              <div className="brand-name">{t('app.name')}</div>
              <div className="brand-tagline">{t('app.tagline')}</div>
            </div>
          </div>
          <p className="auth-pitch">{t('auth.pitch')}</p>
          <ul className="auth-points">
            <li>{t('auth.points.hub')}</li>
            <li>{t('auth.points.train')}</li>
            <li>{t('auth.points.browser')}</li>
            <li>{t('auth.points.speech')}</li>
          </ul>
        </div>
      </aside>
      <main className="auth-main" id="main">
        <div className="auth-toolbar">
          <button
            type="button"
            className="icon-btn"
            onClick={() => update({ language: prefs.language === 'fa' ? 'en' : 'fa' })}
            title={t('header.switchLanguage')}
            data-testid="language-switch"
          >
            <GlobeIcon />
            {/* The name is the visible word (voice control users say what they see); the title describes the action. */}
            <span className="icon-btn-text" lang={prefs.language === 'fa' ? 'en' : 'fa'}>
              {t('header.otherLanguage')}
            </span>
          </button>
        </div>
        <div className="auth-card">
          <h1 className="auth-title">{title}</h1>
          <p className="auth-subtitle">{subtitle}</p>
          {children}
        </div>
      </main>
    </div>
  );
}
