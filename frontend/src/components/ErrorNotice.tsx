import { useTranslation } from 'react-i18next';
import type { ReactNode } from 'react';
import { describeError } from '../lib/errors';
import { AlertIcon } from './icons';
import { Ltr } from './ui';

/** An error in words, with the request id for support when the server gave one. */
export function ErrorNotice({ error, action, title }: { error: unknown; action?: ReactNode; title?: ReactNode }) {
  const { t } = useTranslation();
  if (!error) return null;
  const described = describeError(t, error);
  return (
    <div className="notice notice-danger" role="alert">
      <AlertIcon className="notice-icon" />
      <div className="notice-body">
        {title && <strong className="notice-title">{title}</strong>}
        <p>{described.message}</p>
        {described.requestId && (
          <p className="notice-meta">
            {t('errors.requestId')} <Ltr>{described.requestId}</Ltr>
          </p>
        )}
        {action}
      </div>
    </div>
  );
}

export function Notice({ tone = 'info', children, icon }: { tone?: 'info' | 'warning' | 'success' | 'danger'; children: ReactNode; icon?: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'danger' ? 'alert' : 'status'}>
      {icon && <span className="notice-icon">{icon}</span>}
      <div className="notice-body">{children}</div>
    </div>
  );
}
