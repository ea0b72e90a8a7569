import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';

/** The events calendar edited over HTTP: an event's fields replaced, checked and audited. */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

const EVENT = { name: '618 年中大促', kind: 'holiday', starts_on: '2027-06-16', ends_on: '2027-06-18', uplift: 2.5 };

describe('editing a calendar event', () => {
  it('replaces its fields, refuses bad dates and unknown ids, and is audited', async () => {
    const marketer = await s.keyFor('marketer');
    const created = await s.api('POST', '/v1/forecast-events', EVENT, { key: marketer });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const changed = { ...EVENT, name: '618 狂欢', starts_on: '2027-06-01', uplift: 1.8, sku: 'MILK' };
    const put = await s.api('PUT', `/v1/forecast-events/${id}`, changed, { key: marketer });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, ...changed, location_id: null, created_at: created.body.created_at });
    // every field is replaced: leaving sku out makes it an every-SKU event again
    const back = await s.api('PUT', `/v1/forecast-events/${id}`, EVENT, { key: marketer });
    expect(back.body).toMatchObject({ ...EVENT, sku: null });
    expect((await s.api('GET', '/v1/forecast-events')).body.items).toEqual([back.body]);

    const backwards = await s.api('PUT', `/v1/forecast-events/${id}`, { ...EVENT, ends_on: '2027-06-15' });
    expect(backwards.status).toBe(422);
    expect(backwards.body.error.field).toBe('ends_on');
    const zero = await s.api('PUT', `/v1/forecast-events/${id}`, { ...EVENT, uplift: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.error.field).toBe('uplift');
    expect((await s.api('GET', '/v1/forecast-events')).body.items[0]).toMatchObject(EVENT);
    expect((await s.api('PUT', '/v1/forecast-events/fev_nope', EVENT)).status).toBe(404);

    const audited = await s.santong.ctx.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'forecast_event.%')
      .orderBy('id')
      .execute();
    expect(audited.map((a) => a.action)).toEqual([
      'forecast_event.create',
      'forecast_event.update',
      'forecast_event.update',
    ]);
  });
});
