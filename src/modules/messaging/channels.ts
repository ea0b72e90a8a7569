import type { Principal } from '../../platform/auth/roles';
import { audit } from '../../platform/audit/audit';
import { open, seal, type KeyRing } from '../../platform/crypto/keys';
import type { Queryable, Tx } from '../../platform/db/database';
import { CHANNELS, type Channel } from './tables';

/** How a channel's messages leave: recorded only (`log`, the default) or POSTed to a gateway (`webhook`). */
export type ChannelAdapter = { adapter: 'log' } | { adapter: 'webhook'; url: string; secret: string };

/** What is shown of a channel: never the secret. */
export interface ChannelView {
  channel: Channel;
  adapter: 'log' | 'webhook';
  url: string | null;
  configured: boolean;
  updated_at: string | null;
}

/** Channel secrets are sealed under a key derived from the data root (a master-key rotation leaves them readable). */
const secretKey = (keys: KeyRing) => keys.derive('message-channel-secret');

/** Every channel as configured; one never configured is the log adapter. */
export async function listChannels(db: Queryable): Promise<ChannelView[]> {
  const rows = await db.selectFrom('message_channels').select(['channel', 'adapter', 'url', 'updated_at']).execute();
  return CHANNELS.map((channel) => {
    const r = rows.find((x) => x.channel === channel);
    return r
      ? { channel, adapter: r.adapter, url: r.url, configured: true, updated_at: r.updated_at.toISOString() }
      : { channel, adapter: 'log', url: null, configured: false, updated_at: null };
  });
}

/** Sets a channel's adapter (the URL already checked), audited without the secret. */
export async function putChannel(
  tx: Tx,
  keys: KeyRing,
  actor: Principal | null,
  channel: Channel,
  a: ChannelAdapter,
): Promise<ChannelView> {
  const values =
    a.adapter === 'webhook'
      ? { adapter: a.adapter, url: a.url, secret_sealed: seal(secretKey(keys), a.secret) }
      : { adapter: a.adapter, url: null, secret_sealed: null };
  await tx
    .insertInto('message_channels')
    .values({ channel, ...values })
    .onConflict((oc) => oc.column('channel').doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
  await audit(tx, actor, {
    action: 'messaging.channel',
    subject: channel,
    details: { adapter: a.adapter, url: values.url },
  });
  return (await listChannels(tx)).find((c) => c.channel === channel)!;
}

/** The adapter a channel's messages go through now, its secret opened (for the sender only). */
export async function channelAdapter(db: Queryable, keys: KeyRing, channel: Channel): Promise<ChannelAdapter> {
  const r = await db
    .selectFrom('message_channels')
    .select(['adapter', 'url', 'secret_sealed'])
    .where('channel', '=', channel)
    .executeTakeFirst();
  if (r?.adapter !== 'webhook' || !r.url || !r.secret_sealed) return { adapter: 'log' };
  return { adapter: 'webhook', url: r.url, secret: open(secretKey(keys), r.secret_sealed).toString('utf8') };
}
