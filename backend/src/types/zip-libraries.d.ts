// The parts of archiver 5 and unzipper 0.10 (both ship without types) that the model archives use.

declare module 'archiver' {
  import type { Readable, Transform } from 'node:stream';

  interface EntryData {
    name: string;
    date?: Date;
    mode?: number;
  }

  interface Archiver extends Transform {
    append(source: Readable | Buffer | string, data: EntryData): this;
    file(filepath: string, data: EntryData): this;
    symlink(filepath: string, target: string, mode?: number): this;
    finalize(): Promise<void>;
    pointer(): number;
  }

  function archiver(format: 'zip', options?: { zlib?: { level?: number }; store?: boolean; forceZip64?: boolean }): Archiver;
  export default archiver;
}

declare module 'unzipper' {
  /** One central directory record, as unzipper reads it (sizes and offset already taken from a zip64 extra field). */
  interface CentralDirectoryFile {
    path: string;
    pathBuffer: Buffer;
    type: 'File' | 'Directory';
    versionMadeBy: number;
    flags: number;
    compressionMethod: number;
    crc32: number;
    compressedSize: number;
    uncompressedSize: number;
    externalFileAttributes: number;
    offsetToLocalFileHeader: number;
    /** The entry inflated (tests read archives with it; the server unpacks entries itself). */
    buffer(): Promise<Buffer>;
  }

  interface CentralDirectory {
    files: CentralDirectoryFile[];
    numberOfRecords: number;
  }

  const unzipper: { Open: { file(path: string): Promise<CentralDirectory>; buffer(data: Buffer): Promise<CentralDirectory> } };
  export default unzipper;
}
