import type { ChunkStore } from './chunk-plan.js';
import type { ConnectionBudget } from './connection-limiter.js';

/** How the files of one download are transferred. */
export interface TransferSettings {
  /** Parallel ranges per large file; 1 fetches every file as one stream. */
  connections: number;
  /** Files of at least this many bytes are fetched as parallel ranges. */
  chunkedMinBytes: number;
  /** Where chunk maps are persisted; parallel ranges are used only with one, so a `.part` is never misread. */
  chunks: ChunkStore;
  /** Bounds the connections of the download and per host. */
  budget: ConnectionBudget;
}
