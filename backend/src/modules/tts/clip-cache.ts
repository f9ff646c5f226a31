import { randomUUID } from 'node:crypto';

/**
 * Recently synthesised clips, kept in memory for a few minutes so "save" keeps exactly the audio the user heard
 * (a neural voice's output varies from run to run). Bounded by count and bytes, in all and per user: a user past
 * their share loses their own oldest clips, and when the whole cache is full the biggest holder gives one up, so
 * nobody can push another user's unsaved clips out by synthesising a lot.
 */
export interface CachedClip<M> {
  userId: string;
  wav: Buffer;
  meta: M;
}

export interface ClipCacheLimits {
  ttlMs: number;
  maxBytes: number;
  maxClips: number;
  perUserBytes: number;
  perUserClips: number;
}

interface Held {
  bytes: number;
  /** Clip ids, oldest first. */
  ids: string[];
}

export class ClipCache<M> {
  private readonly clips = new Map<string, CachedClip<M> & { expires: number }>();
  private readonly users = new Map<string, Held>();
  private bytes = 0;

  constructor(
    private readonly opts: ClipCacheLimits,
    private readonly now: () => number = Date.now,
  ) {}

  put(clip: CachedClip<M>): string {
    this.evictExpired();
    const id = randomUUID();
    const size = clip.wav.length;
    // Too big to keep; saving it needs a fresh synthesis.
    if (size > this.opts.maxBytes || size > this.opts.perUserBytes) return id;
    const held = this.users.get(clip.userId);
    while (held && held.ids.length > 0 && (held.bytes + size > this.opts.perUserBytes || held.ids.length + 1 > this.opts.perUserClips)) {
      this.remove(held.ids[0]!);
    }
    this.clips.set(id, { ...clip, expires: this.now() + this.opts.ttlMs });
    const mine = this.users.get(clip.userId) ?? { bytes: 0, ids: [] };
    mine.bytes += size;
    mine.ids.push(id);
    this.users.set(clip.userId, mine);
    this.bytes += size;
    while (this.bytes > this.opts.maxBytes || this.clips.size > this.opts.maxClips) {
      this.remove(this.biggestHolder().ids[0]!);
    }
    return id;
  }

  /** The clip if it exists, has not expired and belongs to `userId`. */
  get(userId: string, id: string): CachedClip<M> | null {
    this.evictExpired();
    const c = this.clips.get(id);
    return c && c.userId === userId ? c : null;
  }

  private biggestHolder(): Held {
    let top: Held | null = null;
    for (const h of this.users.values()) if (!top || h.bytes > top.bytes || (h.bytes === top.bytes && h.ids.length > top.ids.length)) top = h;
    return top!;
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
    const held = this.users.get(c.userId)!;
    held.bytes -= c.wav.length;
    held.ids.splice(held.ids.indexOf(id), 1);
    if (held.ids.length === 0) this.users.delete(c.userId);
  }
}
