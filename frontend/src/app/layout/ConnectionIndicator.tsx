import { useTranslation } from 'react-i18next';
import { useConnection } from '../socket-context';

/** The socket's state as a dot and a word; screen readers hear changes politely. */
export function ConnectionIndicator() {
  const { t } = useTranslation();
  const { state } = useConnection();
  return (
    <div className={`conn conn-${state}`} role="status" aria-live="polite" data-state={state} title={t(`connection.hint.${state}`)}>
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-label">{t(`connection.${state}`)}</span>
    </div>
  );
}
