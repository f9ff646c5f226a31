import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/services';
import { ErrorNotice } from '../../components/ErrorNotice';
import { DownloadIcon } from '../../components/icons';
import { Button } from '../../components/ui';
import { modelsApi } from './models.api';

/** Hands a downloaded file to the browser's downloads, under its name. */
function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Released once the browser has taken the file (revoking at once can cancel the download in some browsers).
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Downloads the model as one .zip. The API wants the bearer token, which a plain link cannot send, so the file
 * is fetched and then saved.
 */
export function ExportModelButton({ modelId, size = 'md' }: { modelId: string; size?: 'sm' | 'md' }) {
  const { t } = useTranslation();
  const api = useApi();
  const exported = useMutation({ mutationFn: () => modelsApi.exportArchive(api, modelId), onSuccess: ({ blob, fileName }) => saveFile(blob, fileName) });
  return (
    <>
      <Button size={size} icon={<DownloadIcon />} onClick={() => exported.mutate()} busy={exported.isPending} data-testid="export-model">
        {t('playground.export')}
      </Button>
      <ErrorNotice error={exported.error} />
    </>
  );
}
