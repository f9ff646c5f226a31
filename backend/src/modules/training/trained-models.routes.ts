import { encoderFileParamsSchema, evaluateModelRequestSchema, modelFileParamsSchema, predictRequestSchema, trainedModelParamsSchema } from '@sokhan/common';
import { Router } from 'express';
import { currentUser } from '../../platform/http/auth-middleware.js';
import { parse, parseBody, parseParams } from '../../platform/http/validate.js';
import type { ModelArchiveService } from './model-archive.service.js';
import type { TrainedModelsService } from './trained-models.service.js';

/** An attachment named in UTF-8 (filename*), with an ASCII name for clients that ignore it. */
const attachment = (name: string, ascii: string) => `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/**
 * Mounted behind requireAuth at /api/models. The browser's tf.loadLayersModel fetches
 * /api/models/:id/files/model.json and, relative to it, the weight files, sending the Authorization header.
 */
export function trainedModelRoutes(models: TrainedModelsService, archives: ModelArchiveService): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    res.json(await models.list(currentUser(req).id));
  });
  r.post('/import', async (req, res) => {
    res.status(201).json(await archives.importModel(currentUser(req).id, { headers: req.headers, body: req }));
  });
  r.get('/:id', async (req, res) => {
    const { id } = parseParams(trainedModelParamsSchema, req);
    res.json(await models.get(currentUser(req).id, id));
  });
  r.get('/:id/export', async (req, res) => {
    const { id } = parseParams(trainedModelParamsSchema, req);
    const archive = await archives.exportModel(currentUser(req).id, id);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', attachment(archive.fileName, archive.asciiFileName));
    res.setHeader('Cache-Control', 'private, no-store');
    await archive.write(res);
  });
  r.get('/:id/files/:name', async (req, res) => {
    const { id, name } = parseParams(modelFileParamsSchema, req);
    const file = await models.file(currentUser(req).id, id, name);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.type(file.contentType);
    await new Promise<void>((resolve, reject) => res.sendFile(file.name, { root: file.root, dotfiles: 'deny' }, (err) => (err ? reject(err) : resolve())));
  });
  r.get('/:id/encoder/*path', async (req, res) => {
    // Express gives the wildcard as its segments.
    const { id, path } = parse(encoderFileParamsSchema, { id: req.params.id, path: [req.params.path].flat().join('/') });
    const file = await models.encoderFile(currentUser(req).id, id, path);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.type(file.contentType);
    await new Promise<void>((resolve, reject) => res.sendFile(file.name, { root: file.root, dotfiles: 'deny' }, (err) => (err ? reject(err) : resolve())));
  });
  r.post('/:id/predict', async (req, res) => {
    const { id } = parseParams(trainedModelParamsSchema, req);
    res.json(await models.predict(currentUser(req).id, id, parseBody(predictRequestSchema, req)));
  });
  r.post('/:id/evaluate', async (req, res) => {
    const { id } = parseParams(trainedModelParamsSchema, req);
    res.status(201).json(await models.evaluate(currentUser(req).id, id, parseBody(evaluateModelRequestSchema, req).datasetId));
  });
  r.get('/:id/evaluations', async (req, res) => {
    const { id } = parseParams(trainedModelParamsSchema, req);
    res.json(await models.evaluations(currentUser(req).id, id));
  });
  return r;
}
