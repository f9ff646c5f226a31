/**
 * What text the API accepts, decided once: any Unicode except NUL (PostgreSQL text cannot hold it) and unpaired
 * UTF-16 surrogates (no UTF-8 encoding exists for them). Every request value and every uploaded cell is checked
 * against this before anything else reads it.
 */
export type TextFault = 'nul' | 'lone-surrogate';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function textFault(s: string): TextFault | null {
  if (s.includes('\u0000')) return 'nul';
  return LONE_SURROGATE.test(s) ? 'lone-surrogate' : null;
}

export const TEXT_FAULT_MESSAGES: Record<TextFault, string> = {
  nul: 'text must not contain the NUL character (U+0000)',
  'lone-surrogate': 'text must not contain an unpaired surrogate (not valid Unicode)',
};

export interface TextFaultAt {
  /** Dotted path of the value (or of the object holding the bad key), as validation details name fields. */
  path: string;
  fault: TextFault;
}

/** The first string (value or key) in `value` that the API refuses, walking objects and arrays. */
export function findTextFault(value: unknown, path: (string | number)[] = []): TextFaultAt | null {
  if (typeof value === 'string') {
    const fault = textFault(value);
    return fault ? { path: path.join('.'), fault } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findTextFault(value[i], [...path, i]);
      if (hit) return hit;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const keyFault = textFault(key);
      if (keyFault) return { path: path.join('.'), fault: keyFault };
      const hit = findTextFault(v, [...path, key]);
      if (hit) return hit;
    }
  }
  return null;
}
