import { Worker } from 'node:worker_threads';

/**
 * The worker's code, plain JavaScript (so it runs the same from src/ under tsx and from dist/): per job it keeps
 * an open file and its hashes. On `update` it reads the file from where it stopped up to `end` and hashes it
 * (reading back what was just written comes from the page cache); on `feed` it hashes bytes the receiver lends in
 * a SharedArrayBuffer, catching up from the file first if it is behind. Either way sha256 stays off the thread
 * that receives. Each reply carries its call's number.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const jobs = new Map();
const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
parentPort.on('message', (m) => {
  try {
    if (m.op === 'open') {
      const git = m.gitSize === null ? null : createHash('sha1').update('blob ' + m.gitSize + '\\0');
      jobs.set(m.id, { fd: fs.openSync(m.path, 'r'), pos: 0, sha256: createHash('sha256'), git });
      parentPort.postMessage({ call: m.call, pos: 0 });
    } else if (m.op === 'update') {
      const job = jobs.get(m.id);
      readUpTo(job, m.end);
      parentPort.postMessage({ call: m.call, pos: job.pos });
    } else if (m.op === 'feed') {
      const job = jobs.get(m.id);
      readUpTo(job, m.at);
      const skip = job.pos - m.at;
      if (skip < m.length) {
        hash(job, Buffer.from(m.sab, m.offset + skip, m.length - skip));
        job.pos = m.at + m.length;
      }
      parentPort.postMessage({ call: m.call, pos: job.pos });
    } else if (m.op === 'digest') {
      const job = jobs.get(m.id);
      jobs.delete(m.id);
      fs.closeSync(job.fd);
      parentPort.postMessage({ call: m.call, sha256: job.sha256.digest('hex'), git: job.git ? job.git.digest('hex') : null });
    } else if (m.op === 'close') {
      const job = jobs.get(m.id);
      jobs.delete(m.id);
      if (job) fs.closeSync(job.fd);
      parentPort.postMessage({ call: m.call, closed: true });
    }
  } catch (err) {
    const job = jobs.get(m.id);
    jobs.delete(m.id);
    if (job) try { fs.closeSync(job.fd); } catch {}
    parentPort.postMessage({ call: m.call, error: String(err && err.message || err), code: err && err.code });
  }
});
function hash(job, piece) {
  job.sha256.update(piece);
  if (job.git) job.git.update(piece);
}
function readUpTo(job, end) {
  while (job.pos < end) {
    const n = fs.readSync(job.fd, buf, 0, Math.min(buf.length, end - job.pos), job.pos);
    if (n <= 0) throw new Error('the file is shorter than ' + end + ' bytes');
    hash(job, buf.subarray(0, n));
    job.pos += n;
  }
}
`;

interface Reply {
  call: number;
  pos?: number;
  sha256?: string;
  git?: string | null;
  closed?: boolean;
  error?: string;
  code?: string;
}

export interface FileDigests {
  sha256: string;
  /** The git blob oid (sha1 over `blob <size>\0` + content), when asked for. */
  gitOid: string | null;
}

/** One worker thread shared by every file being hashed; referenced only while it has work, so it never keeps a process alive. */
class HashWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private nextCall = 1;
  /** Calls waiting for their reply, by call number (a job may have several in flight). */
  private readonly waiting = new Map<number, (r: Reply) => void>();

  call(msg: Record<string, unknown> & { op: string }, id: number): Promise<Reply> {
    const worker = this.ensure();
    const call = this.nextCall++;
    return new Promise<Reply>((resolve) => {
      this.waiting.set(call, resolve);
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage({ ...msg, id, call });
    });
  }

  newId(): number {
    return this.nextId++;
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    // Plain JavaScript: no loader (tsx under tests) needs to start in it.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.unref();
    worker.on('message', (r: Reply) => {
      const done = this.waiting.get(r.call);
      this.waiting.delete(r.call);
      if (this.waiting.size === 0) worker.unref();
      done?.(r);
    });
    worker.on('error', (err) => {
      // The worker died: fail whatever waited on it; the next call starts a new one.
      this.worker = null;
      const pending = [...this.waiting.entries()];
      this.waiting.clear();
      for (const [call, done] of pending) done({ call, error: err.message });
    });
    this.worker = worker;
    return worker;
  }
}

const shared = new HashWorker();

function failed(r: Reply): Error {
  return Object.assign(new Error(r.error ?? 'hashing failed'), r.code ? { code: r.code } : {});
}

/**
 * Hashes a file from offset 0: `advance(end)` says the bytes before `end` are on disk and the worker reads them
 * back; `feed(piece, at)` hands it bytes still in memory (a stream's slabs), so they are never read again.
 * `digest()` waits for both and answers sha256 (and the git oid when asked for).
 */
export class FileHasher {
  private readonly id = shared.newId();
  private readonly opened: Promise<void>;
  private target = 0;
  private hashed = 0;
  private running: Promise<void> | null = null;
  private readonly feeds = new Set<Promise<void>>();
  private error: Error | null = null;

  constructor(file: string, opts: { gitSize?: number | null } = {}) {
    this.opened = shared.call({ op: 'open', path: file, gitSize: opts.gitSize ?? null }, this.id).then((r) => {
      if (r.error !== undefined) throw failed(r);
    });
    // Seen again by whoever awaits `digest()` or `close()`; never unhandled meanwhile.
    this.opened.catch((err: unknown) => {
      this.error = err as Error;
    });
  }

  /** The bytes before `end` are on disk. */
  advance(end: number): void {
    if (end <= this.target) return;
    this.target = end;
    this.running ??= this.pump();
  }

  /**
   * Hashes `piece`, the file's bytes from `at` in a SharedArrayBuffer, after everything before it (read back
   * from the file when not fed). Resolves once the worker is done with the memory; a failure shows in digest().
   */
  feed(piece: Buffer, at: number): Promise<void> {
    const fed = this.opened
      .then(() => shared.call({ op: 'feed', sab: piece.buffer, offset: piece.byteOffset, length: piece.length, at }, this.id))
      .then(
        (r) => {
          if (r.error !== undefined) this.error ??= failed(r);
          else this.hashed = Math.max(this.hashed, r.pos ?? 0);
        },
        (err: unknown) => {
          this.error ??= err as Error;
        },
      );
    this.feeds.add(fed);
    void fed.finally(() => this.feeds.delete(fed));
    return fed;
  }

  get hashedBytes(): number {
    return this.hashed;
  }

  async digest(): Promise<FileDigests> {
    await this.opened;
    await this.idle();
    if (this.error) throw this.error;
    const r = await shared.call({ op: 'digest' }, this.id);
    if (r.error !== undefined) throw failed(r);
    return { sha256: r.sha256 ?? '', gitOid: r.git ?? null };
  }

  /** Lets go of the file without a digest (a restart or a failure). */
  async close(): Promise<void> {
    await this.opened.catch(() => undefined);
    await this.idle();
    await shared.call({ op: 'close' }, this.id);
  }

  private async idle(): Promise<void> {
    while (this.running || this.feeds.size > 0) await Promise.all([this.running, ...this.feeds]);
  }

  private async pump(): Promise<void> {
    try {
      await this.opened;
      while (this.hashed < this.target && !this.error) {
        const end = this.target;
        const r = await shared.call({ op: 'update', end }, this.id);
        if (r.error !== undefined) this.error = failed(r);
        else this.hashed = r.pos ?? end;
      }
    } catch (err) {
      this.error = err as Error;
    } finally {
      this.running = null;
    }
  }
}
