import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Preferences } from '@sokhan/common';
import { useAuth } from '../../app/auth';
import { usePreferences, useFormat } from '../../app/preferences';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { CheckIcon } from '../../components/icons';
import { Card, Ltr, PageHeader } from '../../components/ui';
import { ChangePasswordForm } from './ChangePasswordForm';
import { HubTokenCard } from './HubTokenCard';
import { useSettingsSync } from './use-settings-sync';

type PrefKey = 'language' | 'theme' | 'digits';

export function SettingsPage() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const f = useFormat();
  return (
    <div className="page">
      <PageHeader title={t('settings.title')} subtitle={t('settings.subtitle')} />
      <div className="grid grid-settings">
        <PreferencesCard />
        <HubTokenCard />
        <ChangePasswordForm />
        {user && (
          <Card title={t('settings.account.title')}>
            <dl className="facts">
              <dt>{t('auth.fields.email')}</dt>
              <dd>
                <Ltr>{user.email}</Ltr>
              </dd>
              <dt>{t('auth.fields.username')}</dt>
              <dd>
                <Ltr>{user.username}</Ltr>
              </dd>
              <dt>{t('settings.account.role')}</dt>
              <dd>{t(`settings.account.roles.${user.role}`)}</dd>
              <dt>{t('settings.account.since')}</dt>
              <dd>{f.date(user.createdAt, 'date')}</dd>
            </dl>
          </Card>
        )}
      </div>
    </div>
  );
}

function PreferencesCard() {
  const { t } = useTranslation();
  const { prefs } = usePreferences();
  const save = useSettingsSync();
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const choose = async (patch: Partial<Preferences>) => {
    setError(null);
    setSaved(false);
    try {
      await save(patch);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };

  // Every option spelled out so each label is a checked key of the locale files.
  const options: Record<PrefKey, Array<[string, string]>> = {
    language: [
      ['fa', t('settings.preferences.language.fa')],
      ['en', t('settings.preferences.language.en')],
    ],
    theme: [
      ['system', t('settings.preferences.theme.system')],
      ['light', t('settings.preferences.theme.light')],
      ['dark', t('settings.preferences.theme.dark')],
    ],
    digits: [
      ['persian', t('settings.preferences.digits.persian')],
      ['latin', t('settings.preferences.digits.latin')],
    ],
  };

  const group = (key: PrefKey) => (
    <fieldset className="segmented-field">
      <legend className="field-label">{t(`settings.preferences.${key}.label`)}</legend>
      <div className="segmented">
        {options[key].map(([option, label]) => {
          const id = `pref-${key}-${option}`;
          return (
            <span key={option} className="segmented-item">
              <input
                type="radio"
                id={id}
                name={`pref-${key}`}
                value={option}
                checked={prefs[key] === option}
                onChange={() => void choose({ [key]: option } as Partial<Preferences>)}
              />
              <label htmlFor={id}>{label}</label>
            </span>
          );
        })}
      </div>
    </fieldset>
  );

  return (
    <Card title={t('settings.preferences.title')}>
      <div className="form">
        {group('language')}
        {group('theme')}
        {group('digits')}
        <ErrorNotice error={error} />
        {saved && (
          <Notice tone="success" icon={<CheckIcon />}>
            {t('settings.preferences.saved')}
          </Notice>
        )}
      </div>
    </Card>
  );
}
