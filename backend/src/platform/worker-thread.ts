import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running the module `name` beside `from` (the caller's import.meta.url): the compiled `.js` once
 * built; under tsx or vitest the `.ts` source, through a bootstrap that registers tsx's ESM loader in the thread
 * first (an `--import tsx` execArgv does not reach a worker's entry module on Node 20).
 */
export function startWorker(from: string, name: string, options: WorkerOptions = {}): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), options);
  const target = new URL(`./${name}.ts`, from).href;
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(target)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { ...options, execArgv: [...(options.execArgv ?? []), '--conditions=source'] });
}
