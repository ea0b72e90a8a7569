import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { sql } from 'kysely';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB, TMP } from '../../../test/db';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { ImportUsageError } from './csv';
import { importCustomers, parseBirthday, type CustomerImportOptions } from './customers';
import { importOrders, type OrderImportOptions } from './orders';
import { importedOrderId, parseMoney, parseTimestamp } from './values';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const RETAIL = path.resolve(ROOT, '..', 'shared', 'data', 'online-retail', 'online_retail.csv.gz');

let s: TestServer;
let dir: string;
let n = 0;

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s);
  fs.mkdirSync(TMP, { recursive: true });
  dir = fs.mkdtempSync(path.join(TMP, 'import-'));
});
afterAll(async () => {
  await s?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function file(text: string, name = `f${++n}.csv`): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, name.endsWith('.gz') ? zlib.gzipSync(text) : text);
  return p;
}
const reportPath = () => path.join(dir, `report${++n}.txt`);
const readReport = (p: string) => fs.readFileSync(p, 'utf8').split('\n').filter(Boolean);
const customers = (o: CustomerImportOptions) => importCustomers(s.santong.ctx.database, s.santong.ctx.keys, o);
const orders = (o: OrderImportOptions) =>
  importOrders(s.santong.ctx.database, s.santong.ctx.keys, { timezone: 'Asia/Shanghai', ...o });
const count = async (query: ReturnType<typeof sql<{ n: string }>>) =>
  Number((await query.execute(s.santong.ctx.database.db)).rows[0].n);
const identifyApi = (body: Record<string, unknown>) => must(s, 'POST', '/v1/identify', { channel: 'app', ...body });

describe('import customers', () => {
  const csv = [
    'Mobile,email,CustomerID,name,gender,birthday,city,Notes',
    '13900001111,Wang.Fang@Example.com,C1,王芳,女,1990-05-01,上海,vip',
    '13900002222,,C2,"Li, Lei",M,1985/12/31,杭州,"two',
    'lines"',
    '12345,,C3,Bad Phone,,,,',
    ',,,No Identifier,,,,',
    '13900003333,,C4,Bad Birthday,,1990-13-01,,',
    '13900004444,not-an-email,,Bad Email,,,,',
    '13900005555,,C5,Too,Many,Fields,,,',
    '139 0000 1111,,C1,王芳,,,苏州,again',
    '',
  ].join('\n');

  it('imports valid rows, reports the rejected ones with reasons, and a re-run creates no duplicates', async () => {
    const f = file(csv);
    const rep = reportPath();
    const r = await customers({ file: f, maps: { Mobile: 'phone', CustomerID: 'external' }, report: rep });
    expect(r).toMatchObject({
      rows: 8,
      imported: 3,
      created: 2,
      merges: 0,
      rejected: 5,
      ignoredColumns: ['Notes'],
      report: rep,
    });
    expect(readReport(rep)).toEqual([
      'row 5: Mobile: phone is not a valid mainland China mobile number',
      'row 6: identifier: no identifier in this row (give one of phone, email, member_card, pos_card, wechat_unionid, wechat_openid, device_id, external)',
      'row 7: birthday: 1990-13-01 is not a date (YYYY-MM-DD, between 1900 and today)',
      'row 8: email: email is not a valid address',
      'row 9: columns: 9 fields where the header has 8 (an unquoted comma?)',
    ]);
    const before = {
      customers: await count(sql<{ n: string }>`SELECT count(*) AS n FROM customers`),
      identifiers: await count(sql<{ n: string }>`SELECT count(*) AS n FROM customer_identifiers`),
    };
    const wang = await identifyApi({ identifiers: [{ type: 'email', value: 'wang.fang@example.com' }] });
    expect(wang.created).toBe(false);
    const p = await must(s, 'GET', `/v1/customers/${wang.customer_id}`);
    expect(p.traits).toMatchObject({ name: '王芳', gender: 'female', birthday: '1990-05-01', city: '苏州' }); // the later row's city wins
    expect(p.identifiers.map((i: { type: string }) => i.type).sort()).toEqual(['email', 'external', 'phone']);
    const li = await identifyApi({ identifiers: [{ type: 'external', value: 'C2' }] });
    expect((await must(s, 'GET', `/v1/customers/${li.customer_id}`)).traits).toMatchObject({
      name: 'Li, Lei',
      gender: 'male',
      birthday: '1985-12-31',
      city: '杭州',
    });

    const again = await customers({ file: f, maps: { Mobile: 'phone', CustomerID: 'external' }, report: rep });
    expect(again).toMatchObject({ rows: 8, imported: 3, created: 0, merges: 0, rejected: 5 });
    expect(readReport(rep)).toHaveLength(5);
    expect(await count(sql<{ n: string }>`SELECT count(*) AS n FROM customers`)).toBe(before.customers);
    expect(await count(sql<{ n: string }>`SELECT count(*) AS n FROM customer_identifiers`)).toBe(before.identifiers);
  });

  it('rejects a row whose plain trait holds a phone number or e-mail address', async () => {
    const rep = reportPath();
    const r = await customers({
      file: file('phone,city\n13900006666,call 139 0000 6666\n13900007777,上海\n'),
      report: rep,
    });
    expect(r).toMatchObject({ imported: 1, rejected: 1 });
    expect(readReport(rep)).toEqual([
      'row 2: city: looks like a phone number or e-mail address (those go in the phone and email columns)',
    ]);
  });

  it('merges two existing customers when a row links them, as identify does', async () => {
    const a = await identifyApi({ identifiers: [{ type: 'phone', value: '13911110001' }], traits: { city: '上海' } });
    const b = await identifyApi({ identifiers: [{ type: 'member_card', value: 'MC-IMPORT-1' }], channel: 'pos' });
    expect(b.customer_id).not.toBe(a.customer_id);
    const r = await customers({ file: file('phone,member_card,city\n13911110001,MC-IMPORT-1,南京\n') });
    expect(r).toMatchObject({ imported: 1, created: 0, merges: 1, rejected: 0 });
    const viaB = await must(s, 'GET', `/v1/customers/${b.customer_id}`);
    expect(viaB.id).toBe(a.customer_id);
    expect(viaB.members.sort()).toEqual([a.customer_id, b.customer_id].sort());
    expect(viaB.traits.city).toBe('南京');
  });

  it('reads gzip, matches headers case-insensitively and resolves repeated people once (bounded concurrency on PostgreSQL)', async () => {
    const rows = ['PHONE,Member_Card,City'];
    for (let i = 0; i < 300; i++) rows.push(`1392${String(i % 200).padStart(7, '0')},GZ-${i % 200},城${i % 7}`);
    const r = await customers({ file: file(rows.join('\r\n') + '\r\n', 'people.csv.gz') });
    expect(r).toMatchObject({ rows: 300, imported: 300, created: 200, merges: 0, rejected: 0, ignoredColumns: [] });
    const again = await customers({ file: file(rows.join('\n'), 'people2.csv.gz'), concurrency: 8 });
    expect(again).toMatchObject({ imported: 300, created: 0, merges: 0 });
    console.log(
      `customers import on ${TEST_DB}: ${r.rowsPerSecond} rows/s (300 rows, 200 new), re-run ${again.rowsPerSecond} rows/s`,
    );
  });

  it('refuses a mapping it cannot follow before importing anything', async () => {
    const f = file('Mobile,Name\n13900009999,X\n');
    await expect(customers({ file: f })).rejects.toThrow(/no identifier column/);
    await expect(customers({ file: f, maps: { Mobile: 'mobile_phone' } })).rejects.toThrow(
      /unknown field mobile_phone/,
    );
    await expect(customers({ file: f, maps: { Phone: 'phone' } })).rejects.toThrow(/no column Phone/);
    await expect(customers({ file: f, maps: { Mobile: 'phone' }, channel: 'fax' })).rejects.toBeInstanceOf(
      ImportUsageError,
    );
    await expect(customers({ file: path.join(dir, 'missing.csv') })).rejects.toThrow(/cannot read/);
    await expect(customers({ file: file('') })).rejects.toThrow(/is empty/);
  });

  it('stops at a malformed file naming the line, keeping what came before it', async () => {
    const f = file('phone,city\n13900006661,上海\n13900006662,"unclosed\n13900006663,北京\n');
    await expect(customers({ file: f })).rejects.toThrow(/^malformed CSV: line 4: Quote Not Closed/);
    expect((await identifyApi({ identifiers: [{ type: 'phone', value: '13900006661' }] })).created).toBe(false);
    const gz = zlib.gzipSync('phone\n' + Array.from({ length: 5000 }, (_, i) => `not a phone ${i}`).join('\n'));
    const truncated = path.join(dir, 'truncated.csv.gz');
    fs.writeFileSync(truncated, gz.subarray(0, gz.length - 20));
    await expect(customers({ file: truncated })).rejects.toThrow(/gzip data is corrupt or truncated/);
  });

  it('names a file that is not UTF-8, and reads it with --encoding', async () => {
    const gbk = Buffer.concat([
      Buffer.from('phone,city\n13900007777,'),
      Buffer.from([0xc9, 0xcf, 0xba, 0xa3]),
      Buffer.from('\n'),
    ]); // 上海 in GBK
    const f = path.join(dir, 'gbk.csv');
    fs.writeFileSync(f, gbk);
    await expect(customers({ file: f })).rejects.toThrow(/not valid UTF-8.*--encoding gb18030/);
    expect(await customers({ file: f, encoding: 'gb18030' })).toMatchObject({ imported: 1 });
    const c = await identifyApi({ identifiers: [{ type: 'phone', value: '13900007777' }] });
    expect((await must(s, 'GET', `/v1/customers/${c.customer_id}`)).traits.city).toBe('上海');
  });
});

describe('import orders', () => {
  const header = 'order_id,customer_phone,placed_at,channel,location_id,sku,qty,unit_price,amount,product_name';
  const history = [
    header,
    'A-1,13922220001,2024-05-01 10:00,pos,near,MILK,2,,,', // known SKU: its list price
    'A-2,13922220001,2024-05-02T12:00:00+08:00,app,,IMP-NEW,3,500,1400,Imported thing', // new product at 500, discount 100
    'A-1,13922220001,2024-05-01 10:00,pos,near,CHIPS,1,999,,', // A-1 again, not adjacent
    'A-3,,2024-05-03,web,,TV,1,,,', // a guest order
    'B-1,13922220002,2024-05-04 10:00,pos,nowhere,MILK,1,,,',
    'B-2,1234,2024-05-04 10:00,pos,near,MILK,1,,,',
    'B-3,13922220003,2024-05-04 10:00,web,,MILK,0,,,',
    'B-3,13922220003,2024-05-04 10:00,web,,CHIPS,1,,,',
    'B-4,13922220003,yesterday,web,,MILK,1,,,',
    'B-5,13922220003,2024-05-04 10:00,web,,IMP-NOPRICE,1,,,',
    'B-6,13922220003,2024-05-04 10:00,fax,,MILK,1,12.5,,',
    ',13922220003,2024-05-04 10:00,web,,MILK,1,,,',
    'B-3,13922220003,2024-05-04 10:00,web,,TV,1,,,',
  ].join('\n');

  it('imports history as completed orders of the resolved customers, visible through the API, and a re-run skips them', async () => {
    const f = file(history);
    const rep = reportPath();
    const r = await orders({ file: f, report: rep });
    expect(r).toMatchObject({
      rows: 13,
      orders: 3,
      lines: 4,
      skipped: 0,
      rejectedOrders: 6,
      productsCreated: 1,
      customers: { resolved: 1, created: 1, merges: 0 },
    });
    expect(readReport(rep).sort()).toEqual(
      [
        'row 13: order_id: empty',
        'row 6: location_id: unknown location nowhere',
        'row 7: customer_phone: phone is not a valid number',
        'row 8: qty: 0: not a positive quantity (returns and cancellations are not imported)',
        'row 9: order_id: order B-3 is not imported: row 8 is invalid',
        'row 14: order_id: order B-3 is not imported: row 8 is invalid',
        'row 10: placed_at: yesterday is not a date and time (YYYY-MM-DD HH:MM[:SS], ISO 8601)',
        'row 11: sku: unknown SKU IMP-NOPRICE and no unit_price or amount to create it with',
        'row 12: unit_price: 12.5 is not a whole number of fen (add --money yuan for decimal amounts)',
        'row 12: channel: unknown channel fax (app, mini_program, web, pos, group_buy)',
      ].sort(),
    );
    expect(r.rejected).toBe(10);

    const who = await identifyApi({ identifiers: [{ type: 'phone', value: '13922220001' }] });
    expect(who.created).toBe(false);
    const list = await must(s, 'GET', `/v1/orders?customer_id=${who.customer_id}`);
    expect(list.items.map((o: { id: string }) => o.id)).toEqual(['imp_A-2', 'imp_A-1']);
    expect(list.items[1]).toMatchObject({
      channel: 'pos',
      location_id: 'near',
      fulfillment_type: 'in_store',
      status: 'completed',
      placed_at: '2024-05-01T02:00:00.000Z',
      paid_at: '2024-05-01T02:00:00.000Z',
      totals: { subtotal: 2 * 1290 + 999, discount: 0, delivery_fee: 0, total: 2 * 1290 + 999 },
    });
    expect(list.items[0]).toMatchObject({
      channel: 'app',
      location_id: null,
      fulfillment_type: 'delivery',
      placed_at: '2024-05-02T04:00:00.000Z',
      totals: { subtotal: 1500, discount: 100, total: 1400 },
    });
    const a1 = await must(s, 'GET', '/v1/orders/imp_A-1');
    expect(a1.lines).toEqual([
      {
        line_no: 1,
        sku: 'MILK',
        product_name: 'Milk',
        qty: 2,
        unit_price: 1290,
        discount: 0,
        coupon_discount: 0,
        points_used: 0,
        points_discount: 0,
        amount: 2580,
        returned_qty: 0,
      },
      {
        line_no: 2,
        sku: 'CHIPS',
        product_name: 'Chips',
        qty: 1,
        unit_price: 999,
        discount: 0,
        coupon_discount: 0,
        points_used: 0,
        points_discount: 0,
        amount: 999,
        returned_qty: 0,
      },
    ]);
    expect(await must(s, 'GET', '/v1/products/IMP-NEW')).toMatchObject({
      name: 'Imported thing',
      category: 'imported',
      list_price: 500,
    });
    const guest = await must(s, 'GET', '/v1/orders/imp_A-3');
    expect(guest).toMatchObject({
      customer_id: null,
      channel: 'web',
      placed_at: '2024-05-02T16:00:00.000Z',
      totals: { total: 399900 },
    });
    const profile = await must(s, 'GET', `/v1/customers/${who.customer_id}`);
    expect(profile.stats).toMatchObject({ orders: 2, spend: 2 * 1290 + 999 + 1400 });
    expect(profile.created_at).toBe('2024-05-01T02:00:00.000Z'); // first seen with its first order

    const importedOrders = () => count(sql<{ n: string }>`SELECT count(*) AS n FROM orders WHERE id LIKE 'imp_%'`);
    const importedLines = () =>
      count(sql<{ n: string }>`SELECT count(*) AS n FROM order_lines WHERE order_id LIKE 'imp_%'`);
    const [o1, l1] = [await importedOrders(), await importedLines()];
    const again = await orders({ file: f, report: rep });
    expect(again).toMatchObject({
      orders: 0,
      lines: 0,
      skipped: 3,
      rejectedOrders: 6,
      productsCreated: 0,
      customers: { resolved: 0, created: 0 },
    });
    expect([await importedOrders(), await importedLines()]).toEqual([o1, l1]);
  });

  it('rejects the rows of an order that come more than the window apart, and --strict rejects unknown SKUs', async () => {
    const f = file(
      [
        'order_id,customer_external,placed_at,sku,qty,unit_price',
        'W-1,W-CUST,2024-06-01 09:00,MILK,1,',
        'W-2,W-CUST,2024-06-01 09:05,MILK,1,',
        'W-3,W-CUST,2024-06-01 09:10,MILK,1,',
        'W-1,W-CUST,2024-06-01 09:00,CHIPS,1,',
        'W-4,W-CUST,2024-06-01 09:20,W-SKU,1,100',
      ].join('\n'),
    );
    const rep = reportPath();
    const r = await orders({ file: f, window: 2, chunk: 1, report: rep, strict: true });
    expect(r).toMatchObject({ orders: 3, rejectedOrders: 1, productsCreated: 0 });
    expect(readReport(rep)).toEqual([
      'row 5: order_id: order W-1 was already written from rows before; rows of one order must come within 2 rows of each other (sort the file by order id or raise --window)',
      'row 6: sku: unknown SKU W-SKU (--strict)',
    ]);
    expect((await must(s, 'GET', '/v1/orders/imp_W-1')).lines).toHaveLength(1);
    const wide = await orders({ file: f, window: 10, report: rep });
    expect(wide).toMatchObject({ orders: 1, skipped: 3, productsCreated: 1 }); // W-4 now; W-1 stays as first written
  });

  it('completes the orders of an interrupted run', async () => {
    const f = file(
      [
        'order_id,customer_member_card,placed_at,sku,qty,amount',
        'I-1,CARD-I,2024-07-01 08:00,MILK,2,2400',
        'I-1,CARD-I,2024-07-01 08:00,TV,1,399900',
        'I-2,CARD-I,2024-07-02 08:00,CHIPS,1,999',
      ].join('\n'),
    );
    expect(await orders({ file: f })).toMatchObject({ orders: 2, lines: 3 });
    // As if the run had stopped after writing I-1's order and first line, before marking it done.
    const db = s.santong.ctx.database.db;
    await db.deleteFrom('order_lines').where('order_id', '=', 'imp_I-1').where('line_no', '=', 2).execute();
    await sql`DELETE FROM order_imports WHERE order_id = 'imp_I-1'`.execute(db);
    expect(await orders({ file: f })).toMatchObject({ orders: 1, lines: 2, skipped: 1, redone: 1 });
    const o = await must(s, 'GET', '/v1/orders/imp_I-1');
    expect(
      o.lines.map((l: { sku: string; unit_price: number; discount: number; amount: number }) => [
        l.sku,
        l.unit_price,
        l.discount,
        l.amount,
      ]),
    ).toEqual([
      ['MILK', 1200, 0, 2400],
      ['TV', 399900, 0, 399900],
    ]);
  });

  it('takes unit costs from a cost_price column: new products get theirs, existing ones only when they have none', async () => {
    const costed = [
      'order_id,placed_at,channel,location_id,sku,qty,unit_price,cost_price',
      'C-1,2024-06-01 10:00,pos,near,IMP-COST,2,800,450',
      'C-1,2024-06-01 10:00,pos,near,CHIPS,1,999,600',
    ].join('\n');
    const r = await orders({ file: file(costed), report: reportPath() });
    expect(r).toMatchObject({ orders: 1, rejectedOrders: 0 });
    expect((await must(s, 'GET', '/v1/products/IMP-COST')).cost_price).toBe(450);
    expect((await must(s, 'GET', '/v1/products/CHIPS')).cost_price).toBe(600);
    // a cost already recorded is kept; a bad cost names its column
    const again = [
      'order_id,placed_at,channel,location_id,sku,qty,unit_price,cost_price',
      'C-2,2024-06-02 10:00,pos,near,CHIPS,1,999,700',
      'C-3,2024-06-02 10:00,pos,near,CHIPS,1,999,7.5',
    ].join('\n');
    const rep = reportPath();
    expect(await orders({ file: file(again), report: rep })).toMatchObject({ orders: 1, rejectedOrders: 1 });
    expect(readReport(rep)).toEqual([
      'row 3: cost_price: 7.5 is not a whole number of fen (add --money yuan for decimal amounts)',
    ]);
    expect((await must(s, 'GET', '/v1/products/CHIPS')).cost_price).toBe(600);
  });

  it('refuses a file without the columns an order needs', async () => {
    await expect(orders({ file: file('order_id,sku,qty\n1,MILK,1\n') })).rejects.toThrow(/no column for placed_at/);
    await expect(
      orders({ file: file('order_id,placed_at,sku,qty\n1,2024-01-01,MILK,1\n'), maps: { qty: 'quantity' } }),
    ).rejects.toThrow(/unknown field quantity/);
    await expect(
      orders({ file: file('order_id,placed_at,sku,qty\n1,2024-01-01,MILK,1\n'), timezone: 'Mars/Olympus' }),
    ).rejects.toThrow(/unknown time zone/);
    const r = await orders({ file: file('order_id,placed_at,sku,qty,customer_fax\nX-1,2024-01-01,MILK,1,x\n') });
    expect(r).toMatchObject({ orders: 1, ignoredColumns: ['customer_fax'] });
  });
});

describe('import values', () => {
  it('parses money exactly, timestamps in the retailer time zone, and ids', () => {
    expect(parseMoney('1290', 'fen')).toBe(1290);
    expect(parseMoney('2.55', 'yuan')).toBe(255);
    expect(parseMoney('0.1', 'yuan')).toBe(10);
    expect(parseMoney('7', 'yuan')).toBe(700);
    expect(parseMoney('1.005', 'yuan')).toMatch(/more than two decimal places/);
    expect(parseMoney('-1', 'fen')).toBe('is negative');
    expect(parseTimestamp('2024-05-01 10:00', 'Asia/Shanghai')?.toISOString()).toBe('2024-05-01T02:00:00.000Z');
    expect(parseTimestamp('2024/5/1 10:00:30', 'Asia/Shanghai')?.toISOString()).toBe('2024-05-01T02:00:30.000Z');
    expect(parseTimestamp('2024-07-01 10:00', 'Europe/London')?.toISOString()).toBe('2024-07-01T09:00:00.000Z');
    expect(parseTimestamp('2024-01-01 10:00', 'Europe/London')?.toISOString()).toBe('2024-01-01T10:00:00.000Z');
    expect(parseTimestamp('2024-05-01T10:00:00Z', 'Asia/Shanghai')?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(parseTimestamp('2024-05-01T10:00:00.250-0130', 'Asia/Shanghai')?.toISOString()).toBe(
      '2024-05-01T11:30:00.250Z',
    );
    expect(parseTimestamp('2024-02-30', 'Asia/Shanghai')).toBeNull();
    expect(parseTimestamp('01/05/2024', 'Asia/Shanghai')).toBeNull();
    expect(parseBirthday('19900501')).toBe('1990-05-01');
    expect(parseBirthday('2999-01-01')).toBeNull();
    expect(importedOrderId('536365')).toBe('imp_536365');
    expect(importedOrderId('PO 12/3')).toMatch(/^imp_PO-12-3_[0-9a-f]{10}$/);
    expect(importedOrderId('PO 12/3')).not.toBe(importedOrderId('PO-12-3'));
  });
});

describe.skipIf(!fs.existsSync(RETAIL))('import the UCI Online Retail history (../shared/data/online-retail)', () => {
  it('imports the first 20,000 lines with the counts a direct computation gives', { timeout: 120_000 }, async () => {
    const text = zlib.gunzipSync(fs.readFileSync(RETAIL)).toString('utf8');
    let end = 0;
    for (let i = 0; i < 20_000; i++) end = text.indexOf('\n', end) + 1;
    const head = text.slice(0, end);
    const f = file(head, 'online_retail_head.csv.gz');

    // Direct computation over the same rows: an invoice is imported when all its lines are
    // (qty > 0; price >= 0 in whole pence, which a later part of the file breaks with 0.001).
    const rows = parseCsvSync(head, { columns: true }) as Record<string, string>[];
    const invoices = new Map<
      string,
      { rows: { line: number; qty: number; price: number; wholePence: boolean }[]; customer: string }
    >();
    rows.forEach((r, i) => {
      const inv = invoices.get(r.InvoiceNo) ?? { rows: [], customer: r.CustomerID };
      inv.rows.push({
        line: i + 2,
        qty: Number(r.Quantity),
        price: Number(r.UnitPrice),
        wholePence: !/\.\d{3}/.test(r.UnitPrice),
      });
      invoices.set(r.InvoiceNo, inv);
    });
    const good = [...invoices.entries()].filter(([, v]) =>
      v.rows.every((x) => x.qty > 0 && x.price >= 0 && x.wholePence),
    );
    const expected = {
      orders: good.length,
      lines: good.reduce((a, [, v]) => a + v.rows.length, 0),
      customers: new Set(good.map(([, v]) => v.customer).filter(Boolean)).size,
      total: good.reduce((a, [, v]) => a + v.rows.reduce((b, x) => b + Math.round(x.price * 100) * x.qty, 0), 0),
      rejectedOrders: invoices.size - good.length,
    };
    const cancellationLines = [...invoices.entries()]
      .filter(([k]) => k.startsWith('C'))
      .flatMap(([, v]) => v.rows.map((x) => x.line));
    expect(cancellationLines.length).toBeGreaterThan(100);

    const rep = reportPath();
    const maps = {
      InvoiceNo: 'order_id',
      StockCode: 'sku',
      Description: 'product_name',
      Quantity: 'qty',
      InvoiceDate: 'placed_at',
      UnitPrice: 'unit_price',
      CustomerID: 'customer_external',
    };
    const r = await orders({ file: f, maps, money: 'yuan', timezone: 'Europe/London', report: rep });
    console.log(
      `UCI orders import on ${TEST_DB}: ${r.rows} rows, ${r.orders} orders, ${r.customers.created} customers in ${r.ms} ms (${r.rowsPerSecond} rows/s)`,
    );
    expect(r).toMatchObject({
      rows: rows.length,
      orders: expected.orders,
      lines: expected.lines,
      rejectedOrders: expected.rejectedOrders,
      skipped: 0,
      ignoredColumns: ['Country'],
      customers: { resolved: expected.customers, created: expected.customers, merges: 0 },
    });
    const reported = new Set(readReport(rep).map((l) => Number(/^row (\d+):/.exec(l)![1])));
    for (const line of cancellationLines) expect(reported.has(line)).toBe(true);

    const ids = good.map(([k]) => importedOrderId(k));
    const db = s.santong.ctx.database.db;
    const sums = await db
      .selectFrom('orders')
      .select((eb) => [
        eb.fn.countAll<string>().as('n'),
        eb.fn.sum<string>('total').as('total'),
        eb.fn.count<string>('customer_id').distinct().as('customers'),
      ])
      .where('id', 'in', ids)
      .executeTakeFirstOrThrow();
    expect({ n: Number(sums.n), total: Number(sums.total), customers: Number(sums.customers) }).toEqual({
      n: expected.orders,
      total: expected.total,
      customers: expected.customers,
    });

    // One customer's history through the API.
    const byCustomer = new Map<string, string[]>();
    for (const [k, v] of good) if (v.customer) byCustomer.set(v.customer, [...(byCustomer.get(v.customer) ?? []), k]);
    const [cid, mine] = [...byCustomer].sort((a, b) => b[1].length - a[1].length)[0];
    const c = await identifyApi({ identifiers: [{ type: 'external', value: cid }] });
    expect(c.created).toBe(false);
    const list = await must(s, 'GET', `/v1/orders?customer_id=${c.customer_id}&limit=200`);
    expect(mine.length).toBeGreaterThan(1);
    expect(list.items.map((o: { id: string }) => o.id).sort()).toEqual(mine.map((k) => importedOrderId(k)).sort());

    const again = await orders({ file: f, maps, money: 'yuan', timezone: 'Europe/London' });
    expect(again).toMatchObject({ orders: 0, skipped: expected.orders, customers: { created: 0 } });
  });
});

describe('santong import (the command)', () => {
  function run(
    args: string[],
    env: NodeJS.ProcessEnv,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'santong.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('imports customers from a file, prints a summary and writes the report', { timeout: 120_000 }, async () => {
    // On PostgreSQL the command works on the test server's database, so the API sees its customers.
    const env = {
      SANTONG_DATA_DIR: path.join(dir, 'cli-data'),
      SANTONG_DEMO: '0',
      DATABASE_URL: s.testDb.url ?? '',
      SANTONG_MASTER_KEY: s.config.masterKey ?? '',
      LOG_LEVEL: 'warn',
    };
    const f = file('Mobile,CustomerID,city\n13933330001,CLI-1,上海\n13933330002,CLI-2,北京\nnope,CLI-3,\n');
    const rep = reportPath();
    const r = await run(
      ['import', 'customers', f, '--map', 'Mobile=phone', '--map', 'CustomerID=external', '--report', rep],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 rows in');
    expect(r.stdout).toContain('2 imported: 2 new customers, 0 found again, 0 merges');
    expect(r.stdout).toContain(`1 rows rejected, listed in ${rep}`);
    expect(r.stderr).toMatch(/Importing customers: 100%/);
    expect(readReport(rep)).toEqual(['row 4: Mobile: phone is not a valid number']);
    if (s.testDb.url) {
      const c = await identifyApi({ identifiers: [{ type: 'external', value: 'CLI-2' }] });
      expect(c.created).toBe(false);
      expect((await must(s, 'GET', `/v1/customers/${c.customer_id}`)).traits.city).toBe('北京');
    }
    const bad = await run(['import', 'customers', f, '--map', 'Mobile=mobile'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown field mobile');
  });
});
