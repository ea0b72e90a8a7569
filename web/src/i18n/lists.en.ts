import type { listsZhCN } from './lists.zh-CN';

/** The customers and orders lists (names, tiers, spend, date filters, CSV), in English. */
export const listsEn: Record<keyof typeof listsZhCN, string> = {
  'lists.noName': 'No name given',
  'lists.byContact': 'Phone / last 4 / name / card',
  'lists.contactPlaceholder': 'Phone, last 4 digits of a phone, full name, e-mail, card number or customer id',
  'lists.contactAudited':
    'Phone, e-mail, card and name must match exactly, or give the last 4 digits of a phone; every search is audited.',
  'lists.name': 'Name',
  'lists.tier': 'Tier',
  'lists.spend': 'Total spend',
  'lists.lastSale': 'Last purchase',
  'lists.sort': 'Sort',
  'lists.sort.default': 'Oldest first',
  'lists.sort.spend': 'Total spend (highest first)',
  'lists.sort.last_sale': 'Last purchase (newest first)',
  'lists.sort.tier': 'Tier (highest first)',
  'lists.count': '{n} customers',
  'lists.exportCsv': 'Export CSV',
  'lists.exportAudited': 'Exports are recorded in the audit log and count towards the bulk-access limit.',
  'lists.from': 'From',
  'lists.to': 'To',
  'lists.orderId': 'Order id',
  'lists.orderIdPlaceholder': 'An order id or its start',
  'lists.customer': 'Customer',
  'lists.walkIn': 'Walk-in',
  'lists.hiddenName': '(hidden for your role)',
};
