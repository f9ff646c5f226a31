import { normalizePersian } from './normalize.js';

/**
 * A Hub search written as people write it, in Persian or English, turned into what the Hub understands: its
 * `search` matches repository ids (Latin), its filters match tags (languages, tasks). Persian words name a
 * language, a task or a tag; Latin words stay search words, except "persian"/"farsi", which mean the language.
 */
export interface SearchMeaning {
  /** What the Hub's `search` gets: the Latin words left, joined by a space (the Hub matches it as one substring). */
  search: string;
  /** A pipeline tag the words named (the first one). */
  task: string | null;
  /** True when the words asked for Persian. */
  persian: boolean;
  /** Extra tags to filter on. */
  tags: string[];
  /** Each phrase understood and what it became, in the order written. */
  understood: { phrase: string; as: 'language' | 'task' | 'tag'; value: string }[];
  /** Words that name nothing the Hub can match (Persian words that are not in the vocabulary). */
  ignored: string[];
}

type Meaning = { as: 'language'; value: 'fa' } | { as: 'task'; value: string } | { as: 'tag'; value: string };

// Phrases in normalised Persian (ی/ک, ZWNJ as typed). Longer phrases are matched first.
const PHRASES: [string, Meaning][] = [
  ['تبدیل متن به گفتار', { as: 'task', value: 'text-to-speech' }],
  ['متن به گفتار', { as: 'task', value: 'text-to-speech' }],
  ['تولید گفتار', { as: 'task', value: 'text-to-speech' }],
  ['سنتز گفتار', { as: 'task', value: 'text-to-speech' }],
  ['بازشناسی گفتار', { as: 'task', value: 'automatic-speech-recognition' }],
  ['بازشناسی خودکار گفتار', { as: 'task', value: 'automatic-speech-recognition' }],
  ['تشخیص گفتار', { as: 'task', value: 'automatic-speech-recognition' }],
  ['گفتار به متن', { as: 'task', value: 'automatic-speech-recognition' }],
  ['تبدیل گفتار به متن', { as: 'task', value: 'automatic-speech-recognition' }],
  ['تحلیل احساسات', { as: 'task', value: 'text-classification' }],
  ['طبقه‌بندی متن', { as: 'task', value: 'text-classification' }],
  ['دسته‌بندی متن', { as: 'task', value: 'text-classification' }],
  ['شناسایی موجودیت‌های نامدار', { as: 'task', value: 'token-classification' }],
  ['شناسایی موجودیت', { as: 'task', value: 'token-classification' }],
  ['پرسش و پاسخ', { as: 'task', value: 'question-answering' }],
  ['پرسش‌وپاسخ', { as: 'task', value: 'question-answering' }],
  ['خلاصه‌سازی', { as: 'task', value: 'summarization' }],
  ['ترجمه', { as: 'task', value: 'translation' }],
  ['تولید متن', { as: 'task', value: 'text-generation' }],
  ['طبقه‌بندی صدا', { as: 'task', value: 'audio-classification' }],
  ['واژه‌یابی', { as: 'task', value: 'audio-classification' }],
  ['بردار جمله', { as: 'task', value: 'feature-extraction' }],
  ['جاسازی', { as: 'task', value: 'feature-extraction' }],
  ['گفتار', { as: 'task', value: 'text-to-speech' }],
  ['صدا', { as: 'task', value: 'text-to-speech' }],
  ['احساسات', { as: 'tag', value: 'sentiment' }],
  ['فارسی', { as: 'language', value: 'fa' }],
  ['پارسی', { as: 'language', value: 'fa' }],
];
const SORTED = [...PHRASES].sort((a, b) => b[0].length - a[0].length);
const LATIN_LANGUAGE = new Set(['persian', 'farsi', 'parsi']);
const PERSIAN_LETTER = /[\u0600-\u06FF]/;
// Filler words that carry no meaning for a model search.
const STOP = new Set(['مدل', 'مدل‌های', 'مدلهای', 'برای', 'و', 'با', 'در', 'از', 'به']);

export function interpretSearch(raw: string): SearchMeaning {
  const meaning: SearchMeaning = { search: '', task: null, persian: false, tags: [], understood: [], ignored: [] };
  const normalised = normalizePersian(raw);
  let text = ` ${normalised.toLowerCase()} `;
  for (const [phrase, m] of SORTED) {
    const at = text.indexOf(` ${phrase} `);
    if (at < 0) continue;
    text = `${text.slice(0, at)} ${text.slice(at + phrase.length + 1)}`;
    meaning.understood.push({ phrase, ...m });
  }
  // Keep the order the user wrote them in.
  meaning.understood.sort((a, b) => normalised.indexOf(a.phrase) - normalised.indexOf(b.phrase));
  const latin: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (LATIN_LANGUAGE.has(word)) meaning.understood.push({ phrase: word, as: 'language', value: 'fa' });
    else if (PERSIAN_LETTER.test(word)) {
      if (!STOP.has(word)) meaning.ignored.push(word);
    } else latin.push(word);
  }
  for (const u of meaning.understood) {
    if (u.as === 'language') meaning.persian = true;
    else if (u.as === 'task') meaning.task ??= u.value;
    else if (!meaning.tags.includes(u.value)) meaning.tags.push(u.value);
  }
  meaning.search = latin.join(' ');
  return meaning;
}
