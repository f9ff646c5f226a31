import { describe, expect, it } from 'vitest';
import { nonTextKind } from './file-kind.js';

// Strings are single-byte (latin1) here, as signatures are written.
const bytes = (...parts: (number[] | string)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('nonTextKind', () => {
  it('passes UTF-8 text, Persian included', () => {
    expect(nonTextKind(new TextEncoder().encode('متن,برچسب\nخوب,1\n'))).toBeNull();
    expect(nonTextKind(new Uint8Array())).toBeNull();
  });
  it('names an Excel workbook (xlsx or old xls) whatever the file was called', () => {
    expect(nonTextKind(bytes([0x50, 0x4b, 0x03, 0x04], '\x14\x00\x06\x00[Content_Types].xml....xl/workbook.xml'))).toBe('xlsx');
    expect(nonTextKind(bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]))).toBe('xls');
    expect(nonTextKind(bytes([0x50, 0x4b, 0x03, 0x04], 'mimetypeapplication/vnd.oasis.opendocument.spreadsheet'))).toBe('ods');
    expect(nonTextKind(bytes([0x50, 0x4b, 0x03, 0x04], 'data.csv'))).toBe('zip');
  });
  it('names PDFs, gzip, images, audio and UTF-16 text', () => {
    expect(nonTextKind(bytes('%PDF-1.7\n'))).toBe('pdf');
    expect(nonTextKind(bytes([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(nonTextKind(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]))).toBe('image');
    expect(nonTextKind(bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt '))).toBe('audio');
    expect(nonTextKind(bytes([0xff, 0xfe], 't\0e\0x\0t\0'))).toBe('utf16');
    expect(nonTextKind(bytes('t\0e\0x\0t\0,\0l\0'))).toBe('utf16');
    expect(nonTextKind(bytes('abc', [0, 0, 1, 0, 0, 2, 0, 0], 'def ghi jkl mno pqr'))).toBe('binary');
    // One stray NUL in text is the line check's to report, with its line.
    expect(nonTextKind(bytes('text,label\nabc', [0], ',1\n'))).toBeNull();
  });
});
