/**
 * What a file's first bytes say it is when it is not UTF-8 text: an Excel workbook renamed to .csv, a PDF, an
 * archive, UTF-16 text. The upload form checks before sending and the server checks what it received, so the user
 * hears "this is an Excel workbook" instead of "the file has only a header row".
 */
export type NonTextKind = 'xlsx' | 'xls' | 'ods' | 'docx' | 'zip' | 'pdf' | 'gzip' | 'image' | 'audio' | 'utf16' | 'binary';

const starts = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array) => String.fromCharCode(...b.subarray(0, Math.min(b.length, 4096)));

export function nonTextKind(head: Uint8Array): NonTextKind | null {
  if (starts(head, [0x50, 0x4b, 0x03, 0x04])) {
    // An Office Open XML or OpenDocument file is a zip whose first entries name its parts.
    const names = ascii(head);
    if (names.includes('xl/')) return 'xlsx';
    if (names.includes('word/')) return 'docx';
    if (names.includes('opendocument.spreadsheet')) return 'ods';
    return 'zip';
  }
  if (starts(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'xls';
  if (starts(head, [0x25, 0x50, 0x44, 0x46])) return 'pdf';
  if (starts(head, [0x1f, 0x8b])) return 'gzip';
  if (starts(head, [0x89, 0x50, 0x4e, 0x47]) || starts(head, [0xff, 0xd8, 0xff]) || starts(head, [0x47, 0x49, 0x46, 0x38])) return 'image';
  if ((starts(head, [0x52, 0x49, 0x46, 0x46]) && starts(head, [0x57, 0x41, 0x56, 0x45], 8)) || starts(head, [0x49, 0x44, 0x33]) || starts(head, [0x4f, 0x67, 0x67, 0x53])) return 'audio';
  if (starts(head, [0xff, 0xfe]) || starts(head, [0xfe, 0xff])) return 'utf16';
  // UTF-16 without a byte-order mark holds NUL in every other byte; binary data holds many. A stray NUL or two in
  // text is left to the line check, which names its line.
  const sample = head.subarray(0, 8192);
  let nul = 0;
  for (const byte of sample) if (byte === 0) nul += 1;
  if (nul * 3 >= sample.length && nul > 0) return 'utf16';
  return nul >= Math.max(4, sample.length / 100) ? 'binary' : null;
}
