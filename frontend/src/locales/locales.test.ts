import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@sokhan/common';
import fa from './fa.json';
import en from './en.json';

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function lookup(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

const srcDir = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'locales' || name === 'test' ? [] : sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('locale files', () => {
  it('fa and en have exactly the same keys', () => {
    expect(keys(en).sort()).toEqual(keys(fa).sort());
  });

  it('no value is empty', () => {
    for (const [name, file] of [['fa', fa] as const, ['en', en] as const]) {
      for (const key of keys(file)) expect(String(lookup(file, key)).trim(), `${name}:${key}`).not.toBe('');
    }
  });

  it('uses the same interpolation variables in both languages', () => {
    const vars = (s: unknown) => [...String(s).matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();
    for (const key of keys(fa)) expect(vars(lookup(en, key)), key).toEqual(vars(lookup(fa, key)));
  });

  it('has a message for every API error code', () => {
    for (const code of ERROR_CODES) {
      expect(lookup(fa, `errors.codes.${code}`), code).toEqual(expect.any(String));
      expect(lookup(en, `errors.codes.${code}`), code).toEqual(expect.any(String));
    }
  });

  it('Persian text uses Persian letters, not the Arabic ي and ك', () => {
    for (const key of keys(fa)) expect(String(lookup(fa, key)), key).not.toMatch(/[\u064A\u0643]/);
  });

  it('no Persian text is written in the components (it all lives in the locale files)', () => {
    const offenders = sourceFiles(srcDir)
      .filter((file) => /[\u0600-\u06FF]/.test(readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
      .map((file) => relative(srcDir, file));
    expect(offenders).toEqual([]);
  });

  it('no English sentence is written as JSX text', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(srcDir).filter((f) => f.endsWith('.tsx'))) {
      const text = readFileSync(file, 'utf8');
      // Text between a closing `>` of a tag and the next `<` or `{` that contains two letter words.
      for (const m of text.matchAll(/>\s*([A-Za-z][A-Za-z' ,.!?]*\s[A-Za-z][^<>{}]*)</g)) {
        offenders.push(`${relative(srcDir, file)}: ${m[1]?.trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
