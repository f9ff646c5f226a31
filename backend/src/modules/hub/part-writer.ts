import type { FileHandle } from 'node:fs/promises';

/** Buffers per writev, well under IOV_MAX (1024). */
const MAX_BUFFERS = 512;

/** A write starts once this much is gathered (or at the end): small enough for slow links, large enough to be few. */
const MIN_WRITE = 256 * 1024;

/** Bytes written between two background datasyncs of a `.part`. */
const SYNC_EVERY = 32 * 1024 * 1024;

/**
 * Flushes a `.part` to disk in the background as it grows (one datasync at a time, every 32 MiB), so the fsync
 * before the rename has only the tail left to write instead of the whole file. Shared by every writer of a file.
 */
export class BackgroundSync {
  private unsynced = 0;
  private running: Promise<void> | null = null;

  constructor(private readonly fh: FileHandle) {}

  written(bytes: number): void {
    this.unsynced += bytes;
    if (this.running || this.unsynced < SYNC_EVERY) return;
    this.unsynced = 0;
    // A failure here shows again in the final fsync, which is awaited and checked.
    this.running = this.fh.datasync().then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      this.running = null;
    });
  }

  /** Waits for a sync in flight (before the file is closed). */
  async settle(): Promise<void> {
    await this.running;
  }
}

/**
 * Writes a response body into an open `.part` file at its own offsets: one positional writev at a time, with
 * what arrived meanwhile gathered for the next one, so writes grow with the link's speed. No bytes are copied;
 * memory is bounded by `batchLimit` (push() waits past it: that wait is the backpressure), whatever the file size.
 */
export class PartWriter {
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private inflight: Promise<void> | null = null;
  private failure: unknown = null;
  /** Where the next byte given to push() goes. */
  private next: number;

  constructor(
    private readonly fh: FileHandle,
    /** The offset of the first byte. */
    start: number,
    private readonly batchLimit: number,
    /** The bytes before `end` (from `start`) are written. */
    private readonly onWritten: (end: number) => void,
    private readonly sync: BackgroundSync | null = null,
  ) {
    this.next = start;
  }

  async push(chunk: Buffer): Promise<void> {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= MIN_WRITE || this.batch.length >= MAX_BUFFERS) this.kick();
    while (this.inflight && this.batchBytes >= this.batchLimit) await this.inflight;
    if (this.failure) throw this.failure;
  }

  /**
   * Writes a whole response body: at most `max` bytes (`tooMuch` is thrown past them), `onReceived` told the running
   * total. On any failure the body is closed and what arrived is still flushed, so the next attempt resumes after it.
   */
  async receive(body: AsyncIterable<Buffer> & { destroy(): void }, max: number, tooMuch: () => Error, onReceived?: (received: number) => void): Promise<void> {
    let received = 0;
    try {
      for await (const chunk of body) {
        received += chunk.length;
        if (received > max) throw tooMuch();
        onReceived?.(received);
        await this.push(chunk);
      }
      await this.flush();
    } catch (err) {
      body.destroy();
      await this.flush();
      throw err;
    }
  }

  /** Writes what is left and waits until all of it is on disk (also after a failed body: what arrived counts). */
  async flush(): Promise<void> {
    this.kick();
    while (this.inflight) {
      await this.inflight;
      this.kick();
    }
    if (this.failure) throw this.failure;
  }

  private kick(): void {
    if (this.inflight || this.batchBytes === 0 || this.failure) return;
    const buffers = this.batch;
    const end = this.next + this.batchBytes;
    const at = this.next;
    this.next = end;
    this.batch = [];
    this.batchBytes = 0;
    this.inflight = writeAll(this.fh, buffers, at).then(
      () => {
        this.inflight = null;
        this.sync?.written(end - at);
        this.onWritten(end);
        if (this.batchBytes >= MIN_WRITE || this.batch.length >= MAX_BUFFERS) this.kick();
      },
      (err: unknown) => {
        this.inflight = null;
        this.failure = err;
      },
    );
  }
}

/** writev until every byte is written (a short write goes on from where it stopped). */
async function writeAll(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  for (;;) {
    const total = rest.reduce((s, b) => s + b.length, 0);
    const { bytesWritten } = await fh.writev(rest, at);
    if (bytesWritten >= total) return;
    at += bytesWritten;
    let skip = bytesWritten;
    const left: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      left.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    rest = left;
  }
}
