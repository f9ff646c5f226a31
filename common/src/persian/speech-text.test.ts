import { describe, expect, it } from 'vitest';
import { numberToPersianWords, prepareSpeechText, splitSentences } from './speech-text.js';

const speak = (text: string, opts?: Parameters<typeof prepareSpeechText>[1]) => prepareSpeechText(text, opts).text;

describe('numberToPersianWords', () => {
  it('reads the basic integers', () => {
    const cases: Array<[number, string]> = [
      [0, 'صفر'],
      [11, 'یازده'],
      [16, 'شانزده'],
      [18, 'هجده'],
      [100, 'صد'],
      [101, 'صد و یک'],
      [200, 'دویست'],
      [305, 'سیصد و پنج'],
      [1000, 'هزار'],
      [1001, 'هزار و یک'],
      [1403, 'هزار و چهارصد و سه'],
      [2024, 'دو هزار و بیست و چهار'],
      [1_000_001, 'یک میلیون و یک'],
      [2_500_000_000, 'دو میلیارد و پانصد میلیون'],
    ];
    for (const [n, words] of cases) expect(numberToPersianWords(n), String(n)).toBe(words);
  });

  it('reads 1,234,567 from a number and from strings with any digits and separators', () => {
    const words = 'یک میلیون و دویست و سی و چهار هزار و پانصد و شصت و هفت';
    expect(numberToPersianWords(1234567)).toBe(words);
    expect(numberToPersianWords('1,234,567')).toBe(words);
    expect(numberToPersianWords('۱٬۲۳۴٬۵۶۷')).toBe(words);
    expect(numberToPersianWords('١٢٣٤٥٦٧')).toBe(words);
  });

  it('reads up to and past 10^15', () => {
    expect(numberToPersianWords(10 ** 12)).toBe('یک تریلیون');
    expect(numberToPersianWords(10n ** 15n)).toBe('یک کوادریلیون');
    expect(numberToPersianWords(10 ** 15 - 1)).toBe(
      'نهصد و نود و نه تریلیون و نهصد و نود و نه میلیارد و نهصد و نود و نه میلیون و نهصد و نود و نه هزار و نهصد و نود و نه',
    );
    expect(numberToPersianWords(10n ** 21n + 5n)).toBe('یک سکستیلیون و پنج');
    expect(() => numberToPersianWords(10n ** 24n)).toThrow(RangeError);
  });

  it('reads negatives with «منفی» and decimals with «ممیز»', () => {
    expect(numberToPersianWords(-42)).toBe('منفی چهل و دو');
    expect(numberToPersianWords('−7')).toBe('منفی هفت');
    expect(numberToPersianWords(-0)).toBe('صفر');
    expect(numberToPersianWords(3.14)).toBe('سه ممیز چهارده');
    expect(numberToPersianWords('۳٫۵')).toBe('سه ممیز پنج');
    expect(numberToPersianWords('٣٫٠٥')).toBe('سه ممیز صفر پنج');
    expect(numberToPersianWords(0.5)).toBe('صفر ممیز پنج');
    expect(numberToPersianWords(-2.75)).toBe('منفی دو ممیز هفتاد و پنج');
    expect(numberToPersianWords(1e-7)).toBe('صفر ممیز صفر صفر صفر صفر صفر صفر یک');
  });

  it('reads ordinals', () => {
    const cases: Array<[number, string]> = [
      [1, 'یکم'],
      [2, 'دوم'],
      [3, 'سوم'],
      [23, 'بیست و سوم'],
      [30, 'سی\u200Cام'],
      [100, 'صدم'],
      [1000, 'هزارم'],
    ];
    for (const [n, words] of cases) expect(numberToPersianWords(n, { ordinal: true }), String(n)).toBe(words);
    expect(() => numberToPersianWords(-1, { ordinal: true })).toThrow(RangeError);
    expect(() => numberToPersianWords(1.5, { ordinal: true })).toThrow(RangeError);
  });

  it('refuses what is not a number', () => {
    for (const bad of ['abc', '', '1.2.3', '--5']) expect(() => numberToPersianWords(bad), bad).toThrow(RangeError);
    expect(() => numberToPersianWords(Number.NaN)).toThrow(RangeError);
    expect(() => numberToPersianWords(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('prepareSpeechText: numbers, money, percent, units', () => {
  it('reads prices with thousands separators and currencies', () => {
    expect(speak('۱۲٬۵۰۰ تومان')).toBe('دوازده هزار و پانصد تومان');
    expect(speak('قيمت ٢٠ هزار ريال است')).toBe('قیمت بیست هزار ریال است');
    expect(speak('$100 و ۵۰€ و 1,250 USD')).toBe('صد دلار و پنجاه یورو و هزار و دویست و پنجاه دلار');
  });

  it('reads percentages written either side of the number', () => {
    expect(speak('۲۵٪')).toBe('بیست و پنج درصد');
    expect(speak('تورم ٪۲۵ شد و رشد 7.5% بود')).toBe('تورم بیست و پنج درصد شد و رشد هفت ممیز پنج درصد بود');
  });

  it('reads decimals, the Persian decimal slash, ratios and negatives', () => {
    expect(speak('عدد پی ۳٫۱۴ است')).toBe('عدد پی سه ممیز چهارده است');
    expect(speak('نرخ بیکاری ۸/۲ درصد')).toBe('نرخ بیکاری هشت ممیز دو درصد');
    expect(speak('نسبت 3/4 و نتیجه ۲:۱')).toBe('نسبت سه بر چهار و نتیجه دو به یک');
    expect(speak('دمای هوا -۵ درجه شد')).toBe('دمای هوا منفی پنج درجه شد');
  });

  it('reads units after numbers', () => {
    expect(speak('با سرعت ۱۲۰ km/h و وزن ۷۰kg')).toBe('با سرعت صد و بیست کیلومتر بر ساعت و وزن هفتاد کیلوگرم');
    expect(speak('تب ۳۷٫۵°C و حافظه ۱۶ GB')).toBe('تب سی و هفت ممیز پنج درجه سانتی\u200Cگراد و حافظه شانزده گیگابایت');
  });

  it('reads codes and phone numbers digit by digit', () => {
    expect(speak('شماره ۰۹۱۲۳۴۵۶۷۸۹ است')).toBe('شماره صفر نه یک دو سه چهار پنج شش هفت هشت نه است');
  });

  it('reads ordinal suffixes, ranges and versions', () => {
    expect(speak('در قرن ۲۱ام و ۳مین جشنواره')).toBe('در قرن بیست و یکم و سومین جشنواره');
    expect(speak('صفحات ۱۰-۱۲ را بخوانید')).toBe('صفحات ده تا دوازده را بخوانید');
    expect(speak('نسخه 2.5.1 منتشر شد')).toBe('نسخه دو نقطه پنج نقطه یک منتشر شد');
  });
});

describe('prepareSpeechText: dates and times', () => {
  it('reads Solar Hijri and Gregorian dates with day ordinal, month name, year', () => {
    expect(speak('در تاریخ ۱۴۰۳/۰۵/۱۲ ساعت ۱۰:۳۰ جلسه است')).toBe(
      'در تاریخ دوازدهم مرداد هزار و چهارصد و سه ساعت ده و سی دقیقه جلسه است',
    );
    expect(speak('۱۲/۰۱/۱۴۰۲')).toBe('دوازدهم فروردین هزار و چهارصد و دو');
    expect(speak('2024-03-20')).toBe('بیستم مارس دو هزار و بیست و چهار');
    expect(speak('03/20/2024')).toBe('بیستم مارس دو هزار و بیست و چهار');
  });
  it('reads times with seconds and whole hours', () => {
    expect(speak('ساعت ۲۳:۵۹:۰۵')).toBe('ساعت بیست و سه و پنجاه و نه دقیقه و پنج ثانیه');
    expect(speak('ساعت 08:00')).toBe('ساعت هشت');
  });
});

describe('prepareSpeechText: abbreviations and symbols', () => {
  it('expands dotted abbreviations', () => {
    expect(speak('ج.ا.ا')).toBe('جمهوری اسلامی ایران');
    expect(speak('کوروش در سال ۵۵۹ ق.م به پادشاهی رسید')).toBe(
      'کوروش در سال پانصد و پنجاه و نه قبل از میلاد به پادشاهی رسید',
    );
    expect(speak('انقلاب ۱۳۵۷ ه.ش و ساعت ۸ ق.ظ')).toBe('انقلاب هزار و سیصد و پنجاه و هفت هجری شمسی و ساعت هشت قبل از ظهر');
    expect(speak('سال ۲۰۲۴ م')).toBe('سال دو هزار و بیست و چهار میلادی');
  });
  it('reads «ص» as page only before a number and as the honorific in parentheses', () => {
    expect(speak('ص ۱۲ و صص ۱۰-۱۲')).toBe('صفحه دوازده و صفحات ده تا دوازده');
    expect(speak('پیامبر (ص) و امام علی (ع)')).toBe('پیامبر صلی\u200Cالله علیه و آله و امام علی علیه\u200Cالسلام');
    expect(speak('حرف ص و ض')).toBe('حرف ص و ض');
  });
  it('reads symbols', () => {
    expect(speak('۲ + ۲ = ۴')).toBe('دو به\u200Cعلاوه دو مساوی چهار');
    expect(speak('۶×۷ و ۸÷۲ و ۵ - ۳')).toBe('شش ضرب در هفت و هشت تقسیم بر دو و پنج منهای سه');
    expect(speak('تحقیق & توسعه')).toBe('تحقیق و توسعه');
    expect(speak('بیمار #۵')).toBe('بیمار شماره پنج');
    expect(speak('«سلام» (دوست من)')).toBe('سلام دوست من');
  });
});

describe('prepareSpeechText: Latin, diacritics, normalisation', () => {
  const line = 'مدل BERT را با TensorFlow.js و GPT-4 اجرا کردیم.';
  it('keeps Latin runs by default', () => {
    expect(speak(line)).toBe(line);
  });
  it('drops Latin runs on request', () => {
    expect(speak(line, { latin: 'drop' })).toBe('مدل را با و اجرا کردیم.');
    expect(speak('دانلود از https://example.com/a/b کنید', { latin: 'drop' })).toBe('دانلود از کنید');
  });
  it('keeps diacritics by default and removes them on request', () => {
    expect(speak('عَلِيٌّ آمد')).toBe('عَلِیٌّ آمد');
    expect(speak('عَلِيٌّ آمد', { keepDiacritics: false })).toBe('علی آمد');
    expect(speak('خانۀ ما')).toBe('خانه\u0654 ما');
  });
  it('normalises letters, half-spaces and bidi marks first', () => {
    expect(speak('\u200Fكتاب ها را مي خوانم\u200E')).toBe('کتاب\u200Cها را می\u200Cخوانم');
  });
});

describe('sentence splitting', () => {
  it('splits at . ! ؟ ? ؛ and line breaks, keeping the punctuation', () => {
    expect(prepareSpeechText('سلام! حالت چطور است؟ من خوبم.\nفردا می‌بینمت؛ ساعت ۹ صبح.').sentences).toEqual([
      'سلام!',
      'حالت چطور است؟',
      'من خوبم.',
      'فردا می\u200Cبینمت؛',
      'ساعت نه صبح.',
    ]);
    expect(prepareSpeechText('خوبی? آره').sentences).toEqual(['خوبی؟', 'آره']);
  });

  it('does not split after an initial, a decimal point or inside abbreviations', () => {
    expect(prepareSpeechText('دکتر م. رضایی گفت نرخ ۳.۵ درصد است.').sentences).toEqual([
      'دکتر م. رضایی گفت نرخ سه ممیز پنج درصد است.',
    ]);
  });

  it('splits a news paragraph into its sentences', () => {
    const news =
      'به گزارش ايسنا، نرخ تورم در خرداد ۱۴۰۳ به ۳۸٫۵٪ رسيد. بانک مرکزي اعلام کرد که قيمت هر دلار ۶۰٬۰۰۰ تومان است!';
    expect(prepareSpeechText(news).sentences).toEqual([
      'به گزارش ایسنا، نرخ تورم در خرداد هزار و چهارصد و سه به سی و هشت ممیز پنج درصد رسید.',
      'بانک مرکزی اعلام کرد که قیمت هر دلار شصت هزار تومان است!',
    ]);
  });

  it('splits an over-long sentence at commas near the limit', () => {
    const clause = 'دانشجویان دانشگاه تهران در کتابخانه مرکزی درس می‌خوانند';
    const long = Array.from({ length: 12 }, () => clause).join('، ');
    const max = 130;
    const { sentences, text } = prepareSpeechText(long, { maxSentenceChars: max });
    expect(sentences.length).toBeGreaterThan(4);
    for (const s of sentences) expect(s.length).toBeLessThanOrEqual(max);
    for (const s of sentences.slice(0, -1)) expect(s.endsWith('،')).toBe(true);
    expect(text).toBe(long);
  });

  it('falls back to spaces when there is no comma, never cutting a word', () => {
    const words = 'این متن بلند هیچ ویرگولی ندارد و باید در فاصله‌ها شکسته شود '.repeat(20).trim();
    const sentences = splitSentences(words, 100);
    for (const s of sentences) expect(s.length).toBeLessThanOrEqual(100);
    expect(sentences.join(' ')).toBe(words);
  });

  it('uses 300 characters by default', () => {
    const long = 'کلمه '.repeat(400).trim();
    const { sentences } = prepareSpeechText(long);
    expect(sentences.length).toBe(Math.ceil(long.length / 300));
    for (const s of sentences) expect(s.length).toBeLessThanOrEqual(300);
  });

  it('gives nothing for empty or punctuation-only input', () => {
    expect(prepareSpeechText('')).toEqual({ text: '', sentences: [] });
    expect(prepareSpeechText(' .. ؟! \n ،').sentences).toEqual([]);
  });
});
