import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(import.meta.url);
const COMMON_DIR = path.resolve(path.dirname(here), '../../../../common');
/** Written by `npm run build -w common` (common/scripts/bundle-featurize.mjs). */
const BUILT = path.join(COMMON_DIR, 'dist/featurize.js');
const BUNDLER = path.join(COMMON_DIR, 'scripts/bundle-featurize.mjs');

let script: Promise<string> | null = null;

/**
 * featurize.js for an archive: common's feature code bundled at build time. Running from source (tests, dev) it
 * is bundled from the current source instead, so it never lags behind the code it stands for.
 */
export function featurizeScript(): Promise<string> {
  script ??= (here.endsWith('.ts') ? bundleFromSource() : fs.readFile(BUILT, 'utf8')).catch((err: unknown) => {
    script = null;
    throw err;
  });
  return script;
}

async function bundleFromSource(): Promise<string> {
  const bundler = (await import(pathToFileURL(BUNDLER).href)) as { bundleFeaturizer(): Promise<string> };
  return bundler.bundleFeaturizer();
}
