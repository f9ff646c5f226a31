/**
 * Decides whether a word written as «می…»/«نمی…» is a verb with the continuous prefix, so the normaliser can put
 * the half-space in («میخواهم» → «می‌خواهم»). Glued words are only split when the rest is a known verb stem with a
 * verb ending, because many nouns and names start with «می» (میز، میوه، میدان، میلاد، میرحسین…). When the writer
 * separated «می» with a space the prior is strong, so a looser ending test is enough there.
 */

/** Past stems: bare = 3rd person past («می‌رفت»); also take personal endings and the participle «ـه». */
const PAST_STEMS = `رفت آمد کرد شد گفت داشت دانست توانست خواست بود داد گرفت زد دید نوشت خورد برد آورد یافت رسید کشید
پرسید خرید فروخت ساخت انداخت شناخت پرداخت نشست خوابید ماند خواند راند گذاشت گذشت بست شکست پوشید نوشید دوید ترسید
فهمید بخشید کوشید بارید چرخید خندید گریست پخت سوخت دوخت آموخت افتاد ایستاد فرستاد نهاد گشت کشت کاشت پذیرفت شنید
آفرید رقصید لرزید جنگید چید دزدید مرد زیست شست بافت تابید درخشید رنجید کشاند رساند خوراند ترساند نشاند پراند
چسبید لغزید غلتید نالید پیچید خشکید گنجید ارزید طلبید جوشید کوبید مالید پاشید تراشید آشامید نامید سنجید پسندید
رویید بویید شتافت ریخت آمیخت آویخت گریخت سپرد شمرد فشرد آزرد گسترد نگریست بایست شایست آراست کاست خاست پیوست
جست گسست کوفت شکافت گداخت نواخت باخت تاخت افراشت انباشت پنداشت گماشت نگاشت افروخت اندوخت دوشید بلعید کند
جنبید خراشید گزید کاوید وزید رهاند چشید کوچید چرید تپید پرید جهید مکید لیسید خزید شورید ورزید پایید گروید لولید
پوسید گندید پلکید خارید`;

/** Present stems (vowel-final ones in their glide form: «گوی», «آی»): they need an ending. */
const PRESENT_STEMS = `رو آی کن شو گوی دان توان خواه باش ده گیر زن بین نویس خور بر آور یاب رس کش پرس خر فروش ساز انداز
شناس پرداز نشین خواب مان خوان ران گذار گذر بند شکن پوش نوش دو دوی ترس فهم بخش کوش بار چرخ خند گری گرد پز سوز دوز
آموز افت ایست فرست نه نهی کار پذیر شنو آفرین رقص لرز جنگ چین دزد میر زی شوی باف تاب درخش رنج کشان رسان خوران
ترسان نشان پران چسب لغز غلت نال پیچ خشک گنج ارز طلب جوش کوب مال پاش تراش آشام نام سنج پسند روی بوی جوی گرو
شتاب ریز آمیز آویز گریز سپار شمار فشار آزار گستر نگر بای شای آرای کاه خیز پیوند رهی گسل شکاف گداز نواز باز تاز
افراز انبار پندار گمار نگار دار افروز اندوز دوش بلع جنب خراش گز کاو وز رهان چش کوچ چر تپ پر جه مک لیس خز شور ورز
پای لول پوس گند پلک خار خوا ا`;

/** Colloquial present stems (می‌گم، می‌رم، می‌دونم…): only the colloquial endings. */
const COLLOQUIAL_STEMS = 'گ ر د ش تون دون ار ذار خون مون شین نداز گیر گذر خور';

/** Nouns and names that look like «می» + verb; also used with common noun suffixes («میانش», «میدانی»). */
export const MI_EXCEPTIONS: readonly string[] = [
  'میز', 'میزان', 'میزبان', 'میزگرد', 'میوه', 'میان', 'میانه', 'میانگین', 'میانجی', 'میانی', 'میلیون', 'میلیارد',
  'میلیمتر', 'میلی', 'میل', 'میله', 'میلاد', 'میراث', 'میدان', 'میدانی', 'میهن', 'میهمان', 'مینا', 'مینو', 'میش',
  'میخ', 'میخک', 'میگو', 'میمون', 'میخانه', 'میکده', 'میگون', 'میر', 'میرزا', 'میثم', 'میثاق', 'میعاد', 'میقات',
  'میت', 'میسر', 'میکروب', 'میگرن', 'مین', 'میترا', 'میلان', 'میشل', 'میکائیل', 'میمنت', 'میزانسن',
  // Literary «میرد/میرند» (dies, die) are not the colloquial «می‌رم» (I go).
  'میرد', 'میرند', 'میرید', 'نمیرد', 'نمیرند', 'نمیرید',
];

const FORMAL_ENDINGS = ['م', 'ی', 'د', 'یم', 'ید', 'ند'];
const COLLOQUIAL_ENDINGS = ['م', 'ی', 'ه', 'یم', 'ین', 'ن'];
const ENCLITICS = ['', 'م', 'ت', 'ش', 'مان', 'تان', 'شان', 'مون', 'تون', 'شون'];
/** Suffixes a noun exception may carry and still be that noun. */
const NOUN_SUFFIXES = ['ها', 'های', 'هایی', 'ی', 'ای', 'م', 'ت', 'ش', 'مان', 'تان', 'شان', 'ام', 'ات', 'اش', 'ان'];
/**
 * A suffixed exception that also parses as a verb is taken as the verb («میدانم» = می‌دانم, «میشم» = می‌شم),
 * except these, where the noun reading is likelier or the two are too close to call (left as written).
 */
const NOUN_WINS = new Set(['میانم', 'میانت', 'میانش', 'میانمان', 'میانتان', 'میانشان', 'میمونی']);

function words(list: string): Set<string> {
  return new Set(list.split(/\s+/).filter((w) => w.length > 0));
}

function withEnclitics(endings: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const e of endings) for (const c of ENCLITICS) out.add(e + c);
  return out;
}

const PAST = words(PAST_STEMS);
const PRESENT = words(PRESENT_STEMS);
const COLLOQUIAL = words(COLLOQUIAL_STEMS);
const PAST_TAILS = withEnclitics(['', 'ه', ...FORMAL_ENDINGS, 'ین', 'ن']);
const PRESENT_TAILS = withEnclitics([...FORMAL_ENDINGS, ...COLLOQUIAL_ENDINGS]);
const COLLOQUIAL_TAILS = withEnclitics(COLLOQUIAL_ENDINGS);
/** «می‌توان» (one can) is the one bare present stem in common use. */
const BARE_PRESENT = new Set(['توان']);

const EXCEPTIONS: ReadonlySet<string> = (() => {
  const out = new Set<string>(MI_EXCEPTIONS);
  for (const w of MI_EXCEPTIONS) {
    for (const suffix of NOUN_SUFFIXES) {
      const form = w + suffix;
      if (NOUN_WINS.has(form) || !isVerbAfterMi(form.slice(2))) out.add(form);
    }
  }
  return out;
})();

/** Words after a separated «می» that mean it is the noun «مِی» (wine) or the month, not the prefix. */
const STOP_AFTER_MI = new Set([
  'است', 'هست', 'نیست', 'بود', 'را', 'که', 'و', 'از', 'به', 'با', 'در', 'تا', 'یا', 'این', 'آن', 'من', 'تو', 'او', 'ما',
  'شما', 'ایشان', 'آنها', 'خود', 'نه', 'هم', 'چه', 'ناب', 'کهنه', 'گلگون',
]);
const VERBISH_LAST = new Set(['م', 'د', 'ت', 'ن', 'ی', 'ه', 'ش']);

/** True when `rest` (the letters after «می») is a known verb stem with a verb ending. */
export function isVerbAfterMi(rest: string): boolean {
  if (BARE_PRESENT.has(rest)) return true;
  const max = Math.min(rest.length, 12);
  for (let i = 1; i <= max; i++) {
    const stem = rest.slice(0, i);
    const tail = rest.slice(i);
    if (PAST.has(stem) && PAST_TAILS.has(tail)) return true;
    if (PRESENT.has(stem) && PRESENT_TAILS.has(tail)) return true;
    if (COLLOQUIAL.has(stem) && COLLOQUIAL_TAILS.has(tail)) return true;
  }
  return false;
}

/** A glued word «[preverb]ن?می» + rest: split only known verbs that are not listed nouns. */
export function isGluedMiVerb(mi: string, rest: string): boolean {
  return !EXCEPTIONS.has(mi + rest) && !EXCEPTIONS.has('می' + rest) && isVerbAfterMi(rest);
}

/** The word after a free-standing «می»/«نمی»: a known verb, or any word ending like a verb form. */
export function isVerbAfterSeparatedMi(prefix: string, next: string): boolean {
  if (STOP_AFTER_MI.has(next) || next.length < 2) return false;
  if (prefix === 'نمی') return true;
  if (EXCEPTIONS.has('می' + next)) return false;
  if (isVerbAfterMi(next)) return true;
  return VERBISH_LAST.has(next[next.length - 1] ?? '');
}
