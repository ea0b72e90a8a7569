/**
 * One ID accuracy and speed: N true people with planted identifiers, seen through "sightings" (one
 * identify() call each, with a subset of a person's identifiers), in random order, by C concurrent
 * workers in-process on a fresh PostgreSQL database. Then the grouping One ID produced is compared
 * with the truth:
 * - wrong merges: groups holding identifiers of two or more true people (must be 0);
 * - missed merges: a person's identifiers that their sightings linked (directly or through a chain)
 *   but that ended in several groups (must be 0).
 * People have 1–4 identifiers: a phone (most), a member card, an e-mail, a personal device, and in
 * families a device shared with the others (with different phones: must never merge them). Sightings
 * are what channels send: phone + device (app login), a member card alone (till), phone + card
 * (linking the card), e-mail + phone (web sign-up), a device alone (a guest, merged on login),
 * phone + family tablet. A shared device links nobody, so it never joins a person's identifiers.
 *
 *   npx tsx bench/identity.ts [--customers 100000] [--concurrency 8] [--seed 1] [--max-seconds 240] [--races]
 *   [--pg postgres://postgres@127.0.0.1:5432/test]
 *
 * Only talks to 127.0.0.1. Creates a database `santong_bench_<hex>` and drops it at the end. When
 * --max-seconds is reached it stops sending and judges the sightings made so far. Exits 1 on a wrong
 * or missed merge, 3 if it hit its hard time limit.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { KeyRing } from '../src/platform/crypto/keys';
import { openDatabase, type Database } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { normalise, type IdentifierType } from '../src/modules/customers/identifiers';
import { identify } from '../src/modules/customers/identity';
import { fmt, msSince, summarise, positiveInt } from './stats';
import { Rng } from '../src/demo/rng';
import { adminQueryAt, databaseUrl, postgresCpu, runCleanups, startWatchdog } from './harness';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    'max-seconds': { type: 'string', default: '240' },
    races: { type: 'boolean', default: false },
    pg: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
  strict: true,
});
const N = positiveInt(args.customers, 'customers');
const C = positiveInt(args.concurrency, 'concurrency');
const SEED = positiveInt(args.seed, 'seed');
const MAX_S = positiveInt(args['max-seconds'], 'max-seconds');
if (N > 1_000_000) throw new Error('--customers is at most 1,000,000');
if (!['127.0.0.1', 'localhost'].includes(new URL(args.pg).hostname)) throw new Error('--pg must point at 127.0.0.1');
const HARD_LIMIT_MS = (MAX_S + 600) * 1000;

const log = (s: string) => process.stderr.write(`[identity] ${s}\n`);

/** The demo generator's seeded PRNG, as a function. */
const mulberry32 = (seed: number) => {
  const rng = new Rng(seed);
  return () => rng.next();
};

// ---------------------------------------------------------------- planted truth

interface Ident {
  type: IdentifierType;
  value: string;
  /** index into `idents`; shared family devices are -1-owned */
  id: number;
}

/** Every identifier once: owner person (-1 for a shared family device). */
const identOwner: number[] = [];
const idents: Ident[] = [];
function newIdent(type: IdentifierType, value: string, owner: number): Ident {
  const i: Ident = { type, value, id: idents.length };
  idents.push(i);
  identOwner.push(owner);
  return i;
}

interface Sighting {
  person: number;
  idents: Ident[];
  channel: string;
}

function plant(rng: () => number, tag: string): Sighting[] {
  const sightings: Sighting[] = [];
  let family: { device: Ident; left: number } | null = null;
  for (let p = 0; p < N; p++) {
    // families: 20% of people, 2–4 members, one shared tablet, each member with their own phone
    if (family && family.left <= 0) family = null;
    if (!family && rng() < 0.08)
      family = { device: newIdent('device_id', `fam-${tag}-${p}`, -1), left: 2 + Math.floor(rng() * 3) };
    const inFamily = family !== null;
    const hasPhone = inFamily || rng() < 0.9;
    const phone = hasPhone ? newIdent('phone', `138${String(p).padStart(8, '0')}`, p) : null;
    const card = rng() < 0.5 || !hasPhone ? newIdent('member_card', `MC-${tag}-${p}`, p) : null;
    const email = rng() < (hasPhone ? 0.25 : 0.5) ? newIdent('email', `p${p}.${tag}@example.com`, p) : null;
    const device = rng() < 0.6 ? newIdent('device_id', `dev-${tag}-${p}`, p) : null;
    const see = (...xs: (Ident | null)[]) => {
      const list = xs.filter((x): x is Ident => x !== null);
      if (list.length)
        sightings.push({
          person: p,
          idents: list,
          channel: list.some((x) => x.type === 'member_card') ? 'pos' : 'app',
        });
    };
    const first = phone ?? card!;
    if (device) {
      if (rng() < 0.3) see(device); // a guest on their phone before logging in
      see(first, device); // app login
    }
    if (card && card !== first) {
      if (rng() < 0.6) see(card); // the till, card only
      if (rng() < 0.8) see(first, card); // the card linked to the phone
    } else if (card) see(card);
    if (email) see(rng() < 0.8 ? first : null, email);
    if (inFamily) {
      see(phone, family!.device); // the family tablet, always with the member's own phone
      family!.left--;
    }
    if (!device && !card && !email && !inFamily) see(first);
  }
  // random order across people, as the channels would send them
  for (let i = sightings.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [sightings[i], sightings[j]] = [sightings[j], sightings[i]];
  }
  return sightings;
}

/**
 * The local test server runs with autovacuum off, so a growing table would never get statistics and
 * the planner would keep its empty-table plans (seq scans). Production runs autovacuum; this stands
 * in for its autoanalyze: ANALYZE of the people tables every 10 s.
 */
async function startAutoanalyze(url: string): Promise<{ stop(): Promise<void> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const on = (await c.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0].autovacuum === 'on';
  if (on) {
    await c.end();
    return { async stop() {} };
  }
  log('autovacuum is off on this server: running ANALYZE every 10 s as autoanalyze would');
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() =>
      c.query('ANALYZE customers, customer_identifiers, customer_events, customer_merges').catch(() => undefined),
    );
  }, 10_000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await c.end();
    },
  };
}

// ---------------------------------------------------------------- main

const adminQuery = (text: string): Promise<void> => adminQueryAt(args.pg, text);

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (): Promise<void> => runCleanups(cleanups, log);
startWatchdog(HARD_LIMIT_MS, cleanups, log);

async function main(): Promise<number> {
  const tag = crypto.randomBytes(4).toString('hex');
  const rng = mulberry32(SEED);
  const tPlant = process.hrtime.bigint();
  const sightings = plant(rng, tag);
  log(
    `${N} people, ${idents.length} identifiers, ${sightings.length} sightings planted in ${fmt(msSince(tPlant) / 1000)} s`,
  );

  const name = `santong_bench_${tag}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const database: Database = await openDatabase({
    databaseUrl: databaseUrl(args.pg, name),
    dataDir: '',
    poolSize: C + 2,
  });
  cleanups.push(() => database.close());
  await migrate(database);
  const keys = new KeyRing(crypto.randomBytes(32));
  const autoanalyze = await startAutoanalyze(databaseUrl(args.pg, name));
  cleanups.push(() => autoanalyze.stop());

  // Resolve every sighting through identify(), C at a time, until done or out of time. One person's
  // sightings go one after the other (they come from that person's device or till visit), unless
  // --races: then two of them may run at once, as two channels could send them.
  const lat: number[] = [];
  const made: Sighting[] = [];
  const inFlight = new Set<number>();
  const deferred: Sighting[] = [];
  let next = 0;
  let merges = 0;
  const take = (): Sighting | null | 'wait' => {
    for (let k = 0; k < deferred.length; k++) if (!inFlight.has(deferred[k].person)) return deferred.splice(k, 1)[0];
    while (next < sightings.length) {
      const s = sightings[next++];
      if (!args.races && inFlight.has(s.person)) deferred.push(s);
      else return s;
    }
    return deferred.length > 0 ? 'wait' : null;
  };
  const deadline = Date.now() + MAX_S * 1000;
  // The pool's connections exist before the clock starts, so their backends can be told apart.
  await Promise.all(Array.from({ length: C }, () => database.pool.query('SELECT pg_sleep(0.02)')));
  const backends = async () =>
    (
      await database.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')
    ).rows.map((r) => String(r.pid));
  const cpu0 = { self: process.cpuUsage(), pg: postgresCpu() };
  const t0 = process.hrtime.bigint();
  let lastReport = Date.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (Date.now() < deadline) {
        const s = take();
        if (s === null) break;
        if (s === 'wait') {
          await new Promise((r) => setImmediate(r));
          continue;
        }
        inFlight.add(s.person);
        const t = process.hrtime.bigint();
        try {
          const r = await identify(database, keys, {
            identifiers: s.idents.map((x) => ({ type: x.type, value: x.value })),
            channel: s.channel,
          });
          merges += r.merged.length;
        } finally {
          inFlight.delete(s.person);
        }
        lat.push(msSince(t));
        made.push(s);
        if (Date.now() - lastReport > 15_000) {
          lastReport = Date.now();
          log(`${lat.length} of ${sightings.length} sightings, ${fmt(lat.length / (msSince(t0) / 1000), 0)}/s`);
        }
      }
    }),
  );
  const seconds = msSince(t0) / 1000;
  // CPU during the sightings: this process (identify() and the bench's own bookkeeping) and every
  // `postgres` process on the machine (other sessions' databases included), by pid.
  const selfCpu = process.cpuUsage(cpu0.self);
  const cpuSelf = (selfCpu.user + selfCpu.system) / 1e6;
  let cpuPg = 0;
  let cpuOwn = 0;
  const pgNow = postgresCpu();
  const own = new Set(await backends());
  for (const [pid, c] of pgNow) {
    cpuPg += c - (cpu0.pg.get(pid) ?? 0);
    if (own.has(pid)) cpuOwn += c - (cpu0.pg.get(pid) ?? 0);
  }
  const complete = made.length === sightings.length;
  if (!complete)
    log(`time is up (--max-seconds ${MAX_S}): judging the first ${made.length} of ${sightings.length} sightings`);

  // The truth for what was sent: a person's identifiers linked by their sightings (union-find),
  // shared family devices excluded (they link nobody).
  const parent = new Int32Array(idents.length).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const seen = new Uint8Array(idents.length);
  for (const s of made) {
    for (const x of s.idents) seen[x.id] = 1;
    const own = s.idents.filter((x) => identOwner[x.id] >= 0);
    for (let k = 1; k < own.length; k++) parent[find(own[k].id)] = find(own[0].id);
  }

  // What One ID made: the group (root) of every identifier.
  const tJudge = process.hrtime.bigint();
  const byHash = new Map<string, number>();
  for (const x of idents)
    if (seen[x.id]) byHash.set(`${x.type}:${keys.blindIndex(x.type, normalise(x.type, x.value))}`, x.id);
  const rows = await database.pool.query<{ type: string; value_hash: string; root: string }>(
    `SELECT ci.type, ci.value_hash, coalesce(c.root_id, c.id) AS root FROM customer_identifiers ci JOIN customers c ON c.id = ci.customer_id WHERE c.erased_at IS NULL`,
  );
  const rootsOf = new Map<number, Set<string>>();
  const peopleOfRoot = new Map<string, Set<number>>();
  let unknownRows = 0;
  for (const r of rows.rows) {
    const id = byHash.get(`${r.type}:${r.value_hash}`);
    if (id === undefined) {
      unknownRows++;
      continue;
    }
    const owner = identOwner[id];
    if (owner < 0) continue; // a family tablet sits with every member, by design
    (rootsOf.get(id) ?? rootsOf.set(id, new Set()).get(id)!).add(r.root);
    (peopleOfRoot.get(r.root) ?? peopleOfRoot.set(r.root, new Set()).get(r.root)!).add(owner);
  }
  const wrong = [...peopleOfRoot.values()].filter((ps) => ps.size > 1);
  const wrongPeople = new Set(wrong.flatMap((ps) => [...ps]));
  // Each linked component of a person must sit in exactly one group.
  const compRoots = new Map<number, Set<string>>();
  let unresolved = 0;
  for (let id = 0; id < idents.length; id++) {
    if (!seen[id] || identOwner[id] < 0) continue;
    const roots = rootsOf.get(id);
    if (!roots || roots.size === 0) {
      unresolved++;
      continue;
    }
    const comp = find(id);
    const set = compRoots.get(comp) ?? compRoots.set(comp, new Set()).get(comp)!;
    for (const r of roots) set.add(r);
  }
  const missedComps = [...compRoots].filter(([, rs]) => rs.size > 1);
  const missed = missedComps.length;
  const describePerson = (p: number) => {
    const order = new Map(made.map((s, i) => [s, i]));
    return made
      .filter((s) => s.person === p)
      .map(
        (s) => `#${order.get(s)} ${s.idents.map((x) => (identOwner[x.id] < 0 ? 'family_device' : x.type)).join('+')}`,
      )
      .join(', ');
  };
  for (const [comp] of missedComps.slice(0, 3))
    log(`missed: person ${identOwner[comp]}, sightings in order sent: ${describePerson(identOwner[comp])}`);
  for (const ps of wrong.slice(0, 3))
    log(`wrong: people ${[...ps].join(', ')}: ${[...ps].map((p) => `[${describePerson(p)}]`).join(' ')}`);
  const people = new Set(made.map((s) => s.person)).size;
  const groups = new Set([...peopleOfRoot.keys()]).size;
  const judgeS = msSince(tJudge) / 1000;

  const l = summarise(lat);
  const lines = [
    `identify(): ${lat.length} sightings of ${people} people in ${fmt(seconds, 1)} s = ${fmt(lat.length / seconds, 0)} identifies/s (${C} concurrent${args.races ? ", one person's sightings may race" : ', one person at a time'}, in-process, PostgreSQL)${complete ? '' : ' [stopped at --max-seconds]'}`,
    `latency ms: p50 ${fmt(l.p50)} p99 ${fmt(l.p99)} max ${fmt(l.max)}`,
    `CPU s: this process ${fmt(cpuSelf)}, this database's backends ${fmt(cpuOwn)} = ${fmt((cpuSelf * 1e6) / lat.length, 0)} + ${fmt((cpuOwn * 1e6) / lat.length, 0)} µs per identify(); all postgres processes ${fmt(cpuPg)} (other databases, WAL writer included)`,
    `groups: ${groups} (linked components expected: ${compRoots.size}); merges made: ${merges}`,
    `wrong merges (groups holding two or more true people): ${wrong.length}${wrong.length ? ` (${wrongPeople.size} people)` : ''}`,
    `missed merges (a person's linked identifiers in several groups): ${missed}`,
    `identifiers sent but not stored: ${unresolved}; stored rows not from the truth: ${unknownRows}; judged in ${fmt(judgeS)} s`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return wrong.length === 0 && missed === 0 && unresolved === 0 && unknownRows === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
} finally {
  await cleanup();
}
process.exit(code);
