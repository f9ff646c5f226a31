import { preferencesSchema } from '@sokhan/common';
import { Router } from 'express';
import { currentUser } from '../../platform/http/auth-middleware.js';
import { parseBody } from '../../platform/http/validate.js';
import type { SettingsService } from './settings.service.js';

/** Mounted behind requireAuth. */
export function settingsRoutes(settings: SettingsService): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    res.json(await settings.get(currentUser(req).id));
  });
  r.post('/', async (req, res) => {
    res.json(await settings.updatePreferences(currentUser(req).id, parseBody(preferencesSchema, req)));
  });
  return r;
}
