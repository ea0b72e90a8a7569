import { ApiError } from '../../api';
import { useI18n } from '../../i18n';
import { ActionError, errorText } from '../Status';

/** Whether an API error's field (`value`, `channels[2]`, `tiers[1].min_spend`) is this input's or under it. */
export function fieldMatches(field: string | undefined, name: string): boolean {
  if (!field) return false;
  return field === name || field.startsWith(name + '[') || field.startsWith(name + '.');
}

/** The API's error under the input it names ({"error":{"field"}}), or nothing. */
export function FieldError({ error, name }: { error: Error | null; name: string }) {
  const { t } = useI18n();
  if (!(error instanceof ApiError) || !fieldMatches(error.field, name)) return null;
  return (
    <small className="field-error" role="alert" data-testid={`field-error-${name}`} data-code={error.code}>
      {errorText(t, error)}
    </small>
  );
}

/** A form's error that names none of its inputs (a conflict, a network failure…), shown at the foot of the form. */
export function FormError({
  error,
  fields,
  testId,
}: {
  error: Error | null;
  fields: readonly string[];
  testId?: string;
}) {
  if (error instanceof ApiError && fields.some((f) => fieldMatches(error.field, f))) return null;
  return <ActionError error={error} testId={testId} />;
}
