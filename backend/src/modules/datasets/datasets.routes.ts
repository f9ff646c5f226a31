import { addSampleBodySchema, datasetIdParamsSchema, datasetListQuerySchema, datasetRowsQuerySchema, datasetSampleParamsSchema } from '@sokhan/common';
import { Router } from 'express';
import { currentUser } from '../../platform/http/auth-middleware.js';
import { parseBody, parseParams, parseQuery } from '../../platform/http/validate.js';
import type { DatasetsService } from './datasets.service.js';

/** Mounted behind requireAuth at /api/datasets. */
export function datasetsRoutes(datasets: DatasetsService): Router {
  const r = Router();
  r.post('/', async (req, res) => {
    res.status(201).json(await datasets.upload(currentUser(req).id, { headers: req.headers, body: req }));
  });
  r.get('/', async (req, res) => {
    res.json(await datasets.list(currentUser(req).id, parseQuery(datasetListQuerySchema, req)));
  });
  // Before /:id, which would read "samples" as a dataset id.
  r.get('/samples', async (req, res) => {
    res.json(await datasets.samples(currentUser(req).id));
  });
  r.post('/samples/:id', async (req, res) => {
    const { id } = parseParams(datasetSampleParamsSchema, req);
    res.status(201).json(await datasets.addSample(currentUser(req).id, id, parseBody(addSampleBodySchema, req)));
  });
  r.get('/:id', async (req, res) => {
    res.json(await datasets.get(currentUser(req).id, parseParams(datasetIdParamsSchema, req).id));
  });
  r.get('/:id/rows', async (req, res) => {
    const { id } = parseParams(datasetIdParamsSchema, req);
    res.json(await datasets.rows(currentUser(req).id, id, parseQuery(datasetRowsQuerySchema, req)));
  });
  r.delete('/:id', async (req, res) => {
    await datasets.delete(currentUser(req).id, parseParams(datasetIdParamsSchema, req).id);
    res.status(204).end();
  });
  return r;
}
