import { describe, expect, it } from 'vitest';
import { interpretSearch } from './search-query.js';

describe('interpretSearch', () => {
  it('reads Persian words as a language, a task and a tag', () => {
    const m = interpretSearch('مدل بازشناسی گفتار فارسی');
    expect(m).toMatchObject({ search: '', task: 'automatic-speech-recognition', persian: true, tags: [], ignored: [] });
    expect(m.understood.map((u) => [u.phrase, u.value])).toEqual([
      ['بازشناسی گفتار', 'automatic-speech-recognition'],
      ['فارسی', 'fa'],
    ]);
  });

  it('normalises Arabic letter forms and keeps Latin words for the id search', () => {
    const m = interpretSearch('تحليل احساسات bert');
    expect(m).toMatchObject({ search: 'bert', task: 'text-classification', persian: false, ignored: [] });
    expect(interpretSearch('احساسات')).toMatchObject({ task: null, tags: ['sentiment'] });
  });

  it('takes persian and farsi as the language, not as id words', () => {
    expect(interpretSearch('Persian whisper')).toMatchObject({ search: 'whisper', persian: true });
    expect(interpretSearch('farsi')).toMatchObject({ search: '', persian: true });
  });

  it('matches the longest phrase: "متن به گفتار" is text-to-speech, not a speech word left over', () => {
    const m = interpretSearch('تبدیل متن به گفتار');
    expect(m.understood).toEqual([{ phrase: 'تبدیل متن به گفتار', as: 'task', value: 'text-to-speech' }]);
    expect(m.ignored).toEqual([]);
  });

  it('says which Persian words it could not use, and passes plain Latin queries through', () => {
    expect(interpretSearch('گربه vits').ignored).toEqual(['گربه']);
    expect(interpretSearch('gpt2')).toEqual({ search: 'gpt2', task: null, persian: false, tags: [], understood: [], ignored: [] });
  });
});
