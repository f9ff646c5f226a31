import { useTranslation } from 'react-i18next';
import { Badge, type Tone } from './ui';

const TONES: Record<string, Tone> = {
  queued: 'neutral',
  pending: 'neutral',
  running: 'accent',
  downloading: 'accent',
  paused: 'warning',
  pausing: 'warning',
  training: 'accent',
  completed: 'success',
  ready: 'success',
  failed: 'danger',
  cancelled: 'neutral',
  error: 'danger',
};

const KNOWN = ['queued', 'pending', 'running', 'downloading', 'training', 'pausing', 'paused', 'completed', 'ready', 'failed', 'cancelled', 'error'] as const;
type Known = (typeof KNOWN)[number];

/** Job, download and model states share one vocabulary in the locale files. */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const known = (KNOWN as readonly string[]).includes(status);
  return (
    <Badge tone={TONES[status] ?? 'neutral'}>
      {known ? t(`status.${status as Known}`) : t('status.unknown')}
    </Badge>
  );
}
