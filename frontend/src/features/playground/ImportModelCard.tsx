import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { MODEL_ARCHIVE_LIMITS, type TrainedModel } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { FileIcon, UploadIcon } from '../../components/icons';
import { Button, Card, Ltr } from '../../components/ui';
import { UploadProgress, useUpload } from '../../components/UploadProgress';
import { archiveProblem } from './archive-problem';
import { modelKeys, modelsApi } from './models.api';

/** Brings in a model exported from Sokhan (here or elsewhere): the .zip is uploaded with byte progress and checked by the server. */
export function ImportModelCard({ onImported }: { onImported: (model: TrainedModel) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const upload = useUpload();
  const [imported, setImported] = useState<TrainedModel | null>(null);

  const choose = (picked: File | undefined) => {
    if (!picked) return;
    setFile(picked);
    setError(null);
    setImported(null);
    setFileError(picked.size > MODEL_ARCHIVE_LIMITS.maxArchiveBytes ? t('playground.import.tooLarge', { size: f.bytes(MODEL_ARCHIVE_LIMITS.maxArchiveBytes) }) : null);
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setImported(null);
    if (!file) {
      setFileError(t('playground.import.noFile'));
      return;
    }
    if (fileError) return;
    try {
      const model = await upload.run(file.size, (send) => modelsApi.importArchive(api, file, send));
      await queryClient.invalidateQueries({ queryKey: modelKeys.list });
      setImported(model);
      setFile(null);
      onImported(model);
    } catch (err) {
      setError(err);
    }
  };

  const problem = archiveProblem(t, error);
  return (
    <Card title={t('playground.import.title')} actions={<UploadIcon />}>
      <form className="form" onSubmit={onSubmit} noValidate aria-label={t('playground.import.title')}>
        <p className="field-hint">{t('playground.import.hint')}</p>
        <div className={['dropzone', fileError ? 'dropzone-invalid' : ''].filter(Boolean).join(' ')}>
          <FileIcon className="dropzone-icon" />
          {file ? (
            <p className="dropzone-file">
              <Ltr className="mono">{file.name}</Ltr> <span className="muted">({f.bytes(file.size)})</span>
            </p>
          ) : (
            <p>{t('playground.import.pick')}</p>
          )}
          <label className="btn btn-sm" htmlFor="model-archive-file">
            {file ? t('playground.import.change') : t('playground.import.choose')}
          </label>
          <input
            id="model-archive-file"
            name="file"
            type="file"
            accept=".zip,application/zip"
            className="visually-hidden"
            aria-invalid={fileError ? true : undefined}
            aria-describedby={fileError ? 'model-archive-file-error' : undefined}
            onChange={(e) => choose(e.target.files?.[0])}
          />
          {fileError && (
            <p className="field-error" id="model-archive-file-error" role="alert">
              {fileError}
            </p>
          )}
        </div>
        {upload.progress && <UploadProgress progress={upload.progress} label={t('playground.import.progress')} afterSent={t('playground.import.checking')} testId="import-progress" />}
        {problem ? (
          <Notice tone="danger">
            <span data-testid="import-problem">{problem}</span>
          </Notice>
        ) : (
          <ErrorNotice error={error} />
        )}
        {imported && (
          <Notice tone="success">
            <span data-testid="import-done">{t('playground.import.done', { name: imported.name })}</span>
          </Notice>
        )}
        <div className="form-actions">
          <Button type="submit" variant="primary" icon={<UploadIcon />} busy={!!upload.progress}>
            {t('playground.import.submit')}
          </Button>
          {upload.progress && <Button onClick={upload.cancel}>{t('common.cancel')}</Button>}
        </div>
      </form>
    </Card>
  );
}
