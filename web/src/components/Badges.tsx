import { translateValue, useI18n } from '../i18n';
import { channelColor } from './channels';

export function ChannelBadge({ channel }: { channel: string | null }) {
  const { t } = useI18n();
  if (!channel) return <span className="muted">{t('common.none')}</span>;
  return (
    <span className="channel-badge">
      <span className="dot" style={{ background: channelColor(channel) }} aria-hidden="true" />
      {translateValue(t, 'channel', channel)}
    </span>
  );
}

const STATUS_TONE: Record<string, string> = {
  completed: 'ok',
  collected: 'ok',
  delivered: 'ok',
  paid: 'info',
  in_fulfilment: 'info',
  shipped: 'info',
  out_for_delivery: 'info',
  ready_for_pickup: 'warn',
  pending_payment: 'warn',
  fulfilment_failed: 'danger',
  returned: 'muted',
  refunded: 'muted',
  cancelled: 'muted',
  expired: 'muted',
};

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  return <span className={`badge badge-${STATUS_TONE[status] ?? 'info'}`}>{translateValue(t, 'status', status)}</span>;
}
