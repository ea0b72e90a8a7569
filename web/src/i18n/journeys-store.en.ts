import type { journeysStoreZhCN } from './journeys-store.zh-CN';

/** The to-store flow's strings in English: exactly the keys of journeys-store.zh-CN.ts. */
export const journeysStoreEn: Record<keyof typeof journeysStoreZhCN, string> = {
  'journeys.step.pick_store': 'Pick a nearby store',
  'journeys.pickStore.km': 'Within (km of the customer)',
  'journeys.pickStore.sku': 'Product the store must have in stock',
  'journeys.pickStore.fromTrigger': 'The product of the trigger event',
  'journeys.pickStore.fixed': 'This SKU',
  'journeys.pickStore.hint':
    'The nearest open store that has the product in stock (where the customer is: last delivery address, else home store, else first store purchase); none: the customer leaves the journey with nothing issued or sent (reason: no store nearby)',
  'journeys.coupon.atPickedStore': 'Usable only at the picked store',
  'journeys.message.storeVar': '{{store}} is the name of the store picked before',
  'journeys.reason.no_store_nearby': 'No store nearby with stock',
  'journeys.reason.no_store_picked': 'No store picked',
};
