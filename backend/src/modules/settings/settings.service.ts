import { preferencesSchema, type HubTokenState, type Preferences, type SettingsResponse } from '@sokhan/common';
import type { SecretBox } from '../../platform/crypto/secret-box.js';
import type { SettingsRepository, SettingsRow } from './settings.repository.js';

/** `hf_…abcd`: enough to recognise a token, never enough to use it. */
export function tokenPreview(token: string): string {
  return `${token.slice(0, 3)}…${token.slice(-4)}`;
}

export class SettingsService {
  constructor(
    private readonly repo: SettingsRepository,
    private readonly box: SecretBox,
  ) {}

  async get(userId: string): Promise<SettingsResponse> {
    return this.present(await this.repo.get(userId));
  }

  async updatePreferences(userId: string, prefs: Preferences): Promise<SettingsResponse> {
    return this.present(await this.repo.mergePreferences(userId, prefs));
  }

  /** The user's decrypted Hub token, for calls to the Hub only. */
  async hubToken(userId: string): Promise<string | null> {
    const row = await this.repo.get(userId);
    return row?.huggingface_token ? this.box.open(row.huggingface_token) : null;
  }

  async storeHubToken(userId: string, token: string, username: string | null): Promise<HubTokenState> {
    return this.present(await this.repo.setHubToken(userId, this.box.seal(token), username)).huggingface;
  }

  async clearHubToken(userId: string): Promise<HubTokenState> {
    return this.present(await this.repo.setHubToken(userId, null, null)).huggingface;
  }

  private present(row: SettingsRow | null): SettingsResponse {
    // Keys written by older versions that the schema no longer knows are left out of the answer.
    const prefs = preferencesSchema.partial().safeParse(stripUnknown(row?.settings_json ?? {}));
    return {
      preferences: prefs.success ? prefs.data : {},
      huggingface: this.tokenState(row),
    };
  }

  private tokenState(row: SettingsRow | null): HubTokenState {
    if (!row?.huggingface_token) return { hasToken: false, tokenPreview: null, username: null };
    return { hasToken: true, tokenPreview: this.previewOf(row.huggingface_token), username: row.huggingface_username };
  }

  private previewOf(sealed: string): string | null {
    try {
      return tokenPreview(this.box.open(sealed));
    } catch {
      // Sealed under a previous SECRET_KEY: the token exists but cannot be used until saved again.
      return null;
    }
  }
}

function stripUnknown(obj: Record<string, unknown>): Record<string, unknown> {
  const known = Object.keys(preferencesSchema.shape);
  return Object.fromEntries(Object.entries(obj).filter(([k]) => known.includes(k)));
}
