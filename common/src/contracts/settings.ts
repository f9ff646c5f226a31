import { z } from 'zod';

export const LANGUAGES = ['fa', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Preferences a user may set; unknown keys are refused so settings_json stays clean. */
export const preferencesSchema = z.strictObject({
  language: z.enum(LANGUAGES).optional(),
  theme: z.enum(['light', 'dark', 'system']).optional(),
  digits: z.enum(['persian', 'latin']).optional(),
  defaultTtsVoice: z.string().max(200).optional(),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export interface HubTokenState {
  hasToken: boolean;
  tokenPreview: string | null;
  username: string | null;
}

export interface SettingsResponse {
  preferences: Preferences;
  huggingface: HubTokenState;
}
