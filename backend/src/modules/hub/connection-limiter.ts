/** A counting semaphore: at most `limit` holders; waiters are served in order. */
export class Semaphore {
  private used = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.used < this.limit) {
      this.used += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.queue.indexOf(grant);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next waiter, so `used` stays the same.
    if (next) next();
    else this.used = Math.max(0, this.used - 1);
  }
}

/** Open connections per host (URL origin), shared by every download of the process. */
export class HostLimiter {
  private readonly hosts = new Map<string, Semaphore>();

  constructor(readonly perHost: number) {}

  forUrl(url: string): Semaphore {
    const origin = new URL(url).origin;
    let s = this.hosts.get(origin);
    if (!s) {
      s = new Semaphore(this.perHost);
      this.hosts.set(origin, s);
    }
    return s;
  }
}

/**
 * The connections one download may use: its own bound (shared by all its files, so file concurrency and
 * chunk count together stay under it) and the host's. Each request holds one slot of each while it runs.
 */
export class ConnectionBudget {
  constructor(
    private readonly download: Semaphore,
    private readonly hosts: HostLimiter | null,
  ) {}

  /** Connections this download has open now. */
  get inUse(): number {
    return this.download.inUse;
  }

  /** Takes a slot for a request to `url`; answers the function that gives it back (call it once). */
  async take(url: string, signal?: AbortSignal): Promise<() => void> {
    // Always the download's slot first, then the host's: holders of a host slot wait on nothing, so no cycle.
    await this.download.acquire(signal);
    const host = this.hosts?.forUrl(url) ?? null;
    try {
      await host?.acquire(signal);
    } catch (err) {
      this.download.release();
      throw err;
    }
    let given = false;
    return () => {
      if (given) return;
      given = true;
      host?.release();
      this.download.release();
    };
  }
}
