import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import fa from '../locales/fa.json';
import en from '../locales/en.json';
import type { Lang } from '../lib/format';

export const resources = { fa: { translation: fa }, en: { translation: en } } as const;

export function directionOf(lang: Lang): 'rtl' | 'ltr' {
  return lang === 'fa' ? 'rtl' : 'ltr';
}

/** A fresh instance per app (and per test), initialised synchronously from the bundled resources. */
export function createI18n(lang: Lang): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources,
    lng: lang,
    fallbackLng: 'fa',
    supportedLngs: ['fa', 'en'],
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  return instance;
}

/** The document follows the language: `lang`, `dir` and the title. */
export function applyDocumentLanguage(doc: Document, lang: Lang, title: string): void {
  doc.documentElement.lang = lang;
  doc.documentElement.dir = directionOf(lang);
  doc.title = title;
}
