import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../components/ui';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="page">
      {/* The page's heading (focus lands on it after navigation); the empty state says it again, for sight. */}
      <h1 className="visually-hidden">{t('notFound.title')}</h1>
      <EmptyState title={t('notFound.title')}>
        <p>{t('notFound.body')}</p>
        <Link to="/" className="btn btn-primary">
          {t('notFound.home')}
        </Link>
      </EmptyState>
    </div>
  );
}
