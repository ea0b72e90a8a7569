/**
 * `santong clv fit`: BG/NBD and Gamma-Gamma fitted on any transactions file, for analysts. Needs no
 * database and no master key: it reads the file, prints the parameters as one JSON object and, with
 * --out, writes each customer's predictions.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ImportFileError, ImportUsageError, openCsv } from '../modules/imports/csv';
import { conditionalExpectedPurchases, fitBgNbd, probabilityAlive } from '../modules/clv/bgnbd';
import { conditionalExpectedAverageValue, fitGammaGamma } from '../modules/clv/gamma-gamma';
import { dayNumber, summarise, type TimeUnit, type Transaction } from '../modules/clv/summary';
import { columnIndex, writtenDay } from './csv-columns';

/** A date as written (writtenDay) that exists, as YYYY-MM-DD, or null. */
function calendarDay(raw: string): string | null {
  const day = writtenDay(raw);
  return day !== null && dayNumber(day) !== null ? day : null;
}

async function readTransactions(file: string, columns: { customer: string; date: string; amount: string }) {
  const csv = await openCsv(file);
  const index = (name: string, option: string) => columnIndex(csv, file, name, option);
  const ci = index(columns.customer, 'customer-col');
  const di = index(columns.date, 'date-col');
  const ai = index(columns.amount, 'amount-col');
  const out: Transaction[] = [];
  for await (const { line, values } of csv.records) {
    const customer = (values[ci] ?? '').trim();
    const day = calendarDay(values[di] ?? '');
    const amountText = (values[ai] ?? '').trim();
    const amount = Number(amountText);
    const bad = (column: string, why: string) => new ImportFileError(`line ${line}: ${column}: ${why}`);
    if (!customer) throw bad(columns.customer, 'empty customer');
    if (day === null) throw bad(columns.date, `"${values[di] ?? ''}" is not a date (YYYY-MM-DD or YYYYMMDD)`);
    if (amountText === '' || !Number.isFinite(amount)) throw bad(columns.amount, `"${amountText}" is not a number`);
    out.push({ customer, day, amount });
  }
  return out;
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function clvFitCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      transactions: { type: 'string' },
      'customer-col': { type: 'string' },
      'date-col': { type: 'string' },
      'amount-col': { type: 'string' },
      'calibration-end': { type: 'string' },
      'time-unit': { type: 'string' },
      predict: { type: 'string' },
      out: { type: 'string' },
    },
  });
  for (const o of ['transactions', 'customer-col', 'date-col', 'amount-col', 'calibration-end'] as const)
    if (!values[o]) throw new ImportUsageError(`clv fit needs --${o}`);
  const calibrationEnd = values['calibration-end']!;
  if (dayNumber(calibrationEnd) === null) throw new ImportUsageError('--calibration-end must be a date YYYY-MM-DD');
  const timeUnit = (values['time-unit'] ?? 'week') as TimeUnit;
  if (timeUnit !== 'week' && timeUnit !== 'day') throw new ImportUsageError('--time-unit must be week or day');
  if ((values.predict === undefined) !== (values.out === undefined))
    throw new ImportUsageError('--predict N and --out FILE go together');
  const horizon = values.predict === undefined ? 0 : Number(values.predict);
  if (values.predict !== undefined && !(horizon > 0 && Number.isFinite(horizon)))
    throw new ImportUsageError('--predict must be a positive number of time units');

  const transactions = await readTransactions(values.transactions!, {
    customer: values['customer-col']!,
    date: values['date-col']!,
    amount: values['amount-col']!,
  });
  const customers = summarise(transactions, calibrationEnd, timeUnit);
  if (!customers.some((c) => c.frequency > 0))
    throw new ImportFileError(`no customer bought again by ${calibrationEnd}: the models have nothing to fit`);
  let fits;
  try {
    fits = { bgnbd: fitBgNbd(customers), gammaGamma: fitGammaGamma(customers) };
  } catch (e) {
    // e.g. every repeat purchase worth 0: the data, not the command, is at fault.
    if (e instanceof RangeError) throw new ImportFileError(e.message);
    throw e;
  }
  const { bgnbd, gammaGamma } = fits;
  process.stdout.write(
    JSON.stringify({
      bgnbd: { r: bgnbd.r, alpha: bgnbd.alpha, a: bgnbd.a, b: bgnbd.b, log_likelihood: bgnbd.logLikelihood },
      gamma_gamma: { p: gammaGamma.p, q: gammaGamma.q, v: gammaGamma.v },
      customers: customers.length,
    }) + '\n',
  );
  if (values.out === undefined) return;

  const lines = ['customer,frequency,recency,T,p_alive,expected_purchases,expected_avg_value,expected_value'];
  for (const c of customers) {
    const purchases = conditionalExpectedPurchases(bgnbd, c, horizon);
    const avgValue = conditionalExpectedAverageValue(gammaGamma, c);
    const row = [c.customer, c.frequency, c.recency, c.T, probabilityAlive(bgnbd, c), purchases, avgValue];
    lines.push([...row, purchases * avgValue].map(csvCell).join(','));
  }
  fs.writeFileSync(values.out, lines.join('\n') + '\n');
}
