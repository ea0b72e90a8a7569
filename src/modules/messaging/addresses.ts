import type { ConsentPurpose } from '../customers/public';
import type { IdentifierType } from '../customers/public';
import type { Channel } from './tables';

const ADDRESS: Record<Channel, IdentifierType> = {
  sms: 'phone',
  wechat: 'wechat_openid',
  push: 'device_id',
  email: 'email',
};

/** The identifier a channel's messages go to: a phone, a WeChat openid, a push device id, an e-mail. */
export const addressType = (channel: Channel): IdentifierType => ADDRESS[channel];

/** The consent a channel's marketing messages need. */
export const consentPurpose = (channel: Channel): ConsentPurpose => `marketing_${channel}`;
