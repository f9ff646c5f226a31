import { describe, expect, it } from 'vitest';
import { findTextFault, textFault } from './text.js';

describe('textFault', () => {
  it('accepts Persian, emoji (paired surrogates), ZWNJ and control characters other than NUL', () => {
    expect(textFault('سلام\u200cدنیا 😀 ۱۲۳ \t\n')).toBeNull();
    expect(textFault('')).toBeNull();
  });
  it('refuses NUL anywhere', () => {
    expect(textFault('alice\u0000')).toBe('nul');
    expect(textFault('\u0000')).toBe('nul');
  });
  it('refuses lone high and low surrogates, and reversed pairs', () => {
    expect(textFault('a\uD800')).toBe('lone-surrogate');
    expect(textFault('\uD800b')).toBe('lone-surrogate');
    expect(textFault('\uDC00')).toBe('lone-surrogate');
    expect(textFault('\uDE00\uD83D')).toBe('lone-surrogate');
    expect(textFault('\uD83D\uDE00')).toBeNull();
  });
});

describe('findTextFault', () => {
  it('names the path of the first bad value, through objects and arrays', () => {
    expect(findTextFault({ a: 'ok', b: { c: ['x', 'y\u0000'] } })).toEqual({ path: 'b.c.1', fault: 'nul' });
    expect(findTextFault({ login: 'alice\u0000' })).toEqual({ path: 'login', fault: 'nul' });
    expect(findTextFault('\uD800')).toEqual({ path: '', fault: 'lone-surrogate' });
  });
  it('checks keys too, naming the object that holds the key', () => {
    expect(findTextFault({ rows: [{ 'te\u0000xt': 1 }] })).toEqual({ path: 'rows.0', fault: 'nul' });
  });
  it('passes numbers, booleans, null and clean nested text', () => {
    expect(findTextFault({ n: 1, b: true, z: null, t: ['خوب', { u: 'بد' }] })).toBeNull();
  });
});
