import { Type } from '@sinclair/typebox';
import { CHANNELS } from '../../platform/auth/roles';
import { StringEnum } from '../../platform/http/schemas';

export const ProductSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  category: Type.String(),
  list_price: Type.Integer({ description: 'fen' }),
  cost_price: Type.Union([Type.Integer(), Type.Null()], {
    description: 'unit cost in fen (revenue share on the margin basis); null when not recorded',
  }),
  barcode: Type.Union([Type.String(), Type.Null()], {
    description: 'the barcode printed on the pack (EAN-13, EAN-8, UPC); null when not recorded',
  }),
  channels: Type.Array(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  updated_at: Type.String(),
});

/** A barcode as scanned: 8 to 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14). */
export const Barcode = Type.String({ pattern: '^[0-9]{8,14}$', examples: ['6901234000016'] });

export const Sku = Type.String({ minLength: 1, maxLength: 64 });

export const ProductBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    category: Type.String({ minLength: 1, maxLength: 64 }),
    list_price: Type.Integer({ minimum: 0, maximum: 1e11, description: 'fen' }),
    cost_price: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 1e11 }), Type.Null()], {
        description: 'unit cost in fen; null clears it; left out: unchanged',
      }),
    ),
    barcode: Type.Optional(
      Type.Union([Barcode, Type.Null()], {
        description: 'the barcode on the pack, unique across products; null clears it; left out: unchanged',
      }),
    ),
    channels: Type.Optional(Type.Array(StringEnum(CHANNELS), { minItems: 1, maxItems: 5, uniqueItems: true })),
    attributes: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown())),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: '有机纯牛奶 Organic milk 250ml×12',
        category: 'fresh',
        list_price: 6990,
        cost_price: 4800,
        barcode: '6901234000016',
        channels: ['app', 'pos'],
      },
    ],
  },
);

/** POST /v1/products: the SKU and the product. */
export const CreateProductBody = Type.Composite([Type.Object({ sku: Sku }), ProductBody], {
  additionalProperties: false,
  examples: [{ sku: 'SKU00042', name: '有机纯牛奶 Organic milk 250ml×12', category: 'fresh', list_price: 6990 }],
});
