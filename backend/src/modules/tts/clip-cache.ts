import { randomUUID } from 'node:crypto';

/**
 * Recently synthesised clips, kept in memory for a few minutes so "save" keeps exactly the audio the user heard
 * (a neural voice's output varies from run to run). Bounded by count and bytes; oldest leave first.
 */
export interface CachedClip<M> {
  userId: string;
  wav: Buffer;
  meta: M;
}

export class ClipCache<M> {
  private readonly clips = new Map<string, CachedClip<M> & { expires: number }>();
  private bytes = 0;

  constructor(
    private readonly opts: { ttlMs: number; maxBytes: number; maxClips: number },
    private readonly now: () => number = Date.now,
  ) {}

  put(clip: CachedClip<M>): string {
    this.evictExpired();
    const id = randomUUID();
    if (clip.wav.length > this.opts.maxBytes) return id; // too big to keep; saving it needs a fresh synthesis
    this.clips.set(id, { ...clip, expires: this.now() + this.opts.ttlMs });
    this.bytes += clip.wav.length;
    while (this.bytes > this.opts.maxBytes || this.clips.size > this.opts.maxClips) {
      const [oldest] = this.clips.keys();
      this.remove(oldest!);
    }
    return id;
  }

  /** The clip if it exists, has not expired and belongs to `userId`. */
  get(userId: string, id: string): CachedClip<M> | null {
    this.evictExpired();
    const c = this.clips.get(id);
    return c && c.userId === userId ? c : null;
  }

  private evictExpired(): void {
    const t = this.now();
    for (const [id, c] of this.clips) if (c.expires <= t) this.remove(id);
  }

  private remove(id: string): void {
    const c = this.clips.get(id);
    if (!c) return;
    this.bytes -= c.wav.length;
    this.clips.delete(id);
  }
}
