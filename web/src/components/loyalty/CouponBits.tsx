import { formatDateTime, formatInt } from '../../format';
import { translateValue, useI18n, type MessageKey } from '../../i18n';
import { CHANNEL_GROUPS, couponValueText, type CouponTemplate } from '../../loyalty';
import { ChannelBadge } from '../Badges';
import { ProductName } from '../ProductName';

/** The kind of a coupon in words (立减, 折扣, 满减, 免运费, 赠品). */
export function KindBadge({ kind }: { kind: string }) {
  const { t } = useI18n();
  return <span className={`badge badge-kind badge-kind-${kind}`}>{translateValue(t, 'loyalty.kind', kind)}</span>;
}

/** What the coupon gives: ¥10 off, 15% off at most ¥20, ¥20 off from ¥100… */
export function CouponValue({
  c,
}: {
  c: { kind: string; value: number; cap?: number | null; min_spend?: number; gift_sku?: string | null };
}) {
  const { t } = useI18n();
  return (
    <span className="coupon-value" data-testid="coupon-value">
      {couponValueText(t, c)}
      {c.gift_sku && (
        <>
          {' '}
          <ProductName sku={c.gift_sku} />
        </>
      )}
    </span>
  );
}

/** The channels of a template; the whole online group or the store group in one chip when all of it is there. */
export function ChannelList({ channels }: { channels: string[] }) {
  const { t } = useI18n();
  const rest = new Set(channels);
  const groups: string[] = [];
  for (const [g, members] of Object.entries(CHANNEL_GROUPS)) {
    if (g === 'store') continue; // pos alone reads better as the channel itself
    if (members.every((m) => rest.has(m))) {
      groups.push(g);
      for (const m of members) rest.delete(m);
    }
  }
  return (
    <div className="chips" data-testid="template-channels-list">
      {groups.map((g) => (
        <span key={g} className="chip chip-group" data-channel-group={g}>
          {t(`loyalty.group.${g}` as MessageKey)}
        </span>
      ))}
      {[...rest].map((c) => (
        <span key={c} className="chip">
          <ChannelBadge channel={c} />
        </span>
      ))}
    </div>
  );
}

/** From–to, or "N days after claim". */
export function Validity({ tpl }: { tpl: Pick<CouponTemplate, 'valid_from' | 'valid_to' | 'valid_days_after_claim'> }) {
  const { t, lang } = useI18n();
  const parts: string[] = [];
  if (tpl.valid_days_after_claim) parts.push(t('loyalty.validDays', { days: tpl.valid_days_after_claim }));
  if (tpl.valid_from || tpl.valid_to)
    parts.push(
      `${tpl.valid_from ? formatDateTime(tpl.valid_from, lang) : t('loyalty.now')} – ${tpl.valid_to ? formatDateTime(tpl.valid_to, lang) : t('loyalty.noEnd')}`,
    );
  return <span className="nowrap small">{parts.join(' · ') || t('common.none')}</span>;
}

/** Issued of the budget, with a bar; "no limit" when the template has none. */
export function BudgetUsed({ issued, budget }: { issued: number; budget: number | null }) {
  const { t } = useI18n();
  const share = budget ? Math.min(1, issued / budget) : 0;
  return (
    <span className="budget" data-testid="template-budget-used" data-issued={issued} data-budget={budget ?? ''}>
      <span className="budget-figures">
        {formatInt(issued)} / {budget === null ? t('loyalty.unlimited') : formatInt(budget)}
      </span>
      {budget !== null && (
        <span className="share-track" aria-hidden="true">
          <span className={'share-bar' + (share >= 1 ? ' share-full' : '')} style={{ width: `${share * 100}%` }} />
        </span>
      )}
    </span>
  );
}

/** Redemptions by channel as chips (门店 POS 3 · App 1); "—" when none. */
export function RedemptionsByChannel({ byChannel }: { byChannel: Record<string, number> | undefined }) {
  const { t } = useI18n();
  const entries = Object.entries(byChannel ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return <span className="muted">{t('common.none')}</span>;
  return (
    <div className="chips" data-testid="redemptions-by-channel">
      {entries.map(([c, n]) => (
        <span key={c} className="chip" data-channel={c} data-count={n}>
          <ChannelBadge channel={c} /> <strong>{formatInt(n)}</strong>
        </span>
      ))}
    </div>
  );
}

const STATUS_TONE: Record<string, string> = {
  issued: 'ok',
  redeemed: 'info',
  expired: 'muted',
  void: 'muted',
  active: 'ok',
  paused: 'warn',
};

/** A coupon's (or template's) state: 可用 / 已核销 / 已过期 / 已作废. */
export function CouponStatus({ status }: { status: string }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-${STATUS_TONE[status] ?? 'info'}`} data-testid="coupon-status" data-status={status}>
      {translateValue(t, 'loyalty.status', status)}
    </span>
  );
}
