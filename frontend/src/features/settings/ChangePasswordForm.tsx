import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { changePasswordBodySchema } from '@sokhan/common';
import { useAuth } from '../../app/auth';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { Field } from '../../components/Field';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { CheckIcon } from '../../components/icons';
import { Button, Card } from '../../components/ui';
import { ApiError } from '../../lib/api';
import { serverFieldErrors, validateWith, type FieldErrors } from '../../lib/validation';
import { authApi } from '../auth/auth.api';

const EMPTY = { currentPassword: '', newPassword: '', confirm: '' };

export function ChangePasswordForm() {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const { signIn } = useAuth();
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const num = (n: number) => f.number(n);

  const set = (key: keyof typeof EMPTY) => (e: ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [key]: e.target.value }));
    setErrors((er) => ({ ...er, [key]: '' }));
    setDone(false);
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const { confirm, ...body } = values;
    const checked = validateWith(t, changePasswordBodySchema, body, num);
    const found: FieldErrors = checked.ok ? {} : { ...checked.errors };
    if (confirm !== values.newPassword) found.confirm = t('validation.passwordMismatch');
    if (!checked.ok || found.confirm) {
      setErrors(found);
      return;
    }
    setBusy(true);
    try {
      // The server revokes older tokens; the answer carries the new one, so this tab stays signed in.
      signIn(await authApi.changePassword(api, checked.data));
      setValues(EMPTY);
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'INVALID_CREDENTIALS') setErrors({ currentPassword: t('settings.password.wrongCurrent') });
      else if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') setErrors(serverFieldErrors(t, err, num));
      else setFormError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('settings.password.title')}>
      <form className="form" onSubmit={onSubmit} noValidate>
        <ErrorNotice error={formError} />
        <Field label={t('settings.password.current')} error={errors.currentPassword}>
          <input className="input" type="password" dir="ltr" autoComplete="current-password" value={values.currentPassword} onChange={set('currentPassword')} />
        </Field>
        <Field label={t('settings.password.new')} error={errors.newPassword}>
          <input className="input" type="password" dir="ltr" autoComplete="new-password" value={values.newPassword} onChange={set('newPassword')} />
        </Field>
        <Field label={t('auth.fields.confirm')} error={errors.confirm}>
          <input className="input" type="password" dir="ltr" autoComplete="new-password" value={values.confirm} onChange={set('confirm')} />
        </Field>
        {done && (
          <Notice tone="success" icon={<CheckIcon />}>
            {t('settings.password.changed')}
          </Notice>
        )}
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy}>
            {t('settings.password.submit')}
          </Button>
        </div>
      </form>
    </Card>
  );
}
