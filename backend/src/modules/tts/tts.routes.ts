import { ttsHistoryCreateSchema, ttsHistoryIdParamsSchema, ttsHistoryQuerySchema, ttsSynthesizeSchema } from '@sokhan/common';
import { Router } from 'express';
import { currentUser } from '../../platform/http/auth-middleware.js';
import { parseBody, parseParams, parseQuery } from '../../platform/http/validate.js';
import type { TtsService } from './tts.service.js';

/** Mounted at /api/tts behind requireAuth. */
export function ttsRoutes(tts: TtsService): Router {
  const r = Router();

  r.get('/voices', async (_req, res) => {
    res.json(await tts.voices());
  });

  r.post('/', async (req, res) => {
    const body = parseBody(ttsSynthesizeSchema, req);
    const { format, save, ...params } = body;
    const { wav, info } = await tts.synthesize(currentUser(req).id, params, save);
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'json') {
      res.json(info);
      return;
    }
    res.setHeader('Content-Type', 'audio/wav');
    res.setHeader('Content-Length', String(wav.length));
    res.setHeader('X-Tts-Duration', String(info.durationSeconds));
    res.setHeader('X-Tts-Sample-Rate', String(info.sampleRate));
    res.setHeader('X-Tts-Clip-Id', info.clipId);
    if (info.historyId) res.setHeader('X-Tts-History-Id', info.historyId);
    res.end(wav);
  });

  r.post('/history', async (req, res) => {
    res.status(201).json(await tts.createHistory(currentUser(req).id, parseBody(ttsHistoryCreateSchema, req)));
  });

  r.get('/history', async (req, res) => {
    const q = parseQuery(ttsHistoryQuerySchema, req);
    res.json(await tts.history(currentUser(req).id, q.limit, q.offset));
  });

  r.get('/history/:id/audio', async (req, res) => {
    const { id } = parseParams(ttsHistoryIdParamsSchema, req);
    const { file } = await tts.historyAudio(currentUser(req).id, id);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    await new Promise<void>((resolve, reject) => {
      res.sendFile(file, { dotfiles: 'allow', headers: { 'Content-Type': 'audio/wav', 'Content-Disposition': `inline; filename="sokhan-${id}.wav"` } }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  });

  r.delete('/history/:id', async (req, res) => {
    const { id } = parseParams(ttsHistoryIdParamsSchema, req);
    await tts.deleteHistory(currentUser(req).id, id);
    res.status(204).end();
  });

  return r;
}
