import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transact } from '../../src/platform/db/transaction';
import { queueMessage } from '../../src/modules/messaging/public';
import { launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * 营销消息 in a real (headless) Chromium: an admin sets the SMS channel to "record only", quiet hours
 * and the frequency cap on the settings page; messages queued the way the journeys engine queues
 * them (messaging/public.ts queueMessage) appear in 营销 › 消息记录 with their state in Chinese.
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('messages');
});
afterAll(async () => ui?.close());

const rand = (n: number) => Array.from(crypto.randomBytes(n), (b) => String(b % 10)).join('');

/** A member with a phone, with or without SMS marketing consent. */
async function member(consent: boolean) {
  const phone = `139${rand(8)}`;
  const c = await ui.ok(
    'POST',
    '/v1/identify',
    { channel: 'app', identifiers: [{ type: 'phone', value: phone }] },
    200,
  );
  if (consent)
    await ui.ok('PUT', `/v1/customers/${c.customer_id}/consents/marketing_sms`, {
      granted: true,
      channel: 'app',
      source: 'signup_form',
    });
  return { id: c.customer_id as string, phone };
}

describe('marketing messages', () => {
  it('configures the channel, quiet hours and cap, and shows the message log', async () => {
    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-settings').click();
    const section = page.getByTestId('messaging-settings');
    await section.waitFor();
    expect(await text(section.locator('h2'))).toBe('营销消息');

    // The SMS channel: record only (the default), saved explicitly.
    const sms = page.getByTestId('channel-form-sms');
    await sms.getByTestId('channel-adapter').selectOption('log');
    await sms.getByTestId('channel-save').click();
    await sms.getByTestId('channel-saved').waitFor();
    const channels = await ui.ok('GET', '/v1/message-channels');
    expect(channels.items.find((c: { channel: string }) => c.channel === 'sms')).toMatchObject({
      adapter: 'log',
      configured: true,
    });

    // Quiet hours 22:00–08:00 and at most 3 messages in 7 days.
    const rules = page.getByTestId('messaging-rules');
    expect(await rules.getByTestId('quiet-on').isChecked()).toBe(true); // the default 21:00–09:00
    await rules.getByTestId('quiet-start').fill('22:00');
    await rules.getByTestId('quiet-end').fill('08:00');
    await rules.getByTestId('cap-max').fill('3');
    await rules.getByTestId('messaging-save').click();
    await rules.getByTestId('messaging-saved').waitFor();
    expect(await ui.ok('GET', '/v1/settings/messaging')).toEqual({
      quiet_hours: { start: '22:00', end: '08:00' },
      frequency_cap: { max: 3, days: 7 },
    });
    await page.screenshot({ path: path.join(SHOTS, 'santong-messaging-settings-zh.png'), fullPage: true });

    // No quiet hours for the rest of the test: the messages below go out at once whatever the time.
    await rules.getByTestId('quiet-on').uncheck();
    await rules.getByTestId('messaging-save').click();
    await expect.poll(async () => (await ui.ok('GET', '/v1/settings/messaging')).quiet_hours).toBeNull();

    // Two messages queued as a journey step queues them: one consented member, one without consent.
    const yes = await member(true);
    const no = await member(false);
    const db = ui.server.santong.ctx.database;
    const text1 = '亲爱的会员，您的老客回归券已到账，30 天内到店可用';
    const sent = await transact(db, (tx) =>
      queueMessage(tx, {
        messageId: 'e2e-winback-1',
        customerId: yes.id,
        channel: 'sms',
        text: text1,
        journeyId: 'jrn_e2e',
        stepId: 'sms',
      }),
    );
    const refused = await transact(db, (tx) =>
      queueMessage(tx, {
        messageId: 'e2e-winback-2',
        customerId: no.id,
        channel: 'sms',
        text: text1,
        journeyId: 'jrn_e2e',
        stepId: 'sms',
      }),
    );
    expect(sent.status).toBe('queued');
    expect(refused).toMatchObject({ status: 'suppressed', reason: 'no_consent' });
    // The server's own sender (dispatcher task) records it through the log adapter.
    await expect
      .poll(async () => (await ui.ok('GET', '/v1/messages?journey_id=jrn_e2e&status=sent')).items.length, {
        timeout: 15_000,
      })
      .toBe(1);

    await page.getByTestId('nav-marketing').click();
    await page.getByTestId('tab-messages').click();
    const log = page.getByTestId('message-log');
    await log.getByTestId('msg-filter-journey').fill('jrn_e2e');
    const row = log.getByTestId('message-e2e-winback-1');
    expect(await text(row.getByTestId('message-status'))).toBe('已发出');
    const rowText = await text(row);
    expect(rowText).toContain('短信');
    expect(rowText).toContain(`${yes.phone.slice(0, 3)}****${yes.phone.slice(-4)}`);
    expect(rowText).not.toContain(yes.phone);
    expect(rowText).toContain(text1);
    const other = log.getByTestId('message-e2e-winback-2');
    expect(await text(other.getByTestId('message-status'))).toBe('未发送');
    expect(await text(other)).toContain('未同意接收营销消息');

    // The status filter: only the suppressed one.
    await log.getByTestId('msg-filter-status').selectOption('suppressed');
    await expect.poll(() => log.locator('tbody tr').count()).toBe(1);
    await log.getByTestId('message-e2e-winback-2').waitFor();
    await log.getByTestId('msg-filter-status').selectOption('');
    await row.waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'santong-messages-zh.png'), fullPage: true });
    expect(ui.pageErrors).toEqual([]);
  });
});
