/**
 * Bundles common's feature code (src/features/standalone.ts) into featurize.js, the standalone script an exported
 * model archive carries: one file, a browser global `SokhanFeatures`, no TensorFlow inside. `npm run build -w common`
 * writes dist/featurize.js; the backend reads that, or calls bundleFeaturizer() itself when it runs from source.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FEATURIZE_ENTRY = path.join(root, 'src/features/standalone.ts');
export const FEATURIZE_OUT = path.join(root, 'dist/featurize.js');

/**
 * zod re-exports every translation of its messages (z.locales, about 260 KB); the featuriser only parses
 * features.json, whose errors stay in the English zod registers itself. The namespace becomes an empty module.
 */
const noZodLocales = {
  name: 'no-zod-locales',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]/.test(args.importer) ? { path: args.path, namespace: 'empty' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

export async function bundleFeaturizer() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [FEATURIZE_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'SokhanFeatures',
    platform: 'neutral',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    banner: { js: '/* featurize.js: Sokhan feature extraction (common/src/features), bundled; see README.md. */' },
    plugins: [noZodLocales],
  });
  return result.outputFiles[0].text;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await mkdir(path.dirname(FEATURIZE_OUT), { recursive: true });
  await writeFile(FEATURIZE_OUT, await bundleFeaturizer());
}
