/**
 * What every public server-rendered page (no key, no script; the shelf-QR product page, the
 * group-buy share page) shares: the language it speaks, escaping, money, and the HTML shell.
 */

export type PageLang = 'zh-CN' | 'en';

/** ?lang= wins; else the browser's first language: English for en*, Chinese otherwise. */
export function pageLang(query: string | undefined, acceptLanguage: string | undefined): PageLang {
  if (query === 'en' || query === 'zh-CN') return query;
  return /^\s*en\b/i.test(acceptLanguage ?? '') ? 'en' : 'zh-CN';
}

/** HTML-escapes text and attribute values (every value from the database passes here). */
export const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/** A mobile-first page: the body inside <main>, with the page's own style sheet. */
export function publicPage(lang: PageLang, title: string, style: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>${style}</style></head><body><main>${body}</main></body></html>`;
}
