import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** `santong forecast backtest` as an analyst runs it on the UCI Online Retail file: no database. */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'santong.js');
const UCI = [path.resolve(ROOT, '..', 'shared', 'data', 'online-retail'), '/work/shared/data/online-retail']
  .map((d) => path.join(d, 'online_retail.csv.gz'))
  .find((f) => fs.existsSync(f));

async function run(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'forecast', 'backtest', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', SANTONG_MASTER_KEY: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const COLS = ['--sku-col', 'StockCode', '--date-col', 'InvoiceDate', '--qty-col', 'Quantity'];

describe.skipIf(!UCI)('santong forecast backtest on UCI Online Retail', () => {
  it('prints the model and both baselines; the model beats seasonal naive by ≥ 15 %', async () => {
    // the file ends 2011-12-09: cutoff five weeks before, 28 days scored
    const r = await run(['--orders', UCI!, ...COLS, '--cutoff', '2011-11-04', '--horizon', '28', '--top', '200']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['series', 'cutoff', 'horizon', 'model', 'baselines']);
    expect(out).toMatchObject({ series: 200, cutoff: '2011-11-04', horizon: 28 });
    expect(Object.keys(out.model)).toEqual(['name', 'wmape', 'mase', 'bias']);
    expect(out.baselines.map((b: { name: string }) => b.name)).toEqual(['seasonal_naive_7', 'moving_average_28']);
    const naive = out.baselines[0].wmape;
    expect(naive).toBeGreaterThan(0);
    expect(out.model.wmape).toBeLessThanOrEqual(0.85 * naive);
    expect(out.model.mase).toBeGreaterThan(0);
  }, 120_000);

  it('names a missing column and a bad cutoff', async () => {
    const r = await run(['--orders', UCI!, ...COLS.slice(0, 5), 'Qty', '--cutoff', '2011-11-04']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--qty-col: no column Qty');
    const c = await run(['--orders', UCI!, ...COLS, '--cutoff', '2011-13-04']);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain('--cutoff');
  }, 60_000);
});
