import type { loyaltyZhCN } from './loyalty.zh-CN';

/** Loyalty's strings in English: exactly the keys of loyalty.zh-CN.ts. */
export const loyaltyEn: Record<keyof typeof loyaltyZhCN, string> = {
  'nav.till': 'Till',
};
