import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  DATASET_TYPES,
  datasetUploadFieldsSchema,
  firstRecords,
  formatFromName,
  guessHeaderRow,
  nonTextKind,
  type DatasetType,
  type HeaderGuess,
  type NonTextKind,
} from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { Field } from '../../components/Field';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { FileIcon, UploadIcon } from '../../components/icons';
import { Button, Card, Ltr } from '../../components/ui';
import { UploadProgress, useUpload } from '../../components/UploadProgress';
import { validateWith, type FieldErrors } from '../../lib/validation';
import { datasetKeys, datasetsApi } from './datasets.api';
import { datasetProblem } from './problems';

const ACCEPT = '.csv,.tsv,.jsonl,.ndjson,.txt,.xlsx,text/csv,text/tab-separated-values,application/jsonl,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** What the form can tell from a file's first 64 KiB before sending it: not text at all, or its header row. */
export interface FileLook {
  notText: NonTextKind | null;
  /** CSV/TSV only. */
  header: HeaderGuess | null;
}

export async function lookAtFile(file: Blob & { name: string }): Promise<FileLook> {
  const head = new Uint8Array(await file.slice(0, 65_536).arrayBuffer());
  const notText = nonTextKind(head);
  if (notText) return { notText, header: null };
  const text = new TextDecoder().decode(head);
  const format = formatFromName(file.name) ?? (text.trimStart().startsWith('{') ? 'jsonl' : 'csv');
  if (format === 'jsonl') return { notText: null, header: null };
  return { notText: null, header: guessHeaderRow(firstRecords(text, format === 'tsv' ? '\t' : ',')) };
}

/** Dataset names default to the file name without its extension. */
export function nameFromFile(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ').trim() || fileName;
}

export function UploadCard() {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [type, setType] = useState<DatasetType | ''>('');
  const [labelColumn, setLabelColumn] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(null);
  const upload = useUpload();
  const [dragging, setDragging] = useState(false);
  const [look, setLook] = useState<FileLook | null>(null);
  // The user's answer to "is the first row column names?"; starts as the detection says.
  const [headerPresent, setHeaderPresent] = useState(true);
  const [sheet, setSheet] = useState('');
  const isWorkbook = look?.notText === 'xlsx';

  const choose = (picked: File | undefined | null) => {
    if (!picked) return;
    setFile(picked);
    setError(null);
    setErrors((e) => ({ ...e, file: '' }));
    setLook(null);
    if (!name.trim()) setName(nameFromFile(picked.name));
    void lookAtFile(picked).then((seen) => {
      setLook(seen);
      setHeaderPresent(seen.header?.present ?? true);
    });
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    choose(e.dataTransfer.files[0]);
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const fields = {
      name,
      ...(description.trim() ? { description } : {}),
      ...(type ? { type } : {}),
      ...(labelColumn.trim() ? { labelColumn: labelColumn.trim() } : {}),
    };
    const checked = validateWith(t, datasetUploadFieldsSchema, fields, (n) => f.number(n));
    const found: FieldErrors = checked.ok ? {} : { ...checked.errors };
    if (!file) found.file = t('datasets.upload.noFile');
    else if (file.size === 0) found.file = t('datasets.problems.empty-file');
    else if (look?.notText && !isWorkbook) found.file = t(`datasets.notText.${look.notText}`);
    setErrors(found);
    if (!checked.ok || !file || found.file) return;
    try {
      const withHeader = look?.header
        ? { ...checked.data, header: headerPresent ? ('present' as const) : ('absent' as const) }
        : isWorkbook && sheet.trim()
          ? { ...checked.data, sheet: sheet.trim() }
          : checked.data;
      const dataset = await upload.run(file.size, (send) => datasetsApi.upload(api, withHeader, file, send));
      await queryClient.invalidateQueries({ queryKey: datasetKeys.all });
      void navigate(`/datasets/${dataset.id}`);
    } catch (err) {
      setError(err);
    }
  };

  const problem = datasetProblem(t, error, (n) => f.number(n));

  return (
    <Card title={t('datasets.upload.title')} actions={<UploadIcon />}>
      <form className="form" onSubmit={onSubmit} noValidate>
        <div
          className={['dropzone', dragging ? 'dropzone-active' : '', errors.file ? 'dropzone-invalid' : ''].filter(Boolean).join(' ')}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <FileIcon className="dropzone-icon" />
          {file ? (
            <p className="dropzone-file">
              <Ltr className="mono">{file.name}</Ltr> <span className="muted">({f.bytes(file.size)})</span>
            </p>
          ) : (
            <p>{t('datasets.upload.drop')}</p>
          )}
          <p className="field-hint">{t('datasets.upload.formats')}</p>
          <label className="btn btn-sm" htmlFor="dataset-file">
            {file ? t('datasets.upload.change') : t('datasets.upload.choose')}
          </label>
          <input
            ref={inputRef}
            id="dataset-file"
            name="file"
            type="file"
            accept={ACCEPT}
            className="visually-hidden"
            aria-invalid={errors.file ? true : undefined}
            aria-describedby={errors.file ? 'dataset-file-error' : undefined}
            onChange={(e) => choose(e.target.files?.[0])}
          />
          {errors.file && (
            <p className="field-error" id="dataset-file-error" role="alert">
              {errors.file}
            </p>
          )}
        </div>
        {isWorkbook && (
          <div className="header-choice" data-testid="workbook-choice">
            <p className="field-hint">{t('datasets.workbook.detected')}</p>
            <Field label={t('datasets.workbook.sheet')}>
              <input className="input" name="sheet" value={sheet} onChange={(e) => setSheet(e.target.value)} dir="auto" />
            </Field>
          </div>
        )}
        {look?.notText && !isWorkbook && (
          <Notice tone="danger">
            <span data-testid="not-text">{t(`datasets.notText.${look.notText}`)}</span>
          </Notice>
        )}
        {look?.header && (
          <div className="header-choice" data-testid="header-choice" data-present={String(headerPresent)}>
            <p className="field-hint">
              {t(`datasets.header.${look.header.present ? 'detectedPresent' : 'detectedAbsent'}`)} {t(`datasets.header.reasons.${look.header.reason}`)}
            </p>
            <label className="checkbox">
              <input type="checkbox" checked={headerPresent} onChange={(e) => setHeaderPresent(e.target.checked)} />
              {t('datasets.header.firstRowIsHeader')}
            </label>
          </div>
        )}
        <div className="form-row">
          <Field label={t('datasets.fields.name')} error={errors.name}>
            <input className="input" name="name" value={name} onChange={(e) => setName(e.target.value)} dir="auto" />
          </Field>
          <Field label={t('datasets.fields.type')} hint={t('datasets.upload.typeHint')}>
            <select className="select" value={type} onChange={(e) => setType(e.target.value as DatasetType | '')}>
              <option value="">{t('datasets.types.auto')}</option>
              {DATASET_TYPES.map((dt) => (
                <option key={dt} value={dt}>
                  {t(`datasets.types.${dt}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div className="form-row">
          <Field label={t('datasets.fields.description')} error={errors.description}>
            <input className="input" value={description} onChange={(e) => setDescription(e.target.value)} dir="auto" />
          </Field>
          <Field label={t('datasets.fields.labelColumn')} hint={t('datasets.upload.labelHint')} error={errors.labelColumn}>
            <input className="input" value={labelColumn} onChange={(e) => setLabelColumn(e.target.value)} dir="auto" />
          </Field>
        </div>
        {upload.progress && <UploadProgress progress={upload.progress} label={t('datasets.upload.progress')} afterSent={t('datasets.upload.analysing')} testId="upload-progress" />}
        {problem ? <Notice tone="danger">{problem}</Notice> : <ErrorNotice error={error} />}
        <div className="form-actions">
          <Button type="submit" variant="primary" icon={<UploadIcon />} busy={!!upload.progress}>
            {t('datasets.upload.submit')}
          </Button>
          {upload.progress && <Button onClick={upload.cancel}>{t('common.cancel')}</Button>}
        </div>
      </form>
    </Card>
  );
}
