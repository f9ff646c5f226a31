import { useServerPreferences } from '../features/settings/use-settings-sync';

/** Work that runs once per signed-in session, outside any page. */
export function SignedInEffects() {
  useServerPreferences();
  return null;
}
