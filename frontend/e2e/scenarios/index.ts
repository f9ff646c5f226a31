import type { Scenario } from '../context.js';
import { a11ySweep, zoomAndMedia } from './a11y.js';
import { keyboardJourney } from './keyboard.js';
import { register, signInAgain } from './auth.js';
import { badDataset, filesAsPeopleHaveThem, uploadDataset, uploadProgress } from './datasets.js';
import { cancelDownload, download, hubSearch, hubUnreachable } from './hub.js';
import { changePassword, hubToken, language } from './settings.js';
import { piperVoice, speech } from './speech.js';
import { evaluateOnFile } from './evaluation.js';
import { trainOnEncoder } from './encoder.js';
import { modelArchive } from './model-archive.js';
import { firstRunSamples } from './samples.js';
import { runHubModels, vitsVoice } from './runtime.js';
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
  filesAsPeopleHaveThem,
  uploadDataset,
  train,
  playground,
  modelArchive,
  evaluateOnFile,
  speech,
  piperVoice,
  // After the Piper voice (its scenario expects it second in the voice picker); before the Hub goes away.
  runHubModels,
  vitsVoice,
  // Needs the Hub for its encoder (installed by runHubModels, or by itself when run alone).
  trainOnEncoder,
  language,
  changePassword,
  system,
  responsive,
  keyboardJourney,
  a11ySweep,
  zoomAndMedia,
  hubUnreachable,
  // Last: it closes the Hub mirror for good (the first run of an install with no internet).
  firstRunSamples,
];
