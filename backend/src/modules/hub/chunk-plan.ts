/**
 * The chunk map of a file fetched as parallel ranges: fixed-size pieces, each with the bytes of it already on
 * disk. It is what gets persisted, so a dropped connection or a restart resumes each unfinished piece.
 */
export interface ChunkMap {
  size: number;
  /** The LFS sha256 the file must have; a map made for other content is not reused. */
  sha256: string | null;
  /** The host's ETag for the bytes; a different one means the content changed and the file restarts. */
  etag: string | null;
  chunkSize: number;
  /** Bytes on disk from the start of each piece (piece i starts at i * chunkSize). */
  done: number[];
}

/** Persists chunk maps, keyed by the `.part` file they describe. */
export interface ChunkStore {
  load(partFile: string): Promise<ChunkMap | null>;
  save(partFile: string, map: ChunkMap): Promise<void>;
  remove(partFile: string): Promise<void>;
}

const MiB = 1024 * 1024;
const MIN_CHUNK = 4 * MiB;
const MAX_CHUNK = 64 * MiB;

/**
 * About four pieces per connection (so a slow connection holds back little at the end and pieces finish
 * roughly in order, keeping the hashed prefix close behind), between 4 and 64 MiB, whole MiBs.
 */
export function chunkSizeFor(size: number, connections: number): number {
  const ideal = Math.ceil(size / (Math.max(1, connections) * 4) / MiB) * MiB;
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, ideal));
}

export function newChunkMap(size: number, sha256: string | null, connections: number): ChunkMap {
  const chunkSize = chunkSizeFor(size, connections);
  return { size, sha256, etag: null, chunkSize, done: new Array<number>(Math.ceil(size / chunkSize)).fill(0) };
}

export function chunkStart(map: ChunkMap, i: number): number {
  return i * map.chunkSize;
}

export function chunkLength(map: ChunkMap, i: number): number {
  return Math.min(map.chunkSize, map.size - i * map.chunkSize);
}

export function isChunkDone(map: ChunkMap, i: number): boolean {
  return (map.done[i] ?? 0) >= chunkLength(map, i);
}

/** Bytes on disk over all pieces. */
export function bytesDone(map: ChunkMap): number {
  return map.done.reduce((s, d) => s + d, 0);
}

/** The end of the contiguous run of bytes from offset 0: everything before it is on disk. */
export function contiguousEnd(map: ChunkMap): number {
  let end = 0;
  for (let i = 0; i < map.done.length; i += 1) {
    const d = map.done[i] ?? 0;
    end = chunkStart(map, i) + d;
    if (d < chunkLength(map, i)) break;
  }
  return end;
}

/** A stored map still describes this file (same size and digest, a sane shape); anything else starts over. */
export function fitsFile(map: ChunkMap, size: number, sha256: string | null): boolean {
  if (map.size !== size || map.sha256 !== sha256) return false;
  if (!Number.isSafeInteger(map.chunkSize) || map.chunkSize <= 0) return false;
  if (map.done.length !== Math.ceil(size / map.chunkSize)) return false;
  return map.done.every((d, i) => Number.isSafeInteger(d) && d >= 0 && d <= chunkLength(map, i));
}
