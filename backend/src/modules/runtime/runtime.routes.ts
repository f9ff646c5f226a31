import { runRequestSchema, runModelParamsSchema } from '@sokhan/common';
import { Router } from 'express';
import { parseBody, parseParams } from '../../platform/http/validate.js';
import type { RuntimeService } from './runtime.service.js';

/**
 * Mounted behind requireAuth at /api/models, beside the trained-model routes: Hub models and trained ones share
 * the `models` table and its ids, and `run` is the installed (Hub) models' verb. Installed models are shared
 * (every signed-in user sees and may run them), as the installed-models list is.
 */
export function runtimeRoutes(runtime: RuntimeService): Router {
  const r = Router();
  r.post('/:id/run', async (req, res) => {
    const { id } = parseParams(runModelParamsSchema, req);
    res.json(await runtime.run(id, parseBody(runRequestSchema, req)));
  });
  return r;
}
