import { useState } from 'react';
import type { Profile } from '../../api';
import { formatDateTime } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { newIdempotencyKey, type IssuedCoupon } from '../../loyalty';
import { href } from '../../router';
import { useApi } from '../../session';
import { IdentifierChips } from '../CustomerBits';
import { FieldError, FormError } from './FieldError';
import { MemberLookup } from './MemberLookup';

/** Issues one coupon of a template to a person found by phone, card or id (POST /v1/coupons/issue). */
export function IssueCoupon({ templateId, onIssued }: { templateId: string; onIssued: (c: IssuedCoupon) => void }) {
  const { t, lang } = useI18n();
  const api = useApi();
  const action = useAction();
  const [person, setPerson] = useState<Profile | null>(null);
  const [issued, setIssued] = useState<IssuedCoupon[]>([]);
  const [idem, setIdem] = useState(() => newIdempotencyKey('issue'));

  async function issue() {
    if (!person) return;
    const c = await action.run(() =>
      api.post<IssuedCoupon>(
        '/v1/coupons/issue',
        { template_id: templateId, customer: { id: person.id } },
        { idempotencyKey: idem },
      ),
    );
    if (c) {
      setIdem(newIdempotencyKey('issue'));
      setIssued((xs) => [c, ...xs]);
      onIssued(c);
    }
  }

  return (
    <div className="issue-coupon" data-testid="issue-coupon">
      <MemberLookup
        testId="issue-lookup"
        onFound={(p) => {
          setPerson(p);
          setIdem(newIdempotencyKey('issue'));
          action.clear();
        }}
      />
      {person && (
        <div className="issue-person" data-testid="issue-person" data-customer={person.id}>
          <div>
            <a className="mono" href={href('customers', person.id)}>
              {person.id}
            </a>
            <IdentifierChips
              identifiers={person.identifiers.map((i) => ({ type: i.type, masked: i.masked ?? i.value ?? null }))}
            />
          </div>
          <button
            type="button"
            className="btn btn-primary"
            onClick={issue}
            disabled={action.busy}
            data-testid="issue-submit"
          >
            {action.busy ? t('common.loading') : t('loyalty.issue.submit')}
          </button>
        </div>
      )}
      <FieldError error={action.error} name="customer" />
      <FormError error={action.error} fields={['customer']} testId="issue-error" />
      {issued.length > 0 && (
        <ul className="issued-list" data-testid="issued-list">
          {issued.map((c) => (
            <li key={c.code} className="status status-ok" data-testid="issued-coupon" data-code={c.code}>
              <span>
                {t('loyalty.issue.done', { code: c.display, customer: c.customer_id })}
                {c.valid_to && <> · {t('loyalty.validUntil', { date: formatDateTime(c.valid_to, lang) })}</>}
              </span>
              <code className="mono coupon-code" data-testid="issued-code">
                {c.display}
              </code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
