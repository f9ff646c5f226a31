import type { Scenario } from '../context.js';
import { register, signInAgain } from './auth.js';
import { download, hubSearch } from './hub.js';
import { hubToken, language } from './settings.js';
import { responsive, system } from './system.js';

/** In order: later scenarios use the account and the data earlier ones created. */
export const scenarios: Scenario[] = [register, signInAgain, hubSearch, download, hubToken, language, system, responsive];
