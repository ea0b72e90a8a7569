import { translateValue, useI18n } from '../../i18n';
import { PAYMENT_METHODS, type PaymentMethod } from '../../till';

/** How the customer pays at the till: cash, WeChat Pay, Alipay or a bank card (recorded on the order). */
export function PaymentMethodPicker({
  value,
  onChange,
}: {
  value: PaymentMethod;
  onChange: (m: PaymentMethod) => void;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="pay-methods" data-testid="till-payment-methods">
      <legend>{t('tillPay.method')}</legend>
      {PAYMENT_METHODS.map((m) => (
        <label key={m} className={'pay-method' + (m === value ? ' pay-method-on' : '')} data-method={m}>
          <input
            type="radio"
            name="payment-method"
            value={m}
            checked={m === value}
            onChange={() => onChange(m)}
            data-testid={`till-pay-${m}`}
          />
          {translateValue(t, 'paymentMethod', m)}
        </label>
      ))}
    </fieldset>
  );
}
