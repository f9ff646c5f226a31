/**
 * A CSV/TSV record reader over decoded lines: RFC 4180 quoting (a field that starts with a double quote may hold
 * the delimiter, "" and line breaks), lenient about text after a closing quote. Blank lines are skipped.
 * The server parses stored files with it; the upload form reads a file's first records with it before sending.
 */
export class DelimitedRecords {
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  private inQuotes = false;
  private startLine = 0;
  private startOffset = 0;
  private chars = 0;

  constructor(
    private readonly delimiter: string,
    private readonly maxRecordChars: number,
    /** Called (and expected to throw) when one record grows past maxRecordChars. */
    private readonly tooLong: (startLine: number) => never,
  ) {}

  get open(): boolean {
    return this.inQuotes;
  }
  get openLine(): number {
    return this.startLine;
  }

  /** Feeds one line; returns the finished record's fields, or null when the record goes on (or the line is blank). */
  push(text: string, line: number, byteOffset: number): { fields: string[]; line: number; byteOffset: number } | null {
    if (!this.inQuotes) {
      if (text.trim() === '') return null;
      this.startLine = line;
      this.startOffset = byteOffset;
      this.fields = [];
      this.field = '';
      this.quoted = false;
      this.chars = 0;
    } else {
      this.field += '\n';
    }
    this.chars += text.length + 1;
    if (this.chars > this.maxRecordChars) this.tooLong(this.startLine);
    const d = this.delimiter;
    let i = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (this.inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i += 2;
            continue;
          }
          this.inQuotes = false;
          i += 1;
          continue;
        }
        // Copy the run up to the next quote in one step.
        const q = text.indexOf('"', i);
        const end = q === -1 ? text.length : q;
        this.field += text.slice(i, end);
        i = end;
        continue;
      }
      if (c === d) {
        this.fields.push(this.field);
        this.field = '';
        this.quoted = false;
        i += 1;
        continue;
      }
      if (c === '"' && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
        i += 1;
        continue;
      }
      const next = text.indexOf(d, i);
      const end = next === -1 ? text.length : next;
      this.field += text.slice(i, end);
      i = end;
    }
    if (this.inQuotes) return null;
    this.fields.push(this.field);
    return { fields: this.fields, line: this.startLine, byteOffset: this.startOffset };
  }
}

/** The first complete records of a CSV/TSV text sample (a file's head: a cut-off last line is dropped). */
export function firstRecords(sample: string, delimiter: string, max = 20): string[][] {
  const lines = sample.replace(/^\uFEFF/, '').split('\n');
  if (lines.length > 1) lines.pop();
  const reader = new DelimitedRecords(delimiter, 1 << 20, () => {
    throw new Error('record too long');
  });
  const out: string[][] = [];
  for (let i = 0; i < lines.length && out.length < max; i++) {
    const rec = reader.push(lines[i]!.replace(/\r$/, ''), i + 1, 0);
    if (rec) out.push(rec.fields);
  }
  return out;
}
