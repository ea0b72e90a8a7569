import { createContext, useContext } from 'react';
import type { CouponTemplate } from '../../loyalty';

/** What every step editor of one builder shares: the coupon templates to pick from and the step ids in use. */
export interface BuilderContext {
  coupons: CouponTemplate[];
  taken: Set<string>;
}

export const Builder = createContext<BuilderContext>({ coupons: [], taken: new Set() });
export const useBuilder = () => useContext(Builder);
