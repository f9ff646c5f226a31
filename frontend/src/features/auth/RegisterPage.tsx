import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { PASSWORD_MIN, registerBodySchema } from '@sokhan/common';
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

type Values = { email: string; username: string; password: string; confirm: string };

export function RegisterPage() {
  const { t } = useTranslation();
  const api = useApi();
  const format = useFormat();
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [values, setValues] = useState<Values>({ email: '', username: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [touched, setTouched] = useState<Partial<Record<keyof Values, boolean>>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const num = (n: number) => format.number(n);

  const check = (v: Values): FieldErrors => {
    const { confirm, ...body } = v;
    const result = validateWith(t, registerBodySchema, body, num);
    const out: FieldErrors = result.ok ? {} : { ...result.errors };
    if (confirm !== v.password) out.confirm = t('validation.passwordMismatch');
    return out;
  };

  const set = (key: keyof Values) => (e: ChangeEvent<HTMLInputElement>) => {
    const next = { ...values, [key]: e.target.value };
    setValues(next);
    // Validate as the user types once the field has been left once; no red text while typing the first time.
    if (touched[key] || errors[key]) {
      const found = check(next);
      setErrors((er) => ({ ...er, [key]: found[key] ?? '' }));
    }
  };
  const blur = (key: keyof Values) => () => {
    setTouched((tc) => ({ ...tc, [key]: true }));
    const found = check(values);
    setErrors((er) => ({ ...er, [key]: values[key] ? (found[key] ?? '') : (er[key] ?? '') }));
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const found = check(values);
    if (Object.values(found).some(Boolean)) {
      setErrors(found);
      setTouched({ email: true, username: true, password: true, confirm: true });
      return;
    }
    const parsed = registerBodySchema.parse({ email: values.email, username: values.username, password: values.password });
    setBusy(true);
    try {
      const res = await authApi.register(api, parsed);
      signIn(res);
      void navigate('/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'EMAIL_TAKEN') setErrors({ email: t('errors.codes.EMAIL_TAKEN') });
      else if (err instanceof ApiError && err.code === 'USERNAME_TAKEN') setErrors({ username: t('errors.codes.USERNAME_TAKEN') });
      else if (err instanceof ApiError && err.code === 'PASSWORD_TOO_LONG') setErrors({ password: t('errors.codes.PASSWORD_TOO_LONG') });
      else if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') setErrors(serverFieldErrors(t, err, num));
      else setFormError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout title={t('auth.register.title')} subtitle={t('auth.register.subtitle')}>
      <form className="form" onSubmit={onSubmit} noValidate aria-label={t('auth.register.title')}>
        <ErrorNotice error={formError} />
        <Field label={t('auth.fields.email')} error={errors.email}>
          <input
            name="email"
            className="input"
            type="email"
            dir="ltr"
            autoComplete="email"
            value={values.email}
            onChange={set('email')}
            onBlur={blur('email')}
            autoFocus
          />
        </Field>
        <Field label={t('auth.fields.username')} error={errors.username} hint={t('auth.hints.username')}>
          <input
            name="username"
            className="input"
            dir="ltr"
            autoComplete="username"
            value={values.username}
            onChange={set('username')}
            onBlur={blur('username')}
          />
        </Field>
        <Field label={t('auth.fields.password')} error={errors.password} hint={t('auth.hints.password', { min: num(PASSWORD_MIN) })}>
          <input
            name="password"
            className="input"
            type="password"
            dir="ltr"
            autoComplete="new-password"
            value={values.password}
            onChange={set('password')}
            onBlur={blur('password')}
          />
        </Field>
        <Field label={t('auth.fields.confirm')} error={errors.confirm}>
          <input
            name="confirm"
            className="input"
            type="password"
            dir="ltr"
            autoComplete="new-password"
            value={values.confirm}
            onChange={set('confirm')}
            onBlur={blur('confirm')}
          />
        </Field>
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          {t('auth.register.submit')}
        </Button>
        <p className="auth-switch">
          {t('auth.register.haveAccount')} <Link to="/login">{t('auth.register.toLogin')}</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
