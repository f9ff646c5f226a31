import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TrainedModel } from '@sokhan/common';
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
 * is fetched and then saved. A model on an encoder cannot go into an archive (the server refuses it): the button
 * says why instead.
 */
export function ExportModelButton({ model, size = 'md' }: { model: Pick<TrainedModel, 'id' | 'encoder'>; size?: 'sm' | 'md' }) {
  const { t } = useTranslation();
  const api = useApi();
  const exported = useMutation({ mutationFn: () => modelsApi.exportArchive(api, model.id), onSuccess: ({ blob, fileName }) => saveFile(blob, fileName) });
  const why = model.encoder ? `export-why-${model.id}` : undefined;
  return (
    <>
      <Button size={size} icon={<DownloadIcon />} onClick={() => exported.mutate()} busy={exported.isPending} disabled={!!model.encoder} aria-describedby={why} data-testid="export-model">
        {t('playground.export')}
      </Button>
      {why && (
        <span className="field-hint" id={why} data-testid="export-encoder">
          {t('playground.exportEncoder')}
        </span>
      )}
      <ErrorNotice error={exported.error} />
    </>
  );
}
