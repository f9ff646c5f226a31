import { describe, expect, it } from 'vitest';
import { firstRecords } from './delimited-records.js';
import { guessHeaderRow } from './header-row.js';

describe('guessHeaderRow', () => {
  it('reads SentiPers-style rows (a sentence and a −2…2 label, no header) as data', () => {
    const sample = '"این فیلم واقعاً عالی بود و بازیگران نقش‌هایشان را خوب بازی کردند",2\n"بد نبود",0\n"افتضاح",-2\n"خوب",1\n';
    expect(guessHeaderRow(firstRecords(sample, ','))).toEqual({ present: false, reason: 'numbers-in-first-row' });
  });

  it('takes short distinct names over the data as a header', () => {
    expect(guessHeaderRow(firstRecords('text,label\nخوب بود,1\nبد بود,0\n', ','))).toEqual({ present: true, reason: 'names-like-a-header' });
    expect(guessHeaderRow(firstRecords('متن\tبرچسب\nخوب\tمثبت\nبد\tمنفی\n', '\t'))).toEqual({ present: true, reason: 'names-like-a-header' });
  });

  it('a header over a numeric column is still a header (the name is not a number)', () => {
    expect(guessHeaderRow(firstRecords('سن,درآمد\n20,1000\n31,1200\n', ',')).present).toBe(true);
  });

  it('a long sentence, Persian digits, or repeated names in the first row mean data', () => {
    const sentence = 'این یک جملهٔ بلند است که هیچ‌کس آن را نام ستون نمی‌گذارد و بیش از شصت نویسه دارد';
    expect(guessHeaderRow(firstRecords(`${sentence},مثبت\nکوتاه,منفی\n`, ','))).toEqual({ present: false, reason: 'long-first-row' });
    expect(guessHeaderRow(firstRecords('خوب,۱\nبد,۰\n', ','))).toEqual({ present: false, reason: 'numbers-in-first-row' });
    expect(guessHeaderRow(firstRecords('مثبت,مثبت\nمنفی,مثبت\n', ','))).toEqual({ present: false, reason: 'repeated-names' });
  });

  it('drops a cut-off last line of a sample and keeps quoted line breaks inside one record', () => {
    expect(firstRecords('a,b\n"x\ny",1\nc,2\nd,', ',')).toEqual([
      ['a', 'b'],
      ['x\ny', '1'],
      ['c', '2'],
    ]);
  });
});
