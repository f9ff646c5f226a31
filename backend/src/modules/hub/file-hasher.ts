import { Worker } from 'node:worker_threads';

/**
 * The worker's code, plain JavaScript (so it runs the same from src/ under tsx and from dist/): per job it keeps
 * an open file and its hashes, and on `update` reads the file from where it stopped up to `end` and hashes it.
 * Reading back what was just written comes from the page cache, and keeps sha256 off the thread that receives.
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
      parentPort.postMessage({ id: m.id, pos: 0 });
    } else if (m.op === 'update') {
      const job = jobs.get(m.id);
      while (job.pos < m.end) {
        const n = fs.readSync(job.fd, buf, 0, Math.min(buf.length, m.end - job.pos), job.pos);
        if (n <= 0) throw new Error('the file is shorter than ' + m.end + ' bytes');
        const piece = buf.subarray(0, n);
        job.sha256.update(piece);
        if (job.git) job.git.update(piece);
        job.pos += n;
      }
      parentPort.postMessage({ id: m.id, pos: job.pos });
    } else if (m.op === 'digest') {
      const job = jobs.get(m.id);
      jobs.delete(m.id);
      fs.closeSync(job.fd);
      parentPort.postMessage({ id: m.id, sha256: job.sha256.digest('hex'), git: job.git ? job.git.digest('hex') : null });
    } else if (m.op === 'close') {
      const job = jobs.get(m.id);
      jobs.delete(m.id);
      if (job) fs.closeSync(job.fd);
      parentPort.postMessage({ id: m.id, closed: true });
    }
  } catch (err) {
    const job = jobs.get(m.id);
    jobs.delete(m.id);
    if (job) try { fs.closeSync(job.fd); } catch {}
    parentPort.postMessage({ id: m.id, error: String(err && err.message || err), code: err && err.code });
  }
});
`;

interface Reply {
  id: number;
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
  private readonly waiting = new Map<number, (r: Reply) => void>();

  call(msg: Record<string, unknown> & { op: string }, id: number): Promise<Reply> {
    const worker = this.ensure();
    return new Promise<Reply>((resolve) => {
      this.waiting.set(id, resolve);
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage({ ...msg, id });
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
      const done = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (this.waiting.size === 0) worker.unref();
      done?.(r);
    });
    worker.on('error', (err) => {
      // The worker died: fail whatever waited on it; the next call starts a new one.
      this.worker = null;
      const pending = [...this.waiting.entries()];
      this.waiting.clear();
      for (const [id, done] of pending) done({ id, error: err.message });
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
 * Hashes a file from offset 0 as it lands on disk: `advance(end)` says the bytes before `end` are written, and the
 * worker catches up behind. `digest()` waits for it and answers sha256 (and the git oid when asked for).
 */
export class FileHasher {
  private readonly id = shared.newId();
  private readonly opened: Promise<void>;
  private target = 0;
  private hashed = 0;
  private running: Promise<void> | null = null;
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

  get hashedBytes(): number {
    return this.hashed;
  }

  async digest(): Promise<FileDigests> {
    await this.opened;
    while (this.running) await this.running;
    if (this.error) throw this.error;
    const r = await shared.call({ op: 'digest' }, this.id);
    if (r.error !== undefined) throw failed(r);
    return { sha256: r.sha256 ?? '', gitOid: r.git ?? null };
  }

  /** Lets go of the file without a digest (a restart or a failure). */
  async close(): Promise<void> {
    await this.opened.catch(() => undefined);
    while (this.running) await this.running;
    await shared.call({ op: 'close' }, this.id);
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
