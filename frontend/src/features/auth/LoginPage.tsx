import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { loginBodySchema } from '@sokhan/common';
import { useAuth } from '../../app/auth';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { Field } from '../../components/Field';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui';
import { ApiError } from '../../lib/api';
import { serverFieldErrors, validateWith, type FieldErrors } from '../../lib/validation';
import { authApi } from './auth.api';
import { AuthLayout } from './AuthLayout';

export function LoginPage() {
  const { t } = useTranslation();
  const api = useApi();
  const format = useFormat();
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [values, setValues] = useState({ login: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const set = (key: keyof typeof values) => (e: ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [key]: e.target.value }));
    if (errors[key]) setErrors((er) => ({ ...er, [key]: '' }));
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const checked = validateWith(t, loginBodySchema, values, (n) => format.number(n));
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setBusy(true);
    try {
      const res = await authApi.login(api, checked.data);
      signIn(res);
      const from = (location.state as { from?: string } | null)?.from;
      void navigate(from && from !== '/login' ? from : '/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') setErrors(serverFieldErrors(t, err, (n) => format.number(n)));
      else setFormError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout title={t('auth.login.title')} subtitle={t('auth.login.subtitle')}>
      <form className="form" onSubmit={onSubmit} noValidate aria-label={t('auth.login.title')}>
        <ErrorNotice error={formError} />
        <Field label={t('auth.fields.login')} error={errors.login} hint={t('auth.hints.login')}>
          <input
            name="login"
            className="input"
            dir="ltr"
            autoComplete="username"
            value={values.login}
            onChange={set('login')}
            autoFocus
          />
        </Field>
        <Field label={t('auth.fields.password')} error={errors.password}>
          <input
            name="password"
            className="input"
            type="password"
            dir="ltr"
            autoComplete="current-password"
            value={values.password}
            onChange={set('password')}
          />
        </Field>
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          {t('auth.login.submit')}
        </Button>
        <p className="auth-switch">
          {t('auth.login.noAccount')} <Link to="/register">{t('auth.login.toRegister')}</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
