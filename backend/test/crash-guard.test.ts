import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { installCrashGuard, type CrashGuardTarget } from '../src/platform/crash-guard.js';

function setup() {
  const target = new EventEmitter();
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const fatal: Error[] = [];
  installCrashGuard(target as unknown as CrashGuardTarget, logger, (e) => fatal.push(e));
  return { target, lines, fatal };
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('crash guard', () => {
  it('survives a request-scoped error (a response written twice) with a warning', () => {
    const { target, lines, fatal } = setup();
    target.emit('uncaughtException', withCode('Cannot set headers after they are sent to the client', 'ERR_HTTP_HEADERS_SENT'));
    target.emit('uncaughtException', withCode('write EPIPE', 'EPIPE'));
    expect(fatal).toEqual([]);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'a request failed outside its handler; the server goes on'],
      [40, 'a request failed outside its handler; the server goes on'],
    ]);
  });

  it('hands any other uncaught exception to the graceful shutdown, logged as fatal', () => {
    const { target, lines, fatal } = setup();
    const boom = new TypeError('x is not a function');
    target.emit('uncaughtException', boom);
    expect(fatal).toEqual([boom]);
    expect(lines[0]).toMatchObject({ level: 60, msg: 'uncaught exception; shutting down' });
  });

  it('logs an unhandled rejection without stopping', () => {
    const { target, lines, fatal } = setup();
    target.emit('unhandledRejection', new Error('lost'));
    expect(fatal).toEqual([]);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'unhandled promise rejection' });
  });
});
