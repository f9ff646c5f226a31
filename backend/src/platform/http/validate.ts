import { findTextFault, TEXT_FAULT_MESSAGES } from '@sokhan/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { AppError, validationError } from './errors.js';

/**
 * Parses `value` with `schema`; the parsed value (not the raw input) is what handlers use.
 * Every string in the raw input (keys too) must first be text the API accepts (common/contracts/text.ts).
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const bad = findTextFault(value);
  if (bad) {
    throw new AppError(400, 'VALIDATION_FAILED', 'request is not valid', [
      { path: bad.path, message: TEXT_FAULT_MESSAGES[bad.fault], code: 'invalid_text' },
    ]);
  }
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error);
  return r.data;
}

export const parseBody = <S extends z.ZodType>(schema: S, req: Request): z.infer<S> => parse(schema, req.body ?? {});
export const parseQuery = <S extends z.ZodType>(schema: S, req: Request): z.infer<S> => parse(schema, req.query);
export const parseParams = <S extends z.ZodType>(schema: S, req: Request): z.infer<S> => parse(schema, req.params);
