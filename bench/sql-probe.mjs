// Benchmark probe (not part of the product): counts the SQL statements a process sends through
// node-postgres and times the window in which a transaction holds a reserved stock row: from the
// moment `UPDATE stock SET reserved = ...` returns to the moment its COMMIT returns.
//
// Loaded into the server with `node --import ./bench/sql-probe.mjs bin/santong.js start` (or
// imported in process). Recording is toggled with SIGUSR2 (or `globalThis.__sqlProbe.toggle()`);
// on exit the figures are written as JSON to $BENCH_SQL_PROBE_OUT.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

const state = {
  recording: false,
  statements: 0,
  kinds: new Map(),
  /** per reservation that committed: [ms UPDATE took (lock wait included), ms from its answer to sending COMMIT, ms COMMIT took] */
  holds: [],
  /** reservations whose UPDATE matched no row (lost the race) */
  lostRaces: 0,
  /** [ms since recording started, kind] of every statement, to count those of the sell window */
  timeline: [],
  startedAt: 0,
};
const pending = new WeakMap(); // client → { updDone, updMs }

function kindOf(text) {
  const t = text.replace(/\s+/g, ' ').trim();
  const m = /^(insert into|update|delete from|select .*? from|select)\s+"?([a-z_]+)?/i.exec(t);
  if (/^(begin|commit|rollback)/i.test(t)) return t.split(' ')[0].toUpperCase();
  return m ? `${m[1].split(' ')[0].toUpperCase()} ${m[2] ?? ''}`.trim() : t.slice(0, 30);
}

const original = pg.Client.prototype.query;
pg.Client.prototype.query = function probedQuery(...args) {
  if (!state.recording) return original.apply(this, args);
  const q = args[0];
  const text = typeof q === 'string' ? q : q && typeof q.text === 'string' ? q.text : '';
  const kind = kindOf(text);
  state.statements++;
  state.kinds.set(kind, (state.kinds.get(kind) ?? 0) + 1);
  const sent = performance.now();
  state.timeline.push([Math.round(sent - state.startedAt), kind]);
  const result = original.apply(this, args);
  const isReserve = kind === 'UPDATE stock' && /reserved = reserved \+/.test(text);
  const isEnd = kind === 'COMMIT' || kind === 'ROLLBACK';
  if ((isReserve || isEnd) && result && typeof result.then === 'function') {
    result.then(
      (r) => {
        const done = performance.now();
        if (isReserve) {
          if (r && r.rowCount === 1) pending.set(this, { updDone: done, updMs: done - sent });
          else state.lostRaces++;
        } else {
          const p = pending.get(this);
          pending.delete(this);
          if (p && kind === 'COMMIT') state.holds.push([p.updMs, sent - p.updDone, done - sent]);
        }
      },
      () => pending.delete(this),
    );
  }
  return result;
};

function report() {
  return {
    statements: state.statements,
    kinds: Object.fromEntries(state.kinds),
    holds: state.holds,
    lostRaces: state.lostRaces,
    timeline: state.timeline,
  };
}

function toggle() {
  state.recording = !state.recording;
  if (state.recording) state.startedAt = performance.now();
}

globalThis.__sqlProbe = { toggle, report };
process.on('SIGUSR2', toggle);
process.on('exit', () => {
  const out = process.env.BENCH_SQL_PROBE_OUT;
  if (out) fs.writeFileSync(out, JSON.stringify(report()));
});
