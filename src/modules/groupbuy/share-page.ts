import { esc, publicPage, yuan, type PageLang } from '../../platform/http/public-page';
import type { SharedCampaign } from './share';
import { SHARE_STRINGS } from './share-strings';

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2328;background:#f5f6f8}
main{max-width:560px;margin:0 auto;background:#fff;min-height:100vh}
section{padding:14px 16px;border-bottom:8px solid #f5f6f8}
h1{font-size:20px;margin:4px 0 8px}h2{font-size:16px;margin:0 0 8px}
.kind{display:inline-block;font-size:12px;color:#d4380d;background:#fff1e8;border-radius:10px;padding:1px 8px}
.row{display:flex;justify-content:space-between;padding:3px 0}.row span:first-child{color:#6a737d}
.notice{color:#ad4e00;font-weight:600;margin-top:6px}
.item{display:flex;align-items:center;gap:12px;padding:10px 0;border-top:1px solid #f0f0f0}
.item div{flex:1}.name{font-weight:600}.price{font-size:20px;font-weight:700;color:#d4380d}
.meta{font-size:12px;color:#8c8c8c}.lang{float:right;font-size:13px}a{color:#0958d9}
.buy{padding:8px 18px;border-radius:18px;background:#d4380d;color:#fff;text-decoration:none;font-weight:600;white-space:nowrap}
.off{padding:8px 12px;color:#8c8c8c;white-space:nowrap}`;

/** The page's order link for an item: the retailer's template with the campaign, the leader and the SKU. */
function shareOrderLink(template: string, c: SharedCampaign, sku: string): string {
  return template
    .replaceAll('{campaign}', encodeURIComponent(c.id))
    .replaceAll('{leader}', encodeURIComponent(c.leader.id))
    .replaceAll('{sku}', encodeURIComponent(sku));
}

/** The page for a campaign or leader that does not exist (answered with 404). */
export function renderShareMissing(lang: PageLang): string {
  const t = SHARE_STRINGS[lang];
  return publicPage(lang, t.notFound, STYLE, `<section><h1>${t.notFound}</h1></section>`);
}

/**
 * A leader's share page of a campaign: mobile first, no script, every value escaped. Times in the
 * retailer's time zone; an item can be ordered while the campaign is open and units are left.
 */
export function renderSharePage(
  c: SharedCampaign,
  lang: PageLang,
  timezone: string,
  otherLangHref: string,
  orderUrl: string,
): string {
  const t = SHARE_STRINGS[lang];
  const cutoff = new Intl.DateTimeFormat(lang, {
    timeZone: timezone,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(c.cutoff_at);
  const notice = t.status[c.status] ? `<div class="notice">${t.status[c.status]}</div>` : '';
  const items = c.items
    .map((i) => {
      const left = i.total_limit === null || i.sold < i.total_limit;
      const meta = [
        t.sold(i.sold),
        ...(i.total_limit === null ? [] : [t.limit(i.total_limit)]),
        ...(i.per_customer_limit === null ? [] : [t.perCustomer(i.per_customer_limit)]),
      ].join(' · ');
      const action =
        c.status !== 'open'
          ? ''
          : left
            ? `<a class="buy" href="${esc(shareOrderLink(orderUrl, c, i.sku))}">${t.order}</a>`
            : `<span class="off">${t.soldOut}</span>`;
      return `<div class="item"><div><div class="name">${esc(i.name)}</div><div class="price">${yuan(i.price)}</div>
<div class="meta">${esc(meta)}</div></div>${action}</div>`;
    })
    .join('');
  return publicPage(
    lang,
    c.title,
    STYLE,
    `<section><a class="lang" href="${esc(otherLangHref)}">${t.otherLang}</a>
<span class="kind">${t.kind} · ${esc(t.leader(c.leader.display_name))}</span><h1>${esc(c.title)}</h1>
<div class="row"><span>${t.cutoff}</span><span>${esc(cutoff)}</span></div>
<div class="row"><span>${t.pickupDate}</span><span>${esc(c.pickup_date)}</span></div>
<div class="row"><span>${t.pickupAt}</span><span>${esc(c.leader.location_name)}</span></div>${notice}</section>
<section><h2>${t.items}</h2>${items}</section>`,
  );
}
