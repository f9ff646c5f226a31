import { useTranslation } from 'react-i18next';
import { useFormat } from '../../app/preferences';
import { StatusBadge } from '../../components/StatusBadge';

export function StatusCounts({ counts }: { counts: Record<string, number> }) {
  const { t } = useTranslation();
  const f = useFormat();
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return <p className="muted">{t('system.none')}</p>;
  return (
    <ul className="count-list">
      {entries.map(([status, n]) => (
        <li key={status}>
          <StatusBadge status={status} />
          <span className="count-value">{f.number(n)}</span>
        </li>
      ))}
    </ul>
  );
}
