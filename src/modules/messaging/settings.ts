import type { Principal } from '../../platform/auth/roles';
import { audit } from '../../platform/audit/audit';
import type { Queryable, Tx } from '../../platform/db/database';
import { unprocessable } from '../../platform/http/errors';
import { getSetting, putSetting } from '../../platform/settings';

/** Local times of day "HH:MM" (24 h) in the retailer's time zone; the window may span midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

/** At most `max` marketing messages per customer and channel in any `days` days, across all journeys. */
export interface FrequencyCap {
  max: number;
  days: number;
}

export interface MessagingSettings {
  quiet_hours: QuietHours | null;
  frequency_cap: FrequencyCap | null;
}

const SETTING = 'messaging';
export const DEFAULT_MESSAGING: MessagingSettings = {
  quiet_hours: { start: '21:00', end: '09:00' },
  frequency_cap: { max: 2, days: 7 },
};
export const TIME_OF_DAY = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

export async function getMessagingSettings(db: Queryable): Promise<MessagingSettings> {
  return { ...DEFAULT_MESSAGING, ...(await getSetting<Partial<MessagingSettings>>(db, SETTING)) };
}

/** Sets quiet hours and the frequency cap (admin), audited; they apply to messages queued from now on. */
export async function setMessagingSettings(
  tx: Tx,
  actor: Principal | null,
  v: MessagingSettings,
): Promise<MessagingSettings> {
  if (v.quiet_hours && v.quiet_hours.start === v.quiet_hours.end)
    throw unprocessable(
      'empty_window',
      'quiet hours start and end must differ (null: no quiet hours)',
      'quiet_hours.end',
    );
  const value: MessagingSettings = { quiet_hours: v.quiet_hours, frequency_cap: v.frequency_cap };
  const before = await getMessagingSettings(tx);
  await putSetting(tx, SETTING, value);
  await audit(tx, actor, { action: 'settings.messaging', subject: SETTING, details: { before, after: value } });
  return value;
}
