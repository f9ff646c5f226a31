/**
 * A Persian sentiment dataset written by the suite: short reviews built from real phrases, labelled مثبت / منفی.
 * Deterministic (no randomness) so every run trains on the same rows.
 */
const SUBJECTS = ['این فیلم', 'این کتاب', 'غذای رستوران', 'این گوشی', 'اتاق هتل', 'این سریال', 'خدمات پشتیبانی', 'کیفیت چاپ', 'این فروشگاه', 'بازی بازیگران', 'صدای بلندگو', 'طراحی سایت'];
const POSITIVE = ['عالی بود', 'واقعاً خوب بود', 'فوق‌العاده بود', 'بی‌نظیر بود', 'خیلی دوست‌داشتنی بود', 'از انتظارم بهتر بود', 'ارزش خرید داشت', 'شگفت‌انگیز بود'];
const NEGATIVE = ['افتضاح بود', 'خیلی بد بود', 'ناامیدکننده بود', 'اصلاً ارزش نداشت', 'خسته‌کننده بود', 'از انتظارم بدتر بود', 'پولم هدر رفت', 'ضعیف و بی‌کیفیت بود'];
const TAILS = ['', ' و به دوستانم می‌گویم', ' و دوباره می‌خرم', ' و پیشنهاد می‌کنم', '!', '؛ همین.'];
const NEG_TAILS = ['', ' و به دوستانم می‌گویم', ' و دیگر نمی‌خرم', ' و پیشنهاد نمی‌کنم', '!', '؛ همین.'];

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** `rows` reviews, half positive and half negative, as CSV with the header «متن,برچسب». */
export function sentimentCsv(rows: number): string {
  const lines = ['متن,برچسب'];
  for (let i = 0; i < rows; i += 1) {
    const positive = i % 2 === 0;
    const subject = SUBJECTS[(i * 7) % SUBJECTS.length]!;
    const verdict = (positive ? POSITIVE : NEGATIVE)[Math.floor(i / 2) % 8]!;
    const tail = (positive ? TAILS : NEG_TAILS)[Math.floor(i / 5) % TAILS.length]!;
    lines.push(`${csvCell(`${subject} ${verdict}${tail}`)},${positive ? 'مثبت' : 'منفی'}`);
  }
  return `${lines.join('\n')}\n`;
}
