import { createContext, useContext, type ReactNode } from 'react';
import type { Me, Role } from './api';
import { useResource } from './hooks';

/**
 * Who the signed-in key is (GET /v1/me), loaded once per key. The console uses it to offer only the
 * actions the role may take and to bind store staff to their store; the API enforces the same rules.
 */
const MeContext = createContext<Me | undefined>(undefined);

export function MeProvider({ children }: { children: ReactNode }) {
  const { data } = useResource<Me>('/v1/me');
  return <MeContext.Provider value={data}>{children}</MeContext.Provider>;
}

/** undefined while loading. */
export function useMe(): Me | undefined {
  return useContext(MeContext);
}

/** The roles the API allows for each action (mirrors the route declarations in src/modules). */
const ALLOWED = {
  payOrder: ['admin', 'integration', 'store_staff'],
  cancelOrder: ['admin', 'integration', 'store_staff', 'support'],
  returnOrder: ['admin', 'store_staff', 'support', 'integration'],
  readFulfilments: ['admin', 'store_staff', 'support', 'integration'],
  advanceFulfilment: ['admin', 'store_staff', 'support', 'integration'],
  collect: ['admin', 'store_staff'],
  writeStock: ['admin', 'store_staff', 'integration'],
  createLocation: ['admin'],
  /** GET /v1/customers?q=: exact phone, e-mail or card (audited). */
  searchContacts: ['admin', 'support', 'store_staff'],
  /** GET /v1/customers with Accept: text/csv (audited export). */
  exportCustomers: ['admin', 'marketer'],
  tagCustomer: ['admin', 'marketer', 'support'],
  recordConsent: ['admin', 'support', 'store_staff', 'integration'],
  unmerge: ['admin', 'support'],
  reveal: ['admin', 'support'],
  erase: ['admin'],
  readAudit: ['admin'],
  /** Security alerts and settings, trait declarations. */
  manageSecurity: ['admin'],
  /** Coupon templates: create, issue from the console. */
  manageCoupons: ['admin', 'marketer'],
  issueCoupon: ['admin', 'marketer'],
  /** GET /v1/coupon-templates */
  readCoupons: ['admin', 'marketer', 'analyst', 'support'],
  /** Tier rules and loyalty rules (earning, redemption, expiry). */
  editLoyaltyRules: ['admin'],
  /** GET /v1/customers/:id/wallet and /points. */
  readWallet: ['admin', 'support', 'store_staff', 'marketer'],
  /** POST /v1/points/adjust, with a reason (audited). */
  adjustPoints: ['admin', 'support'],
  /** GET /v1/segments, /v1/rfm/…: segments and RFM scores. */
  readSegments: ['admin', 'marketer', 'analyst'],
  /** Saved segments and computed tags: create, change, delete. */
  manageSegments: ['admin', 'marketer'],
  /** POST /v1/rfm/runs: run RFM now. */
  runRfm: ['admin', 'marketer'],
  /** GET /v1/loyalty/tiers: tier names for the rule builder. */
  readTiers: ['admin', 'marketer'],
  /** GET /v1/settlements…: the stores' revenue-share statements (store staff: their own store's). */
  readSettlements: ['admin', 'analyst', 'store_staff'],
  /** GET /v1/group-buy/campaigns, /leaders: community group-buy. */
  readGroupBuy: ['admin', 'marketer', 'analyst', 'support', 'store_staff'],
  /** GET /v1/group-buy/pickups: a pickup point's hand-over list. */
  readGroupBuyPickups: ['admin', 'support', 'store_staff'],
  /** POST /v1/settlements/:period/close, PUT /v1/settings/revenue-share. */
  manageSettlements: ['admin'],
  /** The till: member lookup, wallet, quote and in-store orders. */
  till: ['admin', 'store_staff'],
  /** GET /v1/messages, GET /v1/settings/messaging: the marketing message log and its rules. */
  readMessages: ['admin', 'marketer'],
  /** PUT /v1/message-channels/:channel, GET /v1/message-channels, PUT /v1/settings/messaging. */
  manageMessaging: ['admin'],
  /** POST /v1/transfers (store staff: to or from their store) and each transfer's steps. */
  writeTransfers: ['admin', 'store_staff'],
  /** POST /v1/replenishment/campaign-stock-up. */
  planCampaign: ['admin', 'analyst'],
  /** POST, PUT, DELETE /v1/forecast-events: the events calendar. */
  editForecastEvents: ['admin', 'marketer'],
  /** GET /v1/analytics/customers and /cohorts. */
  readCustomerAnalytics: ['admin', 'analyst', 'marketer', 'support'],
} satisfies Record<string, Role[]>;

export type Action = keyof typeof ALLOWED;

export function can(me: Me | undefined, action: Action): boolean {
  return !!me && (ALLOWED[action] as readonly string[]).includes(me.role);
}

/** The one location a store staff key is bound to; null for every other role. */
export function boundLocation(me: Me | undefined): string | null {
  return me?.role === 'store_staff' ? me.location_id : null;
}
