import 'i18next';
import type fa from './locales/fa.json';

// Keys are checked at compile time against the Persian file; a test keeps en.json in step.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof fa };
    returnNull: false;
  }
}
