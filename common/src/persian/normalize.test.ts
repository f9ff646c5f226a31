import { describe, expect, it } from 'vitest';
import {
  ZWNJ,
  normalizePersian,
  stripBidiControls,
  toLatinDigits,
  toPersianDigits,
  tokenizePersian,
  type NormalizeOptions,
} from './normalize.js';
import { MI_EXCEPTIONS } from './verb-prefix.js';

const Z = ZWNJ;
/** Shows half-spaces as «+» so a failing assertion is readable. */
const show = (s: string) => s.replaceAll(Z, '+');
const norm = (s: string, o?: NormalizeOptions) => show(normalizePersian(s, o));

describe('letters', () => {
  it('writes Arabic ي ى ك as Persian ی ک in a news line', () => {
    expect(norm('مردم ايران در كشور خود زندگي مي كنند و به آينده اميدوارند.')).toBe(
      'مردم ایران در کشور خود زندگی می+کنند و به آینده امیدوارند.',
    );
    expect(norm('مصطفى به مدرسه رفت')).toBe('مصطفی به مدرسه رفت');
  });

  it('writes ة as ه unless asked to keep it', () => {
    expect(norm('دائرة المعارف بزرگ')).toBe('دائره المعارف بزرگ');
    expect(norm('دائرة المعارف بزرگ', { keepTehMarbuta: true })).toBe('دائرة المعارف بزرگ');
  });

  it('reads ۀ as ezafe: dropped for matching, «هٔ» for speech', () => {
    expect(norm('خانۀ ما در کوچۀ باغ است')).toBe('خانه ما در کوچه باغ است');
    expect(norm('خانۀ ما', { keepDiacritics: true })).toBe('خانه\u0654 ما');
    // The same with the hamza written as a separate mark after ه.
    expect(norm('خانه\u0654 ما')).toBe('خانه ما');
    expect(norm('خانه\u0654 ما', { keepDiacritics: true })).toBe('خانه\u0654 ما');
  });

  it('keeps ئ, أ, ؤ and composes ی + hamza into ئ', () => {
    expect(norm('رئیس مسئول تأثیر مؤسسه')).toBe('رئیس مسئول تأثیر مؤسسه');
    expect(norm('ری\u0654یس')).toBe('رئیس');
  });

  it('turns presentation forms (from PDFs) into letters', () => {
    expect(norm('\uFEB3\uFEFC\uFEE1 \uFEFB')).toBe('سلام لا');
  });

  it('composes to NFC', () => {
    const decomposed = 'ا\u0653ب';
    expect(normalizePersian(decomposed)).toBe('آب');
    expect(normalizePersian(decomposed).length).toBe(2);
  });
});

describe('digits', () => {
  const line = 'در سال ۱۴۰۳ و ٢٠٢٤ حدود 3 میلیون نفر';
  it("unifies Persian and Arabic-Indic digits to ASCII by default", () => {
    expect(norm(line)).toBe('در سال 1403 و 2024 حدود 3 میلیون نفر');
  });
  it("writes Persian digits with digits: 'persian'", () => {
    expect(norm(line, { digits: 'persian' })).toBe('در سال ۱۴۰۳ و ۲۰۲۴ حدود ۳ میلیون نفر');
  });
  it("leaves digits alone with digits: 'keep'", () => {
    expect(norm(line, { digits: 'keep' })).toBe(line);
  });
  it('converts the decimal and thousands separators between digits', () => {
    const price = 'قیمت ۱۲٬۵۰۰ تومان و نرخ ۳٫۵ درصد';
    expect(norm(price)).toBe('قیمت 12,500 تومان و نرخ 3.5 درصد');
    expect(norm('قیمت 12,500 تومان و نرخ 3.5 درصد', { digits: 'persian' })).toBe(price);
    expect(norm(price, { digits: 'keep' })).toBe(price);
  });
  it('does not persianise digits glued to Latin letters', () => {
    expect(norm('فایل mp3 با نسخه v1.2 و 4 دقیقه', { digits: 'persian' })).toBe('فایل mp3 با نسخه v1.2 و ۴ دقیقه');
  });
  it('exports the digit helpers', () => {
    expect(toLatinDigits('۱۲٬۳۴۵٫۶۷ و ٨٩')).toBe('12,345.67 و 89');
    expect(toPersianDigits('12,345.67 و ٨٩')).toBe('۱۲٬۳۴۵٫۶۷ و ۸۹');
  });
});

describe('diacritics, tatweel, invisible controls', () => {
  it('removes harakat, superscript alef and tatweel, or keeps harakat for speech', () => {
    expect(norm('عَلِيٌّ بـــه مَدرَسه رفت و موسیٰ آمد')).toBe('علی به مدرسه رفت و موسی آمد');
    expect(norm('عَلِيٌّ بـــه مَدرَسه رفت', { keepDiacritics: true })).toBe('عَلِیٌّ به مَدرَسه رفت');
  });
  it('strips bidi controls (a spoofing vector in names)', () => {
    expect(norm('\u202Bسلام\u202C \u200Fدنیا\u200E \u2067abc\u2069')).toBe('سلام دنیا abc');
    expect(stripBidiControls('\u202Eadmin\u202C\u2066x\u2069\u200F')).toBe('adminx');
  });
  it('removes BOM, soft hyphen and zero-width joiner', () => {
    expect(norm('\uFEFFسلا\u00ADم\u200D')).toBe('سلام');
  });
});

describe('half-spaces after می / نمی', () => {
  it('joins the verb prefix written with a space, nothing or a stray ZWNJ', () => {
    expect(norm('او هر روز به مدرسه می رود')).toBe('او هر روز به مدرسه می+رود');
    expect(norm('میخواهم فارسی یاد بگیرم')).toBe('می+خواهم فارسی یاد بگیرم');
    expect(norm('ما نمی دانیم و آنها نمیدانستند')).toBe('ما نمی+دانیم و آنها نمی+دانستند');
    expect(norm(`می${Z} خواهم`)).toBe('می+خواهم');
    expect(norm('می‌خواهم')).toBe('می+خواهم');
  });
  it('handles tenses, persons, enclitics, colloquial forms and preverbs', () => {
    const cases: Array<[string, string]> = [
      ['میرفتند', 'می+رفتند'],
      ['میتوان گفت', 'می+توان گفت'],
      ['میگفتمش', 'می+گفتمش'],
      ['میبینمتان', 'می+بینمتان'],
      ['میشه بیای؟', 'می+شه بیای؟'],
      ['فردا میرم', 'فردا می+رم'],
      ['میگویی', 'می+گویی'],
      ['میآید', 'می+آید'],
      ['برمیگردم', 'برمی+گردم'],
      ['درنمیآید', 'درنمی+آید'],
      ['میرفته اند', 'می+رفته+اند'],
      ['می درخشد', 'می+درخشد'],
    ];
    for (const [input, out] of cases) expect(norm(input), input).toBe(out);
  });
  it('leaves the exception list (nouns and names starting with «می») alone', () => {
    for (const word of ['میز', 'میوه', 'میان', 'میلیون', 'میل', 'میراث', 'میدان', 'میهن', 'مینا', 'میش']) {
      expect(MI_EXCEPTIONS).toContain(word);
      expect(normalizePersian(word), word).toBe(word);
    }
    for (const word of ['میزان', 'میلاد', 'میمون', 'میخانه', 'میکده', 'میانه', 'میانگین', 'میلیارد', 'میزبان', 'میهمان']) {
      expect(normalizePersian(word), word).toBe(word);
    }
    expect(norm('میز و میوه را در میدان گذاشتم و میان جمع رفتم')).toBe('میز و میوه را در میدان گذاشتم و میان جمع رفتم');
    expect(norm('دو میلیون نفر در میدان آزادی برای میراث میهن جمع شدند')).toBe(
      'دو میلیون نفر در میدان آزادی برای میراث میهن جمع شدند',
    );
  });
  it('takes suffixed exceptions as the noun but their verb look-alikes as the verb', () => {
    expect(norm('میزها و میوه‌ها و میانش')).toBe('میزها و میوه+ها و میانش');
    // «میدانم» is «می‌دانم» (I know), not «my square»; «میشم» is colloquial «می‌شم».
    expect(norm('میدانم که خسته میشم')).toBe('می+دانم که خسته می+شم');
    // Names: Milad, Meysam, Mirhossein; literary «نمیرد» (does not die).
    expect(norm('میلاد و میثم و میرحسین')).toBe('میلاد و میثم و میرحسین');
    expect(norm('هرگز نمیرد آن که دلش زنده شد به عشق')).toBe('هرگز نمیرد آن که دلش زنده شد به عشق');
  });
  it('leaves «می» the noun (wine) and the month alone', () => {
    expect(norm('جام می را بیاور')).toBe('جام می را بیاور');
    expect(norm('ساقی می ناب بده')).toBe('ساقی می ناب بده');
    expect(norm('ماه می گذشته باران آمد')).toBe('ماه می گذشته باران آمد');
    expect(norm('۱۵ می ۲۰۲۴')).toBe('15 می 2024');
  });
  it('does not split words that merely contain «می»', () => {
    expect(norm('کمی صبر کنید، کمیته تشکیل شد و علمی است')).toBe('کمی صبر کنید، کمیته تشکیل شد و علمی است');
  });
  it('can be switched off', () => {
    expect(norm('میخواهم کتاب ها', { fixHalfSpaces: false })).toBe('میخواهم کتاب ها');
  });
});

describe('half-spaces before suffixes', () => {
  it('joins plural, comparative, superlative and copula suffixes written with a space', () => {
    expect(norm('کتاب ها را روی میز گذاشتم')).toBe('کتاب+ها را روی میز گذاشتم');
    expect(norm('کتاب های خوب')).toBe('کتاب+های خوب');
    expect(norm('تهران بزرگ تر از شیراز و بزرگ ترین شهر ایران است')).toBe(
      'تهران بزرگ+تر از شیراز و بزرگ+ترین شهر ایران است',
    );
    expect(norm('من خسته ام و آنها رفته اند، شما آمده اید؟')).toBe('من خسته+ام و آنها رفته+اند، شما آمده+اید؟');
    expect(norm('دوستان هایشان')).toBe('دوستان+هایشان');
  });
  it('joins «ای» after «ه» but not the vocative «ای»', () => {
    expect(norm('او نامه ای نوشت')).toBe('او نامه+ای نوشت');
    expect(norm('گفت ای خدا، ای کاش می آمدی')).toBe('گفت ای خدا، ای کاش می+آمدی');
  });
  it('writes no ZWNJ after letters that do not join (it is invisible there)', () => {
    expect(norm('دانشجو ها و آرزو ها')).toBe('دانشجوها و آرزوها');
    expect(norm(`آرزو${Z}ها`)).toBe('آرزوها');
  });
  it('does not take the start of a word for a suffix', () => {
    expect(norm('کتاب هادی و شعر ترانه')).toBe('کتاب هادی و شعر ترانه');
    expect(norm('خشک و تر')).toBe('خشک و تر');
  });
});

describe('ZWNJ clean-up', () => {
  it('collapses repeats and drops ZWNJ at word edges or next to spaces', () => {
    expect(norm(`کتاب${Z}${Z}${Z}ها`)).toBe('کتاب+ها');
    expect(norm(`${Z}سلام${Z} دنیا${Z}`)).toBe('سلام دنیا');
    expect(norm(`کتاب ${Z}ها`)).toBe('کتاب+ها');
    expect(norm(`123${Z}تا`)).toBe('123تا');
  });
  it('reads a zero-width space inside a word as a half-space', () => {
    expect(norm('کتاب\u200Bها')).toBe('کتاب+ها');
  });
});

describe('whitespace and punctuation', () => {
  it('folds NBSP, tabs and other Unicode spaces; keeps line breaks (at most one blank line)', () => {
    expect(norm('سلام\u00A0\u00A0دنیا\t\tخوبی\u2009؟')).toBe('سلام دنیا خوبی؟');
    expect(norm('  خط اول\r\n\r\n\r\nخط دوم \n  خط سوم  ')).toBe('خط اول\n\nخط دوم\nخط سوم');
  });
  it('puts no space before ، ؛ ؟ . ! and one after', () => {
    expect(norm('سلام ، حالت چطور است ؟خوبم .ممنون ! تو چطوری؛من هم خوبم')).toBe(
      'سلام، حالت چطور است؟ خوبم. ممنون! تو چطوری؛ من هم خوبم',
    );
  });
  it('leaves abbreviations, numbers and Latin dots alone', () => {
    expect(norm('ج.ا.ا در سال ۵۵۰ ق.م نبود')).toBe('ج.ا.ا در سال 550 ق.م نبود');
    expect(norm('فریم‌ورک .NET و Node.js و 3.14')).toBe('فریم+ورک .NET و Node.js و 3.14');
  });
});

describe('real sentences end to end', () => {
  it('normalises a news line typed on an Arabic keyboard', () => {
    const input =
      'به گزارش خبرگزاري ايرنا ،رئيس سازمان هواشناسي گفت : دماي هوا در تهران به ۴۲ درجه رسيد و مردم مي توانند از ساعت ۱۰ تا ۱۶ در خانه ها بمانند .';
    expect(norm(input)).toBe(
      'به گزارش خبرگزاری ایرنا، رئیس سازمان هواشناسی گفت: دمای هوا در تهران به 42 درجه رسید و مردم می+توانند از ساعت 10 تا 16 در خانه+ها بمانند.',
    );
  });
  it('normalises a vocalised, stretched line with bidi marks for speech', () => {
    const input = '\u200Fدانشـــجويان بِهتَرين کتاب هاي سال ۱۴۰۲ را مي‌ خوانند\u200E';
    expect(norm(input, { keepDiacritics: true, digits: 'persian' })).toBe(
      'دانشجویان بِهتَرین کتاب+های سال ۱۴۰۲ را می+خوانند',
    );
  });
});

describe('long text', () => {
  it('gives the same result for a 300 KB text as line by line (buffer chunking is invisible)', () => {
    const lines = [
      'مردم ايران در كشور خود زندگي مي كنند.',
      'قیمت ۱۲٬۵۰۰ تومان و نرخ ٣٫٥ درصد',
      'عَلِيٌّ بـــه مَدرَسه رفت و خانۀ ما را ديد',
      'دانشجويان كتاب ها را ميخوانند ، بزرگ تر از قبل',
      'Sokhan \u202Bسخن\u202C v1.2 را نصب کرديم',
    ];
    const many = Array.from({ length: 5000 }, (_, i) => lines[i % lines.length] as string);
    const whole = normalizePersian(many.join('\n'));
    expect(whole).toBe(many.map((l) => normalizePersian(l)).join('\n'));
    expect(whole.length).toBeGreaterThan(150_000);
  });
});

describe('idempotence', () => {
  const samples = [
    'مردم ايران در كشور خود زندگي مي كنند.',
    'قیمت ۱۲٬۵۰۰ تومان و نرخ ۳٫۵ درصد',
    'عَلِيٌّ بـــه مَدرَسه رفت و خانۀ ما',
    `کتاب ${Z}${Z}ها و آرزو‌ها و بزرگ تر و نامه ای`,
    'سلام ، حالت چطور است ؟خوبم .ممنون !',
    '  خط اول\r\n\r\n\r\nخط دوم \n  خط سوم  ',
  ];
  const options: NormalizeOptions[] = [
    {},
    { digits: 'persian' },
    { digits: 'keep', keepDiacritics: true },
    { keepTehMarbuta: true, fixHalfSpaces: false },
  ];
  it('normalize(normalize(x)) === normalize(x) on real sentences, for every option set', () => {
    for (const o of options) {
      for (const s of samples) {
        const once = normalizePersian(s, o);
        expect(normalizePersian(once, o)).toBe(once);
      }
    }
  });

  it('holds, with the output invariants, on random mixes of tricky pieces', () => {
    const pieces = [
      'ا', 'ب', 'ی', 'ي', 'ك', 'ک', 'ه', 'ۀ', 'ة', 'و', 'ر', 'م', 'ن', 'می', 'نمی', ' ', '  ', Z, Z + Z, '\u200B',
      '\u00A0', '\n', '\r\n', '\u202B', '\u200F', 'ـ', 'َ', 'ّ', 'ٔ', 'ها', 'تر', 'ای', 'ام', '۱', '٢', '3', '٫', '٬',
      '.', '،', '؟', '!', ':', 'a', 'خواهم', 'میز', 'میان', 'ﻻ', 'ماه',
    ];
    let seed = 20240601;
    const next = (k: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % k;
    };
    const invariants: RegExp[] = [
      / {2}/, // no double spaces
      /^\s|\s$/, // trimmed
      /\u200C(\s|$)|(^|\s)\u200C/, // no ZWNJ next to whitespace or at the edges
      /\u200C\u200C/, // no repeated ZWNJ
      /[اآأإدذرزژوؤ]\u200C/, // no invisible ZWNJ after non-joining letters
      /[\u064A\u0643\u0640\u200B\u200E\u200F\u202A-\u202E]/, // no Arabic yeh/kaf, tatweel, bidi controls
      /[^\s] [،؛؟!]/, // no space before Persian punctuation
    ];
    const failures: string[] = [];
    for (let t = 0; t < 2000; t++) {
      let s = '';
      const n = 1 + next(20);
      for (let i = 0; i < n; i++) s += pieces[next(pieces.length)];
      for (const o of options.slice(0, 3)) {
        const once = normalizePersian(s, o);
        if (normalizePersian(once, o) !== once) failures.push(`not idempotent ${JSON.stringify(o)}: ${JSON.stringify(s)}`);
      }
      const out = normalizePersian(s);
      for (const re of invariants) if (re.test(out)) failures.push(`${re} in ${JSON.stringify(out)} from ${JSON.stringify(s)}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});

describe('tokenizePersian', () => {
  it('gives normalised word tokens, half-spaces kept inside words, punctuation dropped', () => {
    expect(tokenizePersian('كتاب هاي خوب را ۳٫۵ بار ميخوانم، mp3 و GPT-4.')).toEqual([
      `کتاب${Z}های`, 'خوب', 'را', '3.5', 'بار', `می${Z}خوانم`, 'mp3', 'و', 'GPT', '4',
    ]);
  });
  it('gives the same tokens for Arabic- and Persian-keyboard spellings', () => {
    expect(tokenizePersian('زندگي مي كنند')).toEqual(tokenizePersian('زندگی می‌کنند'));
  });
  it('returns nothing for empty or punctuation-only text', () => {
    expect(tokenizePersian('')).toEqual([]);
    expect(tokenizePersian(' ؟! ، ')).toEqual([]);
  });
});
