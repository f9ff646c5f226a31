import {
  createDownloadBodySchema,
  downloadIdParamsSchema,
  hubModelQuerySchema,
  hubSearchQuerySchema,
  hubTokenBodySchema,
  hubValidateBodySchema,
  listDownloadsQuerySchema,
  modelIdParamsSchema,
  repoIdSchema,
} from '@sokhan/common';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { currentUser } from '../../platform/http/auth-middleware.js';
import { parse, parseBody, parseParams, parseQuery } from '../../platform/http/validate.js';
import type { SourcesService } from './sources.service.js';

const repoIdParam = z.object({ repoId: repoIdSchema });

/** `owner/name` from two path segments or one percent-encoded segment (Express has decoded it already). */
function repoIdFrom(req: Request): string {
  const p = req.params as Record<string, string | undefined>;
  const raw = p.owner !== undefined ? `${p.owner}/${p.name ?? ''}` : (p.repoId ?? '');
  return parse(repoIdParam, { repoId: raw }).repoId;
}

/** `/api/sources`, mounted behind requireAuth. */
export function sourcesRoutes(sources: SourcesService): Router {
  const r = Router();

  r.get('/search', async (req, res) => {
    res.json(await sources.search(currentUser(req).id, parseQuery(hubSearchQuerySchema, req)));
  });

  const details = async (req: Request, res: Response) => {
    const user = currentUser(req);
    const { revision } = parseQuery(hubModelQuerySchema, req);
    res.json(await sources.details(user.id, user, repoIdFrom(req), revision ?? 'main'));
  };
  r.get('/model/:owner/:name', details);
  r.get('/model/:repoId', details);

  const card = async (req: Request, res: Response) => {
    const { revision } = parseQuery(hubModelQuerySchema, req);
    res.json(await sources.modelCard(currentUser(req).id, repoIdFrom(req), revision ?? 'main'));
  };
  r.get('/card/:owner/:name', card);
  r.get('/card/:repoId', card);

  r.post('/download', async (req, res) => {
    const { record, created } = await sources.createDownload(currentUser(req), parseBody(createDownloadBodySchema, req));
    res.status(created ? 202 : 200).json(record);
  });
  r.get('/download/:id', async (req, res) => {
    res.json(await sources.getDownload(currentUser(req).id, parseParams(downloadIdParamsSchema, req).id));
  });
  r.delete('/download/:id', async (req, res) => {
    res.json(await sources.cancelDownload(currentUser(req).id, parseParams(downloadIdParamsSchema, req).id));
  });
  r.get('/downloads', async (req, res) => {
    res.json(await sources.listDownloads(currentUser(req).id, parseQuery(listDownloadsQuerySchema, req)));
  });

  r.get('/installed', async (req, res) => {
    res.json(await sources.listInstalled(currentUser(req)));
  });
  r.get('/installed/:modelId', async (req, res) => {
    res.json(await sources.getInstalled(currentUser(req), parseParams(modelIdParamsSchema, req).modelId));
  });
  r.delete('/installed/:modelId', async (req, res) => {
    await sources.deleteInstalled(currentUser(req), parseParams(modelIdParamsSchema, req).modelId);
    res.status(204).end();
  });

  r.post('/validate-token', async (req, res) => {
    res.json(await sources.checkToken(parseBody(hubTokenBodySchema, req).token));
  });
  return r;
}

/** `/api/settings/huggingface`, mounted behind requireAuth before the generic settings router. */
export function hubTokenRoutes(sources: SourcesService): Router {
  const r = Router();
  r.put('/validate', async (req, res) => {
    res.json(await sources.checkSavedOrGiven(currentUser(req).id, parseBody(hubValidateBodySchema, req).token));
  });
  r.put('/token', async (req, res) => {
    res.json(await sources.saveToken(currentUser(req).id, parseBody(hubTokenBodySchema, req).token));
  });
  r.delete('/token', async (req, res) => {
    res.json(await sources.clearToken(currentUser(req).id));
  });
  return r;
}
