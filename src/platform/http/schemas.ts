import { Type, type TSchema } from '@sinclair/typebox';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object(
      { code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) },
      { additionalProperties: true },
    ),
  },
  { $id: 'Error' },
);

/** Standard error responses to list in a route's schema so /docs shows them. */
export function errors(...codes: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const c of [400, 401, 403, ...codes]) out[c] = Type.Ref('Error');
  return out;
}

export const Fen = (description = 'amount in fen (integer minor units)') =>
  Type.Integer({ minimum: 0, maximum: 1e13, description });
export const Cursor = Type.Optional(Type.String({ maxLength: 200, description: 'opaque cursor from next_cursor' }));
export const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 }));
/** A calendar day, YYYY-MM-DD (a real date: 2026-02-30 is refused). */
export const Day = (description: string) =>
  Type.String({
    format: 'date',
    pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
    maxLength: 10,
    description,
    examples: ['2026-11-01'],
  });
export const Id = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' });

/** A string enum as JSON Schema `enum`, so a wrong value is answered with the allowed ones. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * Free text (a note, a reason): refused with 422 `contact_data_in_free_text` naming the field when
 * it holds something that looks like a phone number or e-mail address (src/platform/privacy).
 */
export const FreeText = (maxLength: number, o: { minLength?: number; description?: string } = {}) =>
  Type.String({
    maxLength,
    ...o,
    format: 'free-text',
    examples: ['customer changed their mind'],
    description: `${o.description ? `${o.description}; ` : ''}no phone numbers or e-mail addresses`,
  });
