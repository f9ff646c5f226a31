import { z } from 'zod';

/**
 * `limit` / `offset` of a list endpoint's query string. Each endpoint keeps its own cap and default;
 * `maxOffset` is left out where an endpoint never capped its offset.
 */
export function pageQuerySchema(maxLimit: number, defaultLimit: number, maxOffset?: number) {
  const offset = z.coerce.number().int().min(0);
  return z.object({
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
    offset: (maxOffset === undefined ? offset : offset.max(maxOffset)).default(0),
  });
}

/** One page of a list: the items, how many there are in all, and the limit/offset that were applied. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The schema of a `Page` of `item`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number(),
    limit: z.number(),
    offset: z.number(),
  });
}
