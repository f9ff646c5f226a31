import type { TextPreparation } from '../contracts/runtime.js';
import { normalizePersian } from './normalize.js';

const PERSIAN_FORMS = /[\u06CC\u06A9]/; // ی ک
const ARABIC_FORMS = /[\u064A\u0643]/; // ي ك
const LATIN_DIGIT = /^(?:##|▁|Ġ)?[0-9]$/;
const PERSIAN_DIGIT = /^(?:##|▁|Ġ)?[\u06F0-\u06F9]$/;
const HARAKAT = /[\u064B-\u0652]/;

/**
 * The rule for Persian input: the shared normaliser runs only when the model's own vocabulary is written in Persian
 * letter forms — it has tokens with «ی»/«ک» and no more with the Arabic «ي»/«ك» than with them. Then a user's
 * Arabic-keyboard «كتاب» meets the model's «کتاب»; a model trained on Arabic forms (or none: English) reads the
 * text as typed, since folding would turn its known words into unknown ones. Digits become the kind the vocabulary
 * has (Latin first), and diacritics are kept only when the vocabulary has them (a voice's character set may).
 */
export function textPreparationFor(vocab: Iterable<string>): TextPreparation {
  let persian = 0;
  let arabic = 0;
  let latinDigits = false;
  let persianDigits = false;
  let diacritics = false;
  for (const token of vocab) {
    if (PERSIAN_FORMS.test(token)) persian++;
    if (ARABIC_FORMS.test(token)) arabic++;
    if (!latinDigits && LATIN_DIGIT.test(token)) latinDigits = true;
    if (!persianDigits && PERSIAN_DIGIT.test(token)) persianDigits = true;
    if (!diacritics && HARAKAT.test(token)) diacritics = true;
  }
  return {
    persian: persian > 0 && persian >= arabic,
    digits: latinDigits ? 'latin' : persianDigits ? 'persian' : 'keep',
    keepDiacritics: diacritics,
  };
}

/** The text as the model gets it; `keep` (a mask token) passes through untouched wherever it occurs. */
export function prepareText(text: string, prep: TextPreparation, keep: string | null = null): string {
  if (!prep.persian) return text;
  const normalize = (s: string) => normalizePersian(s, { digits: prep.digits, keepDiacritics: prep.keepDiacritics });
  if (!keep || !text.includes(keep)) return normalize(text);
  // Each piece alone, so the normaliser's spacing rules cannot glue a piece to the mask token or split it.
  return text
    .split(keep)
    .map((piece) => {
      const lead = /^\s/.test(piece) ? ' ' : '';
      const trail = /\s$/.test(piece) ? ' ' : '';
      const core = normalize(piece);
      return core ? `${lead}${core}${trail}` : lead || trail;
    })
    .join(keep);
}
