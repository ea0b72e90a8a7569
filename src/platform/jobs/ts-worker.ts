import fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The sources run through tsx: a new thread registers it before loading the thread's module. The
 * bootstrap is a string (an eval worker) so no plain-JS file is needed beside the sources.
 */
function bootstrap(module: URL): string {
  // the ESM entry of tsx/esm/api, from its package's exports (require.resolve would give the CommonJS one)
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(fs.readFileSync(pkg, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const tsx = new URL(exports['./esm/api'].import.default, pathToFileURL(pkg)).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(module.href)}); })`;
}

/** A worker thread running the TypeScript module at `module` (e.g. `new URL('./fit-thread.ts', import.meta.url)`). */
export function startTsWorker(module: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  return new Worker(bootstrap(module), { ...options, eval: true });
}
