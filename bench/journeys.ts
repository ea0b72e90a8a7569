/**
 * Journeys' runner throughput (issue 15): a broadcast journey to N people (one coupon and one tag
 * each, with --message also an SMS, queued or suppressed: effect steps the runner takes in
 * batches of --batch enrolments, one transaction per batch and step), run to the end by the
 * runner in this one process — intake, then the due steps — against the bare rate of inserting N
 * rows in one INSERT … SELECT on the same database in the same run. Writes its own fixture (N
 * customers, a segment of them, a coupon template), so give it a scratch database, never a
 * shared benchmark one: it refuses names starting with santong_bench_.
 *
 * Usage: npx tsx bench/journeys.ts --db postgres://postgres@127.0.0.1:5432/scratch [--people 10000] [--batch 500] [--message]
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pino from 'pino';
import { KeyRing } from '../src/platform/crypto/keys';
import { openDatabase } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { checkDefinition } from '../src/modules/journeys/definition';
import { runDue, runIntake } from '../src/modules/journeys/runner';
import { changeState, createJourney } from '../src/modules/journeys/service';
import { fmt, positiveInt } from './stats';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    people: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '500' },
    message: { type: 'boolean', default: false },
  },
});
if (!args.db) throw new Error('--db URL is required (a scratch database)');
if (/\/santong_bench_/.test(args.db)) throw new Error('refusing to write to a shared santong_bench_* database');
const people = positiveInt(args.people, 'people');
const database = await openDatabase({ databaseUrl: args.db, dataDir: '', poolSize: 4 });
const db = database.db;
await migrate(database);

const run = crypto.randomBytes(4).toString('hex');
const secs = (t: number) => (performance.now() - t) / 1000;
// the fixture: N known customers, a saved segment of them, a coupon template
await sql`INSERT INTO customers (id) SELECT ${`jb${run}_`} || g FROM generate_series(1, ${people}::int) g`.execute(db);
const segment = `seg_jb${run}`;
await sql`INSERT INTO saved_segments (id, kind, name, rule) VALUES (${segment}, 'segment', ${`journey bench ${run}`}, '{"tag": "none"}')`.execute(
  db,
);
await sql`INSERT INTO segment_members (segment_id, customer_id, entered_at)
  SELECT ${segment}, ${`jb${run}_`} || g, now() FROM generate_series(1, ${people}::int) g`.execute(db);
const template = `cpt_jb${run}`;
await sql`INSERT INTO coupon_templates (id, name, kind, value, min_spend, channels, valid_days_after_claim, stackable)
  VALUES (${template}, 'bench ¥5', 'amount_off', 500, 0, '{pos}', 7, false)`.execute(db);

// the bare rate: the same number of rows in one statement
await sql`CREATE TEMP TABLE bare_rows (enrolment text, step text, outcome text, at timestamptz)`.execute(db);
let t = performance.now();
await sql`INSERT INTO bare_rows SELECT 'e' || g, 'coupon', 'done', now() FROM generate_series(1, ${people}::int) g`.execute(
  db,
);
const bare = secs(t);

const j = await createJourney(
  db,
  await checkDefinition(db, {
    name: `bench ${run}`,
    trigger: { broadcast: { segment, at: new Date().toISOString() } },
    steps: [
      { id: 'coupon', issue_coupon: { template_id: template } },
      { id: 'tag', add_tag: 'journey_bench' },
      ...(args.message ? [{ id: 'sms', send_message: { channel: 'sms', text: '{{name}}，券码 {{coupon}}' } }] : []),
    ],
  }),
);
await changeState(database, j.id, 'activate');
const o = {
  db: database,
  keys: new KeyRing(crypto.randomBytes(32), crypto.randomBytes(32)),
  log: pino({ level: 'silent' }),
  timezone: 'Asia/Shanghai',
  scanMs: 3_600_000,
  batch: positiveInt(args.batch, 'batch'),
};
t = performance.now();
const entered = await runIntake(o);
const intake = secs(t);
t = performance.now();
let steps = 0;
for (let n = await runDue(o); n > 0; n = await runDue(o)) steps += n;
const stepping = secs(t);
const done = await sql<{
  n: string;
}>`SELECT count(*) AS n FROM journey_step_executions WHERE journey_id = ${j.id}`.execute(db);

console.log(`journeys bench: ${people} people, ${os.cpus().length} cores, ${args.db.replace(/\/\/[^@]*@/, '//')}`);
console.log(
  `  intake (broadcast enrol, one statement): ${entered} enrolled in ${fmt(intake, 2)} s = ${fmt(entered / intake, 0)} rows/s`,
);
console.log(
  `  steps (coupon + tag${args.message ? ' + sms' : ''}, batches of ${o.batch}): ${steps} in ${fmt(stepping, 2)} s = ${fmt(steps / stepping, 0)} steps/s (${done.rows[0]!.n} execution rows)`,
);
console.log(`  bare INSERT … SELECT of ${people} rows: ${fmt(bare, 3)} s = ${fmt(people / bare, 0)} rows/s`);
console.log(`  ratio bare rows/s ÷ steps/s: ${fmt(people / bare / (steps / stepping), 0)}`);
await database.close();
