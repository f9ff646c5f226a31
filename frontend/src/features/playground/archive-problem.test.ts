import { MODEL_ARCHIVE_REASONS } from '@sokhan/common';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../app/i18n';
import { ApiError } from '../../lib/api';
import { archiveProblem } from './archive-problem';
import { attachmentName } from './models.api';

describe('archiveProblem', () => {
  const fa = createI18n('fa').t;
  const en = createI18n('en').t;
  const refused = (reason: string, entry: string | null) => new ApiError(422, 'INVALID_MODEL_ARCHIVE', 'x', [{ reason, entry, message: 'x' }]);

  it('says what is wrong, and in which file, in Persian and in English', () => {
    expect(archiveProblem(fa, refused('symlink', 'model.json'))).toBe('یکی از فایل‌های درون آن پیوند نمادین (symlink) است؛ این فایل ناامن است و پذیرفته نشد. (فایل: model.json)');
    expect(archiveProblem(en, refused('not-a-zip', null))).toBe('This is not a zip file. Choose a file made by “Download model”.');
  });
  it('has a sentence for every reason the server gives', () => {
    for (const reason of MODEL_ARCHIVE_REASONS) expect(archiveProblem(fa, refused(reason, null)), reason).not.toMatch(/^playground\./);
  });
  it('ignores other errors and unknown reasons', () => {
    expect(archiveProblem(fa, new ApiError(404, 'NOT_FOUND', 'x'))).toBeNull();
    expect(archiveProblem(fa, refused('made-up', null))).toBeNull();
  });
});

describe('attachmentName', () => {
  it("reads the UTF-8 name, else the plain one", () => {
    expect(attachmentName(`attachment; filename="sokhan-model-1.zip"; filename*=UTF-8''${encodeURIComponent('احساس-نظرها.zip')}`, 'x.zip')).toBe('احساس-نظرها.zip');
    expect(attachmentName('attachment; filename="sokhan-model-1.zip"', 'x.zip')).toBe('sokhan-model-1.zip');
    expect(attachmentName(null, 'x.zip')).toBe('x.zip');
  });
});
