import type { FileHandle } from 'node:fs/promises';
import type { BodySink, FileBody } from './file-body.js';

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

/** How a writer holds a body on its way to disk: `count` slabs of `bytes` each, its whole memory whatever the file. */
export interface SlabPlan {
  bytes: number;
  count: number;
}

export interface PartWriterOptions {
  slabs: SlabPlan;
  /** The bytes before `end` (from the start offset) are written. */
  onWritten: (end: number) => void;
  sync?: BackgroundSync | null;
  /**
   * Hashes each piece while it is still in memory (a single stream's bytes arrive in file order); the slab is
   * reused once this resolves. The slabs are then SharedArrayBuffers, so the hashing thread reads them in place.
   */
  hash?: (piece: Buffer, at: number) => Promise<void>;
}

interface Write {
  end: number;
  done: boolean;
}

/**
 * Writes a response body into an open `.part` file at its own offsets. The socket reads straight into the
 * writer's slabs (it is the body's sink); a full slab, or what gathered while no write was in flight (so writes
 * grow with the link's speed), goes to disk as one positional write (and to the hasher, when given) while the
 * next slab fills. Memory is the slabs; when none is free the body pauses until one is: that wait is the
 * backpressure.
 */
export class PartWriter implements BodySink {
  private readonly slabs: Buffer[] = [];
  /** Writes and hashings in flight from each slab. */
  private readonly busy: number[] = [];
  private cur = -1;
  /** Bytes in the current slab, and where its part not yet handed to a write starts. */
  private fill = 0;
  private cut = 0;
  private readonly writes: Write[] = [];
  private inflight = 0;
  private idle: (() => void) | null = null;
  private failure: unknown = null;
  private body: FileBody | null = null;
  private paused = false;
  private received = 0;
  /** The body's bound and progress callback, from receive(). */
  private limit: { max: number; tooMuch: () => Error; onReceived: ((received: number) => void) | undefined } | null = null;
  /** Where the next byte of the body goes in the file. */
  private next: number;

  private readonly plan: SlabPlan;

  constructor(
    private readonly fh: FileHandle,
    /** The offset of the first byte. */
    start: number,
    private readonly opts: PartWriterOptions,
  ) {
    this.plan = opts.slabs;
    this.next = start;
  }

  /**
   * Writes a whole response body: at most `max` bytes (`tooMuch` is thrown past them), `onReceived` told the running
   * total. On any failure the body is closed and what arrived is still written, so the next attempt resumes after it.
   */
  async receive(body: FileBody, max: number, tooMuch: () => Error, onReceived?: (received: number) => void): Promise<void> {
    this.body = body;
    this.limit = { max, tooMuch, onReceived };
    try {
      await body.pump(this);
    } catch (err) {
      body.destroy();
      await this.flush().catch(() => undefined);
      throw this.failure ?? err;
    }
    await this.flush();
  }

  space(): Buffer {
    if (this.cur < 0) this.take();
    return this.slabs[this.cur]!.subarray(this.fill);
  }

  filled(n: number): boolean {
    const limit = this.limit!;
    if (this.failure) return false;
    if (this.received + n > limit.max) return this.fail(limit.tooMuch());
    this.received += n;
    this.fill += n;
    limit.onReceived?.(this.received);
    if (this.fill === this.plan.bytes) {
      this.hand();
      this.cur = -1;
      if (!this.hasFree()) {
        this.paused = true;
        return false;
      }
    } else if (this.inflight === 0 && this.fill - this.cut >= MIN_WRITE) {
      this.hand();
    }
    return true;
  }

  /** Writes what is left and waits until all of it is on disk (also after a failed body: what arrived counts). */
  private async flush(): Promise<void> {
    this.hand();
    while (this.inflight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    if (this.failure) throw this.failure;
  }

  /** The current slab becomes a free one (allocated up to the plan's count); there is one whenever space() is asked. */
  private take(): void {
    for (let i = 0; i < this.slabs.length; i += 1) {
      if (this.busy[i] === 0) {
        this.cur = i;
        this.fill = 0;
        this.cut = 0;
        return;
      }
    }
    if (this.slabs.length >= this.plan.count) throw new Error('no free slab');
    this.slabs.push(this.opts.hash ? Buffer.from(new SharedArrayBuffer(this.plan.bytes)) : Buffer.allocUnsafeSlow(this.plan.bytes));
    this.busy.push(0);
    this.cur = this.slabs.length - 1;
    this.fill = 0;
    this.cut = 0;
  }

  private hasFree(): boolean {
    return this.slabs.length < this.plan.count || this.busy.some((b) => b === 0);
  }

  /** Hands the current slab's unwritten bytes to a positional write. */
  private hand(): void {
    if (this.cur < 0 || this.fill === this.cut || this.failure) return;
    const slab = this.cur;
    const piece = this.slabs[slab]!.subarray(this.cut, this.fill);
    this.cut = this.fill;
    const at = this.next;
    const w: Write = { end: at + piece.length, done: false };
    this.next = w.end;
    this.writes.push(w);
    this.busy[slab] = (this.busy[slab] ?? 0) + 1;
    this.inflight += 1;
    writeAll(this.fh, piece, at).then(
      () => {
        w.done = true;
        this.opts.sync?.written(piece.length);
        let end = -1;
        while (this.writes[0]?.done) end = this.writes.shift()!.end;
        if (end >= 0) this.opts.onWritten(end);
        this.written(slab);
      },
      (err: unknown) => {
        this.fail(err);
        this.written(slab);
      },
    );
    if (this.opts.hash) {
      this.busy[slab] = (this.busy[slab] ?? 0) + 1;
      void this.opts.hash(piece, at).then(() => this.release(slab));
    }
  }

  private written(slab: number): void {
    this.inflight -= 1;
    if (this.inflight === 0) {
      this.idle?.();
      this.idle = null;
    }
    this.release(slab);
    if (!this.failure && !this.paused && this.inflight === 0 && this.fill - this.cut >= MIN_WRITE) this.hand();
  }

  /** One use of a slab ended; a body paused for want of a free slab goes on. */
  private release(slab: number): void {
    this.busy[slab] = (this.busy[slab] ?? 1) - 1;
    if (this.failure || !this.paused || !this.hasFree()) return;
    this.paused = false;
    this.body?.resume();
  }

  private fail(err: unknown): false {
    this.failure ??= err;
    this.body?.destroy(err instanceof Error ? err : new Error(String(err)));
    return false;
  }
}

/** Writes until every byte is written (a short write goes on from where it stopped). */
async function writeAll(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}
