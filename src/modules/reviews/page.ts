import { esc, publicPage, yuan, type PageLang } from '../../platform/http/public-page';
import { PAGE_STRINGS } from './page-strings';
import type { ShelfProduct } from './shelf';

const stars = (rating: number) => '★'.repeat(rating) + '☆'.repeat(5 - rating);

/** Where "deliver to me" and "reserve for pickup" lead: the retailer's shop (order-url.ts, PUT /v1/settings/shelf-page). */
export function orderLink(template: string, p: ShelfProduct, fulfillment: 'delivery' | 'pickup'): string {
  return template
    .replaceAll('{sku}', encodeURIComponent(p.sku))
    .replaceAll('{store}', encodeURIComponent(p.store?.id ?? ''))
    .replaceAll('{fulfillment}', fulfillment);
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2328;background:#f5f6f8}
main{max-width:560px;margin:0 auto;background:#fff;min-height:100vh}
.gallery{display:flex;overflow-x:auto;scroll-snap-type:x mandatory;background:#eef0f3}
.gallery img{flex:0 0 100%;width:100%;aspect-ratio:1;object-fit:cover;scroll-snap-align:start}
section{padding:14px 16px;border-bottom:8px solid #f5f6f8}
h1{font-size:20px;margin:0 0 6px}h2{font-size:16px;margin:0 0 8px}
.price{font-size:28px;font-weight:700;color:#d4380d}.sku{color:#6a737d;font-size:13px}
.stock{display:flex;justify-content:space-between;padding:6px 0}.ok{color:#237804;font-weight:600}.none{color:#8c8c8c}
.actions{display:flex;gap:10px;padding:12px 16px;position:sticky;bottom:0;background:#fff;border-top:1px solid #eee}
.actions a{flex:1;text-align:center;padding:12px 8px;border-radius:22px;text-decoration:none;font-weight:600}
.deliver{background:#d4380d;color:#fff}.pickup{background:#fff1e8;color:#d4380d;border:1px solid #d4380d}
.avg{font-size:24px;font-weight:700;margin-right:8px}.gold{color:#faad14}
.bar{display:flex;align-items:center;gap:8px;font-size:13px;color:#6a737d}.bar i{flex:1;height:6px;background:#eee;border-radius:3px;overflow:hidden}
.bar b{display:block;height:100%;background:#faad14}
.review{padding:10px 0;border-top:1px solid #f0f0f0}.review p{margin:4px 0 0;white-space:pre-wrap;word-break:break-word}
.meta{font-size:12px;color:#8c8c8c}.lang{float:right;font-size:13px}a{color:#0958d9}`;

const shell = (lang: PageLang, title: string, body: string) => publicPage(lang, title, STYLE, body);

/** The page for a SKU that does not exist (answered with 404). */
export function renderMissing(lang: PageLang): string {
  const t = PAGE_STRINGS[lang];
  return shell(lang, t.notFound, `<section><h1>${t.notFound}</h1></section>`);
}

/** The shelf-QR product page: mobile first, no script, every value escaped. */
export function renderShelfPage(p: ShelfProduct, lang: PageLang, otherLangHref: string, orderUrl: string): string {
  const t = PAGE_STRINGS[lang];
  const stock = (n: number) =>
    n > 0 ? `<span class="ok">${t.inStock(n)}</span>` : `<span class="none">${t.outOfStock}</span>`;
  const r = p.reviews;
  const gallery = p.images.length
    ? `<div class="gallery">${p.images.map((src, i) => `<img src="${esc(src)}" alt="${esc(p.name)} ${i + 1}"${i ? ' loading="lazy"' : ''}>`).join('')}</div>`
    : '';
  const store = p.store
    ? `<div class="stock"><span>${esc(t.atStore(p.store.name))}</span>${stock(p.store.available)}</div>`
    : `<div class="meta">${t.noStore}</div>`;
  const nearby = p.nearby.length
    ? `<section><h2>${t.nearby}</h2>${p.nearby
        .map(
          (s) =>
            `<div class="stock"><span>${esc(s.name)} <span class="meta">${t.km(s.km ?? 0)}</span></span>${stock(s.available)}</div>`,
        )
        .join('')}</section>`
    : '';
  const bars = (['5', '4', '3', '2', '1'] as const)
    .map((k) => {
      const pct = r.count ? Math.round((r.stars[k] / r.count) * 100) : 0;
      return `<div class="bar"><span>${k}★</span><i><b style="width:${pct}%"></b></i><span>${r.stars[k]}</span></div>`;
    })
    .join('');
  const reviews = r.count
    ? `<div><span class="avg">${r.average!.toFixed(1)}</span><span class="gold">${stars(Math.round(r.average!))}</span>
       <span class="meta"> ${t.reviewCount(r.count)}</span></div>${bars}${r.items
         .map(
           (x) =>
             `<div class="review"><span class="gold">${stars(x.rating)}</span> <span class="meta">${t.buyer} · ${x.created_at.slice(0, 10)}</span><p>${esc(x.text)}</p></div>`,
         )
         .join('')}`
    : `<div class="meta">${t.noReviews}</div>`;
  const video = p.video ? `<section><a href="${esc(p.video)}" rel="noopener">▶ ${t.video}</a></section>` : '';
  return shell(
    lang,
    p.name,
    `${gallery}<section><a class="lang" href="${esc(otherLangHref)}">${t.otherLang}</a>
<h1>${esc(p.name)}</h1><div class="sku">${esc(p.sku)}</div>
<div><span class="meta">${t.price} </span><span class="price">${yuan(p.price)}</span></div>${store}</section>
${nearby}${video}<section id="reviews"><h2>${t.reviews}</h2>${reviews}</section>
<div class="actions"><a class="deliver" href="${esc(orderLink(orderUrl, p, 'delivery'))}">${t.deliver}</a>
<a class="pickup" href="${esc(orderLink(orderUrl, p, 'pickup'))}">${t.pickup}</a></div>`,
  );
}
