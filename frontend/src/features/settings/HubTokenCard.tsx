import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { HubTokenState, SettingsResponse } from '@sokhan/common';
import { useApi } from '../../app/services';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { CheckIcon, KeyIcon } from '../../components/icons';
import { Badge, Button, Card, Ltr } from '../../components/ui';
import { describeError } from '../../lib/errors';
import { settingsApi, settingsKeys, type TokenValidation } from './settings.api';
import { useSettings } from './use-settings-sync';

/** Hub tokens are printable ASCII without spaces (hf_…); a pasted sentence is refused before a round trip. */
export function looksLikeHubToken(value: string): boolean {
  return /^[\x21-\x7e]{8,512}$/.test(value.trim());
}

export function HubTokenCard() {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const settings = useSettings();
  const [token, setToken] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [validation, setValidation] = useState<TokenValidation | null>(null);

  const state: HubTokenState | undefined = settings.data?.huggingface;
  const storeState = (next: HubTokenState) =>
    queryClient.setQueryData<SettingsResponse>(settingsKeys.all, (old) => (old ? { ...old, huggingface: next } : old));

  const validate = useMutation({
    mutationFn: (value?: string) => settingsApi.validateToken(api, value),
    onSuccess: (res) => setValidation(res),
  });
  const save = useMutation({
    mutationFn: (value: string) => settingsApi.saveToken(api, value),
    onSuccess: (res) => {
      storeState(res);
      setToken('');
      setValidation(null);
    },
  });
  const remove = useMutation({
    mutationFn: () => settingsApi.removeToken(api),
    onSuccess: (res) => {
      storeState(res);
      setValidation(null);
    },
  });

  const checkInput = (): string | null => {
    const value = token.trim();
    if (!value) {
      setFieldError(t('validation.required'));
      return null;
    }
    if (!looksLikeHubToken(value)) {
      setFieldError(t('settings.hub.badFormat'));
      return null;
    }
    setFieldError('');
    return value;
  };

  const onSave = (e: FormEvent) => {
    e.preventDefault();
    const value = checkInput();
    if (value) save.mutate(value);
  };
  const onValidate = () => {
    const value = checkInput();
    if (value) validate.mutate(value);
  };

  const error = save.error ?? remove.error ?? validate.error;
  const tokenError =
    save.error && describeError(t, save.error).code === 'INVALID_TOKEN' ? t('errors.codes.INVALID_TOKEN') : fieldError;

  return (
    <Card title={t('settings.hub.title')} actions={<KeyIcon />} className="hub-token-card">
      <p className="muted">{t('settings.hub.explain')}</p>
      {state && (
        <div className="token-state" data-testid="token-state">
          {state.hasToken ? (
            <>
              <Badge tone="success">{t('settings.hub.saved')}</Badge>
              {state.tokenPreview && <Ltr className="mono">{state.tokenPreview}</Ltr>}
              {state.username && (
                <span>
                  {t('settings.hub.as')} <Ltr>{state.username}</Ltr>
                </span>
              )}
            </>
          ) : (
            <Badge>{t('settings.hub.none')}</Badge>
          )}
        </div>
      )}
      <form className="form" onSubmit={onSave} noValidate>
        <Field label={t('settings.hub.token')} error={tokenError || undefined} hint={t('settings.hub.hint')}>
          <input
            className="input mono"
            type="password"
            dir="ltr"
            autoComplete="off"
            spellCheck={false}
            name="hf-token"
            value={token}
            onChange={(e) => {
              setToken(e.target.value);
              setFieldError('');
              setValidation(null);
            }}
          />
        </Field>
        {/* One message at a time: a refused save already says the token is not valid, beside the field. */}
        {validation && !tokenError && (
          <Notice tone={validation.valid ? 'success' : 'warning'} icon={validation.valid ? <CheckIcon /> : undefined}>
            {validation.valid ? (
              <span data-testid="token-valid">
                {t('settings.hub.valid')} {validation.username && <Ltr>{validation.username}</Ltr>}
              </span>
            ) : (
              t('errors.codes.INVALID_TOKEN')
            )}
          </Notice>
        )}
        {error && !(tokenError && save.error) ? <ErrorNotice error={error} /> : null}
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={save.isPending}>
            {t('settings.hub.save')}
          </Button>
          <Button onClick={onValidate} busy={validate.isPending && validate.variables !== undefined}>
            {t('settings.hub.validate')}
          </Button>
          {state?.hasToken && (
            <>
              <Button variant="ghost" onClick={() => validate.mutate(undefined)} busy={validate.isPending && validate.variables === undefined}>
                {t('settings.hub.validateStored')}
              </Button>
              <ConfirmButton question={t('settings.hub.removeQuestion')} onConfirm={() => remove.mutate()} busy={remove.isPending}>
                {t('settings.hub.remove')}
              </ConfirmButton>
            </>
          )}
        </div>
      </form>
    </Card>
  );
}
