/**
 * `npm test`: every suite on PGlite, again on PostgreSQL when it is reachable, then the
 * browser tests in headless Chromium. Ends with one line `tests: N passed, N failed`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');
const tmp = path.join(root, '.test-tmp');
fs.mkdirSync(tmp, { recursive: true });
const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const strict = process.env.CI === 'true' || process.env.SANTONG_TEST_STRICT === '1';
const extraArgs = process.argv.slice(2);

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}
const total: Tally = { passed: 0, failed: 0, skipped: 0 };
const lines: string[] = [];

function runVitest(label: string, config: string, env: Record<string, string>): void {
  const out = path.join(tmp, `results-${label}.json`);
  fs.rmSync(out, { force: true });
  process.stdout.write(`\n=== ${label} ===\n`);
  const r = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--config',
      config,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
      ...extraArgs,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...env, SANTONG_TEST_RUN: label.replace(/\W/g, '_') + '_' + process.pid },
    },
  );
  let t: Tally = { passed: 0, failed: 0, skipped: 0 };
  if (fs.existsSync(out)) {
    const j = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
      numFailedTestSuites: number;
    };
    // A suite that fails to load has no tests: count it as a failure so it cannot pass silently.
    t = {
      passed: j.numPassedTests,
      failed: j.numFailedTests + (j.numFailedTests === 0 ? j.numFailedTestSuites : 0),
      skipped: j.numPendingTests + j.numTodoTests,
    };
  }
  if (r.status !== 0 && t.failed === 0) t.failed = 1;
  total.passed += t.passed;
  total.failed += t.failed;
  total.skipped += t.skipped;
  lines.push(`${label}: ${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}`);
}

async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

runVitest('pglite', 'vitest.config.ts', { SANTONG_TEST_DB: 'pglite' });
if (await postgresReachable())
  runVitest('postgres', 'vitest.config.ts', { SANTONG_TEST_DB: 'postgres', TEST_DATABASE_URL: pgUrl });
else if (strict) {
  total.failed++;
  lines.push(`postgres: not reachable at ${pgUrl}`);
} else lines.push(`postgres: skipped (not reachable at ${pgUrl})`);

if (!fs.existsSync(path.join(root, 'vitest.e2e.config.ts'))) lines.push('browser: no browser suite');
else if (fs.existsSync(chromium))
  runVitest('browser', 'vitest.e2e.config.ts', { SANTONG_TEST_DB: 'pglite', CHROMIUM_PATH: chromium });
else if (strict) {
  total.failed++;
  lines.push(`browser: ${chromium} not found`);
} else lines.push(`browser: skipped (${chromium} not found; apt-get install chromium)`);

process.stdout.write('\n' + lines.join('\n') + '\n');
process.stdout.write(`tests: ${total.passed} passed, ${total.failed} failed\n`);
process.exit(total.failed > 0 ? 1 : 0);
