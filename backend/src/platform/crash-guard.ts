import type { Logger } from './logger.js';

/**
 * Errors that belong to one request or one socket (a response written twice, a peer gone mid-write): the request is
 * lost, the process is not. Anything else thrown outside a handler leaves the process in an unknown state.
 */
const REQUEST_SCOPED = new Set([
  'ERR_HTTP_HEADERS_SENT',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_INVALID_CHAR',
  'ECONNRESET',
  'EPIPE',
]);

export interface CrashGuardTarget {
  on(event: 'uncaughtException', listener: (err: Error) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

/**
 * Keeps one bad request from stopping the server: a request-scoped error is logged and the process goes on;
 * any other uncaught exception is logged and handed to `onFatal` (a graceful shutdown that stops the database
 * cleanly). An unhandled rejection is logged, never fatal: it is a lost promise, not a corrupted state.
 */
export function installCrashGuard(target: CrashGuardTarget, logger: Logger, onFatal: (err: Error) => void): void {
  target.on('uncaughtException', (err) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && REQUEST_SCOPED.has(code)) {
      logger.warn({ err, code }, 'a request failed outside its handler; the server goes on');
      return;
    }
    logger.fatal({ err }, 'uncaught exception; shutting down');
    onFatal(err);
  });
  target.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });
}
