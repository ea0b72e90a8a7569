import type { Profile } from '../api';
import { formatDateTime, formatFen, formatInt } from '../format';
import { useI18n } from '../i18n';
import { ChannelBadge } from './Badges';
import { KpiCard } from './KpiCard';

/** Orders and spend per channel, with when the person was last seen in each (orders and events). */
export function CustomerStats({ stats }: { stats: Profile['stats'] }) {
  const { t, lang } = useI18n();
  const channels = [...new Set([...stats.by_channel.map((b) => b.channel), ...stats.last_seen.map((s) => s.channel)])];
  const lastSeen = new Map(stats.last_seen.map((s) => [s.channel, s.at]));
  return (
    <div className="customer-stats">
      <div className="stat-cards">
        <KpiCard label={t('profile.orders')} value={formatInt(stats.orders)} testId="stat-orders" />
        <KpiCard label={t('profile.spend')} value={formatFen(stats.spend)} testId="stat-spend" />
      </div>
      {channels.length === 0 ? (
        <p className="muted small">{t('profile.noActivity')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="channel-stats">
            <thead>
              <tr>
                <th>{t('orders.channel')}</th>
                <th className="num">{t('profile.orders')}</th>
                <th className="num">{t('profile.spend')}</th>
                <th>{t('profile.lastOrder')}</th>
                <th>{t('profile.lastSeenAt')}</th>
              </tr>
            </thead>
            <tbody>
              {channels.map((c) => {
                const b = stats.by_channel.find((x) => x.channel === c);
                return (
                  <tr key={c} data-testid={`channel-stats-${c}`}>
                    <td>
                      <ChannelBadge channel={c} />
                    </td>
                    <td className="num" data-testid="channel-orders">
                      {formatInt(b?.orders ?? 0)}
                    </td>
                    <td className="num" data-testid="channel-spend">
                      {formatFen(b?.spend ?? 0)}
                    </td>
                    <td className="nowrap small">{formatDateTime(b?.last_order_at, lang)}</td>
                    <td className="nowrap small">{formatDateTime(lastSeen.get(c), lang)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">{t('profile.statsHint')}</p>
    </div>
  );
}
