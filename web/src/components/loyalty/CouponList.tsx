import { formatDateTime } from '../../format';
import { useI18n } from '../../i18n';
import type { WalletCoupon } from '../../loyalty';
import { CouponValue, KindBadge } from './CouponBits';

/**
 * A wallet's usable coupons, in the order the API ranks them (best first). With `picked`/`onToggle`
 * each is a checkbox (the till picks the coupons to use).
 */
export function CouponList({
  coupons,
  picked,
  onToggle,
  testId = 'wallet-coupons',
}: {
  coupons: WalletCoupon[];
  picked?: string[];
  onToggle?: (code: string) => void;
  testId?: string;
}) {
  const { t, lang } = useI18n();
  if (coupons.length === 0)
    return (
      <p className="muted small" data-testid={`${testId}-empty`}>
        {t('wallet.noCoupons')}
      </p>
    );
  return (
    <ul className="coupon-list" data-testid={testId}>
      {coupons.map((c, i) => {
        const on = picked?.includes(c.code) ?? false;
        const body = (
          <>
            <span className="coupon-rank" aria-hidden="true">
              {i + 1}
            </span>
            <span className="coupon-main">
              <strong>{c.name}</strong> <KindBadge kind={c.kind} />
              {c.stackable && <span className="badge badge-muted badge-small">{t('loyalty.stackableShort')}</span>}
              <span className="coupon-sub">
                <CouponValue c={c} />
                {c.valid_to && (
                  <span className="muted small">
                    {' '}
                    · {t('loyalty.validUntil', { date: formatDateTime(c.valid_to, lang) })}
                  </span>
                )}
              </span>
            </span>
            <code className="mono coupon-code small">{c.code}</code>
          </>
        );
        return (
          <li
            key={c.code}
            className={'coupon-item' + (on ? ' picked' : '')}
            data-testid="wallet-coupon"
            data-code={c.code}
            data-template={c.template_id}
          >
            {onToggle ? (
              <label className="coupon-pick">
                <input
                  type="checkbox"
                  checked={on}
                  onChange={() => onToggle(c.code)}
                  data-testid={`coupon-pick-${c.code}`}
                />
                {body}
              </label>
            ) : (
              <div className="coupon-pick">{body}</div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
