import { createTrainingRequestSchema, trainingIdParamsSchema, trainingListQuerySchema } from '@sokhan/common';
import { Router } from 'express';
import { currentUser } from '../../platform/http/auth-middleware.js';
import { parseBody, parseParams, parseQuery } from '../../platform/http/validate.js';
import type { TrainingService } from './training.service.js';

/** Mounted behind requireAuth at /api/training. Another user's job answers 404 everywhere. */
export function trainingRoutes(training: TrainingService): Router {
  const r = Router();
  r.post('/', async (req, res) => {
    const userId = currentUser(req).id;
    const { modelId, ...config } = parseBody(createTrainingRequestSchema, req);
    const job = await training.createTrainingJob(userId, modelId ?? null, config);
    res.status(201).json(await training.startTraining(job.id, userId));
  });
  r.get('/', async (req, res) => {
    res.json(await training.listJobs(currentUser(req).id, parseQuery(trainingListQuerySchema, req)));
  });
  r.get('/:id', async (req, res) => {
    res.json(await training.getTrainingStatus(parseParams(trainingIdParamsSchema, req).id, currentUser(req).id));
  });
  r.get('/:id/checkpoints', async (req, res) => {
    res.json(await training.listCheckpoints(parseParams(trainingIdParamsSchema, req).id, currentUser(req).id));
  });
  r.post('/:id/pause', async (req, res) => {
    res.json(await training.pauseTraining(parseParams(trainingIdParamsSchema, req).id, currentUser(req).id));
  });
  r.post('/:id/resume', async (req, res) => {
    res.json(await training.resumeTraining(parseParams(trainingIdParamsSchema, req).id, currentUser(req).id));
  });
  r.delete('/:id', async (req, res) => {
    res.json(await training.cancelTraining(parseParams(trainingIdParamsSchema, req).id, currentUser(req).id));
  });
  return r;
}
