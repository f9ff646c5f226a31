import { z } from 'zod';

/**
 * The Hub's answers as we read them. Objects are loose (unknown fields pass through untouched) and every field
 * we do not strictly need is optional, so a Hub that grows fields or a mirror that omits some still works.
 */
const gated = z
  .union([z.boolean(), z.enum(['auto', 'manual']), z.string()])
  .optional()
  .transform((v): false | 'auto' | 'manual' => (v === 'auto' || v === 'manual' ? v : v === true ? 'auto' : false));

const count = z.number().nonnegative().optional().catch(undefined);
const optString = z.string().optional().catch(undefined);
const stringList = z.array(z.string()).optional().catch(undefined);

export const hubModelSummarySchema = z.looseObject({
  id: z.string().min(1),
  modelId: optString,
  author: optString,
  pipeline_tag: optString,
  library_name: optString,
  downloads: count,
  likes: count,
  tags: stringList,
  lastModified: optString,
  createdAt: optString,
  gated,
  private: z.boolean().optional().catch(undefined),
  usedStorage: count,
});
export type HubModelSummary = z.infer<typeof hubModelSummarySchema>;

export const hubSearchSchema = z.array(hubModelSummarySchema);

const sibling = z.looseObject({
  rfilename: z.string(),
  size: z.number().optional(),
  blobId: z.string().optional(),
  lfs: z.looseObject({ sha256: z.string().optional(), size: z.number().optional(), pointerSize: z.number().optional() }).optional(),
});

export const hubModelInfoSchema = hubModelSummarySchema.extend({
  sha: optString,
  disabled: z.boolean().optional().catch(undefined),
  cardData: z.record(z.string(), z.unknown()).nullable().optional().catch(undefined),
  config: z.record(z.string(), z.unknown()).nullable().optional().catch(undefined),
  siblings: z.array(sibling).optional(),
});
export type HubModelInfo = z.infer<typeof hubModelInfoSchema>;

export const hubTreeEntrySchema = z.looseObject({
  type: z.string(),
  path: z.string(),
  oid: z.string().optional(),
  size: z.number().nonnegative().optional(),
  lfs: z
    .looseObject({
      oid: z.string().optional(),
      sha256: z.string().optional(),
      size: z.number().nonnegative().optional(),
      pointerSize: z.number().optional(),
    })
    .optional(),
});
export const hubTreeSchema = z.array(hubTreeEntrySchema);
export type HubTreeEntry = z.infer<typeof hubTreeEntrySchema>;

export const hubWhoamiSchema = z.looseObject({
  type: optString,
  name: z.string(),
  fullname: optString,
  orgs: z.array(z.looseObject({ name: z.string().optional() })).optional().catch(undefined),
  auth: z
    .looseObject({
      type: optString,
      accessToken: z.looseObject({ displayName: optString, role: optString }).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
});
export type HubWhoami = z.infer<typeof hubWhoamiSchema>;
