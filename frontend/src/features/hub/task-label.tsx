import { useTranslation } from 'react-i18next';
import { HUB_TASKS } from '@sokhan/common';
import { Ltr } from '../../components/ui';

type KnownTask = (typeof HUB_TASKS)[number];

export function isKnownTask(tag: string | null | undefined): tag is KnownTask {
  return !!tag && (HUB_TASKS as readonly string[]).includes(tag);
}

/** A pipeline tag in words; an unknown tag is shown as the Latin id it is. */
export function TaskLabel({ tag }: { tag: string | null | undefined }) {
  const { t } = useTranslation();
  if (!tag) return <>{t('hub.noTask')}</>;
  return isKnownTask(tag) ? <>{t(`hub.tasks.${tag}`)}</> : <Ltr>{tag}</Ltr>;
}
