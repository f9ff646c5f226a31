import { describe, expect, it } from 'vitest';
import { formatFromName } from '@sokhan/common';
import { DatasetFileError, parseRecords, sniffFormat, type ParseOptions, type ParsedRecord } from './dataset-parser.js';

/** Feeds the text in chunks of `size` bytes, so multi-byte characters and line ends fall across chunk edges. */
async function* chunks(text: string | Buffer, size = 7): AsyncGenerator<Buffer> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function all(text: string | Buffer, format: 'csv' | 'tsv' | 'jsonl', opts: ParseOptions = {}, size = 7): Promise<ParsedRecord[]> {
  const out: ParsedRecord[] = [];
  for await (const r of parseRecords(chunks(text, size), format, opts)) out.push(r);
  return out;
}

async function problem(text: string | Buffer, format: 'csv' | 'tsv' | 'jsonl', opts: ParseOptions = {}) {
  try {
    await all(text, format, opts);
  } catch (err) {
    if (err instanceof DatasetFileError) return err.problem;
    throw err;
  }
  throw new Error('expected a DatasetFileError');
}

describe('CSV and TSV', () => {
  it('parses Persian rows with quotes, embedded delimiters, doubled quotes, line breaks, CRLF and a BOM', async () => {
    const csv = '\uFEFFمتن,برچسب\r\n"سلام، دنیا",مثبت\r\n"او گفت ""عالی"" بود",مثبت\r\n"خط اول\nخط دوم",منفی\r\n\r\nآخر,\r\n';
    const recs = await all(csv, 'csv');
    expect(recs.map((r) => r.values)).toEqual([
      { متن: 'سلام، دنیا', برچسب: 'مثبت' },
      { متن: 'او گفت "عالی" بود', برچسب: 'مثبت' },
      { متن: 'خط اول\nخط دوم', برچسب: 'منفی' },
      { متن: 'آخر', برچسب: null },
    ]);
    expect(recs.map((r) => r.line)).toEqual([2, 3, 4, 7]);
  });

  it('records byte offsets that a later read can start from', async () => {
    const csv = 'a,b\n1,یک\n2,دو\n3,سه\n';
    const recs = await all(csv, 'csv');
    const third = recs[2]!;
    const rest = Buffer.from(csv).subarray(third.byteOffset);
    const again = await all(rest, 'csv', { header: ['a', 'b'], start: { byteOffset: third.byteOffset, line: third.line } });
    expect(again).toEqual([{ values: { a: '3', b: 'سه' }, line: 4, byteOffset: third.byteOffset }]);
  });

  it('names blank and repeated header cells and tolerates a trailing delimiter', async () => {
    const recs = await all('x,,x\n1,2,3,\n', 'csv');
    expect(recs[0]!.values).toEqual({ x: '1', column_2: '2', x_2: '3' });
  });

  it('reads TSV with tabs inside Persian text rows', async () => {
    const recs = await all('text\tlabel\nکتاب خوب بود\tpos\n', 'tsv');
    expect(recs[0]!.values).toEqual({ text: 'کتاب خوب بود', label: 'pos' });
  });

  it('skips a few ragged rows and refuses the file past the tolerance, naming the line', async () => {
    const skipped: number[] = [];
    const some = await all('a,b\n1,2\n3\n4,5\n', 'csv', { onRagged: (l) => skipped.push(l) });
    expect(some).toHaveLength(2);
    expect(skipped).toEqual([3]);
    const p = await problem('a,b\n1,2\n3\n4\n5,6\n', 'csv', { raggedTolerance: () => 1 });
    expect(p).toMatchObject({ line: 4, reason: 'ragged-rows' });
  });

  it('refuses an unterminated quote with the line it opened on', async () => {
    expect(await problem('a,b\n1,2\n"open,3\n4,5\n', 'csv')).toMatchObject({ line: 3, reason: 'unterminated-quote' });
  });

  it('refuses invalid UTF-8 with its line, even when the bad byte sits on a chunk edge', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\nسلام,1\n'), Buffer.from([0xd8, 0x41]), Buffer.from(',2\n')]);
    expect(await problem(bytes, 'csv')).toMatchObject({ line: 3, reason: 'invalid-utf8' });
    const latin1 = Buffer.from('a,b\ncaf\xe9,1\n', 'latin1');
    expect(await problem(latin1, 'csv')).toMatchObject({ line: 2, reason: 'invalid-utf8' });
  });

  it('refuses NUL in a CSV cell or header, and NUL or lone surrogates spelled as JSONL escapes, with the line', async () => {
    expect(await problem('text,label\nخوب,1\nبد\u0000,0\n', 'csv')).toMatchObject({ line: 3, reason: 'invalid-text' });
    expect(await problem('te\u0000xt,label\nخوب,1\n', 'csv')).toMatchObject({ line: 1, reason: 'invalid-text' });
    expect(await problem('text\tlabel\nok\t1\nx\u0000\t2\n', 'tsv')).toMatchObject({ line: 3, reason: 'invalid-text' });
    expect(await problem('{"text":"خوب"}\n{"text":"a\\u0000"}\n', 'jsonl')).toMatchObject({ line: 2, reason: 'invalid-text' });
    expect(await problem('{"text":"ok"}\n{"text":"\\ud800"}\n', 'jsonl')).toMatchObject({ line: 2, reason: 'invalid-text' });
    expect(await problem('{"te\\u0000xt":"ok"}\n', 'jsonl')).toMatchObject({ line: 1, reason: 'invalid-text' });
    // A paired surrogate (an emoji) spelled as escapes is fine.
    expect(await all('{"text":"\\ud83d\\ude00"}\n', 'jsonl')).toHaveLength(1);
  });

  it('refuses an over-long line without buffering it whole', async () => {
    const long = 'a\n' + 'ب'.repeat(2000) + '\n';
    expect(await problem(long, 'csv', { maxLineBytes: 1000 })).toMatchObject({ line: 2, reason: 'line-too-long' });
  });
});

describe('JSONL', () => {
  it('keeps numbers and booleans, turns nested values into JSON text, skips blank lines', async () => {
    const recs = await all('{"text":"خوب","score":4.5,"ok":true,"meta":{"a":1}}\n\n{"text":"بد","score":null}\n', 'jsonl');
    expect(recs.map((r) => r.values)).toEqual([
      { text: 'خوب', score: 4.5, ok: true, meta: '{"a":1}' },
      { text: 'بد', score: null },
    ]);
    expect(recs[1]!.line).toBe(3);
  });

  it('names the line of invalid JSON and of a line that is not an object', async () => {
    expect(await problem('{"a":1}\n{"a":\n', 'jsonl')).toMatchObject({ line: 2, reason: 'invalid-json' });
    expect(await problem('{"a":1}\n[1,2]\n', 'jsonl')).toMatchObject({ line: 2, reason: 'not-an-object' });
  });
});

describe('format detection', () => {
  it('goes by extension, else by the first line', () => {
    expect(formatFromName('نظرات.CSV')).toBe('csv');
    expect(formatFromName('x.ndjson')).toBe('jsonl');
    expect(formatFromName('x.tab')).toBe('tsv');
    expect(formatFromName('x.txt')).toBeNull();
    expect(sniffFormat(Buffer.from('{"a":1}\n'))).toBe('jsonl');
    expect(sniffFormat(Buffer.from('a\tb\n'))).toBe('tsv');
    expect(sniffFormat(Buffer.from('\uFEFFa,b\n'))).toBe('csv');
  });
});
