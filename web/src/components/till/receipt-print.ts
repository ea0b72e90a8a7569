/**
 * The print style of a till receipt, in the page only while a receipt is shown: 80 mm roll paper,
 * and nothing but the receipt's print copy (a child of <body>). The page is as long as the
 * receipt: `size: 80mm auto` is not valid CSS (Chromium falls back to Letter), so the caller gives
 * the receipt's measured length.
 */
const MARGIN_MM = 3;
const MM_PER_CSS_PX = 25.4 / 96;

export function receiptPrintCss(receiptHeightPx: number): string {
  const length = Math.ceil(receiptHeightPx * MM_PER_CSS_PX) + 2 * MARGIN_MM;
  return `
@page { size: 80mm ${length}mm; margin: ${MARGIN_MM}mm; }
@media print {
  html, body { background: #fff !important; }
  body > *:not(.receipt-print-root) { display: none !important; }
  .receipt-print-root { display: block !important; }
  .receipt-print-root .receipt-paper {
    width: ${80 - 2 * MARGIN_MM}mm;
    padding: 0;
    border: none;
    box-shadow: none;
  }
  .receipt-print-root .receipt-paper * { color: #000 !important; }
}
`;
}
