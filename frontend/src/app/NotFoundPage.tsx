import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../components/ui';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <EmptyState title={t('notFound.title')}>
        <p>{t('notFound.body')}</p>
        <Link to="/" className="btn btn-primary">
          {t('notFound.home')}
        </Link>
      </EmptyState>
    </div>
  );
}
