import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Button, Loading } from '../components/ui';
import { Notice } from '../components/ErrorNotice';
import { useAuth } from './auth';

function Unreachable() {
  const { t } = useTranslation();
  const { retry } = useAuth();
  return (
    <div className="center-screen">
      <Notice tone="warning">
        <p>{t('errors.serverUnreachable')}</p>
        <Button variant="primary" onClick={retry}>
          {t('common.retry')}
        </Button>
      </Notice>
    </div>
  );
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'loading') {
    return (
      <div className="center-screen">
        <Loading />
      </div>
    );
  }
  if (status === 'unreachable') return <Unreachable />;
  if (status === 'signed-out') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

export function GuestOnly({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  if (status === 'signed-in') return <Navigate to="/" replace />;
  if (status === 'loading') {
    return (
      <div className="center-screen">
        <Loading />
      </div>
    );
  }
  return <>{children}</>;
}
