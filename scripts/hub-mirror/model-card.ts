/**
 * Reads the YAML front matter of a model card (README.md), which is where the Hub takes `cardData` from.
 * Only the subset model cards use at the top level is understood: scalars, inline lists `[a, b]` and block
 * lists (`- a`). Nested maps (model-index, widget) are skipped rather than guessed.
 */
export type CardValue = string | number | boolean | null | string[];

export function parseFrontMatter(markdown: string): Record<string, CardValue> {
  const text = markdown.replace(/^\uFEFF/, '');
  const match = /^---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(text);
  if (!match?.[1]) return {};
  const out: Record<string, CardValue> = {};
  let listKey: string | null = null;
  for (const rawLine of match[1].split(/\r?\n/)) {
    const line = stripComment(rawLine);
    if (!line.trim()) continue;
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item && listKey !== null) {
      const current = out[listKey];
      const list = Array.isArray(current) ? current : [];
      list.push(String(scalar(item[1] ?? '')));
      out[listKey] = list;
      continue;
    }
    if (/^\s/.test(line)) continue; // a nested map's body
    const kv = /^([A-Za-z0-9_.-]+)\s*:\s*(.*)$/.exec(line);
    if (!kv?.[1]) {
      listKey = null;
      continue;
    }
    const key = kv[1];
    const value = (kv[2] ?? '').trim();
    if (value === '') {
      listKey = key;
      continue;
    }
    listKey = null;
    if (value.startsWith('[') && value.endsWith(']')) {
      out[key] = value
        .slice(1, -1)
        .split(',')
        .map((part) => String(scalar(part.trim())))
        .filter((part) => part.length > 0);
    } else {
      out[key] = scalar(value);
    }
  }
  return out;
}

function stripComment(line: string): string {
  // A '#' starts a comment only outside quotes and after whitespace.
  const idx = line.search(/\s#/);
  if (idx < 0 || /["']/.test(line.slice(0, idx))) return line;
  return line.slice(0, idx);
}

function scalar(raw: string): string | number | boolean | null {
  const value = raw.trim();
  if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
    return value.slice(1, -1);
  }
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null' || value === '~') return null;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}
