import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { MirrorTokenEntry, MirrorTokens } from './types.js';

export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'invalid' }
  | { kind: 'user'; token: string; entry: MirrorTokenEntry };

/**
 * The tokens the mirror accepts: those passed in code, plus `tokens.json` in the served folder
 * (re-read when it changes, so a lab can add a user without a restart). Code-given tokens win.
 */
export class TokenBook {
  private fileCache: { mtimeMs: number; tokens: MirrorTokens } | null = null;

  constructor(
    private readonly dir: string,
    private readonly given: MirrorTokens = {},
  ) {}

  async all(): Promise<MirrorTokens> {
    return { ...(await this.fromFile()), ...this.given };
  }

  async identify(authorization: string | undefined): Promise<Caller> {
    if (authorization === undefined) return { kind: 'anonymous' };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m?.[1]) return { kind: 'invalid' };
    const entry = (await this.all())[m[1]];
    return entry && typeof entry.name === 'string' ? { kind: 'user', token: m[1], entry } : { kind: 'invalid' };
  }

  private async fromFile(): Promise<MirrorTokens> {
    const file = path.join(this.dir, 'tokens.json');
    const stat = await fsp.stat(file).catch(() => null);
    if (!stat) return {};
    if (this.fileCache?.mtimeMs === stat.mtimeMs) return this.fileCache.tokens;
    let tokens: MirrorTokens = {};
    try {
      const parsed: unknown = JSON.parse(await fsp.readFile(file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) tokens = parsed as MirrorTokens;
    } catch {
      tokens = {};
    }
    this.fileCache = { mtimeMs: stat.mtimeMs, tokens };
    return tokens;
  }
}

/** Owners read their own repos; others need a grant: the exact id, `owner/*`, or `*`. */
export function canAccess(caller: Caller, repoId: string): boolean {
  if (caller.kind !== 'user') return false;
  const owner = repoId.split('/')[0] ?? '';
  if (caller.entry.name === owner || (caller.entry.orgs ?? []).includes(owner)) return true;
  const grants = caller.entry.grants ?? [];
  return grants.includes(repoId) || grants.includes(`${owner}/*`) || grants.includes('*');
}
