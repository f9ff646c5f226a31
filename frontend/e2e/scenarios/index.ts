import type { Scenario } from '../context.js';
import { register, signInAgain } from './auth.js';
import { badDataset, uploadDataset, uploadProgress } from './datasets.js';
import { cancelDownload, download, hubSearch, hubUnreachable } from './hub.js';
import { changePassword, hubToken, language } from './settings.js';
import { piperVoice, speech } from './speech.js';
import { responsive, system } from './system.js';
import { playground, train } from './training.js';

/** In order: later scenarios use the account and the data earlier ones created. */
export const scenarios: Scenario[] = [
  register,
  signInAgain,
  hubSearch,
  download,
  cancelDownload,
  hubToken,
  uploadProgress,
  badDataset,
  uploadDataset,
  train,
  playground,
  speech,
  piperVoice,
  language,
  changePassword,
  system,
  responsive,
  hubUnreachable,
];
