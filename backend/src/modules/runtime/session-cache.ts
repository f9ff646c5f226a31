/**
 * Loaded models kept under a memory budget, least recently used evicted first. Sizes are what each entry is
 * counted as (its ONNX weights); a load that does not fit evicts until it does. One worker runs one job at a
 * time, so loads never overlap.
 */
export class SessionCache<T> {
  // Map order is recency order: a hit moves the entry to the end.
  private readonly entries = new Map<string, { value: T; bytes: number }>();

  constructor(
    private readonly budgetBytes: number,
    private readonly dispose: (value: T) => Promise<void>,
  ) {}

  get usedBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.bytes;
    return n;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The entry (now the most recent) and whether it was already loaded. */
  async get(key: string, bytes: number, load: () => Promise<T>): Promise<{ value: T; cached: boolean }> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return { value: hit.value, cached: true };
    }
    if (bytes > this.budgetBytes) throw new Error(`the model needs ${bytes} bytes, more than the budget of ${this.budgetBytes}`);
    await this.evictFor(bytes);
    const value = await load();
    this.entries.set(key, { value, bytes });
    return { value, cached: false };
  }

  /** Lets every loaded model go. */
  async clear(): Promise<void> {
    for (const [key, e] of this.entries) {
      this.entries.delete(key);
      await this.dispose(e.value).catch(() => undefined);
    }
  }

  private async evictFor(bytes: number): Promise<void> {
    for (const [key, e] of this.entries) {
      if (this.usedBytes + bytes <= this.budgetBytes) return;
      this.entries.delete(key);
      await this.dispose(e.value).catch(() => undefined);
    }
  }
}
