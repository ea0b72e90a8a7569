/**
 * The print style of a till receipt, in the page only while a receipt is shown: 80 mm roll paper,
 * and nothing of the console but the receipt itself.
 */
export const RECEIPT_PRINT_CSS = `
@page { size: 80mm auto; margin: 3mm; }
@media print {
  body * { visibility: hidden !important; }
  .receipt-paper, .receipt-paper * { visibility: visible !important; }
  .receipt-paper {
    position: absolute !important;
    left: 0;
    top: 0;
    width: 74mm !important;
    margin: 0 !important;
    padding: 0 !important;
    border: none !important;
    box-shadow: none !important;
    font-size: 11pt;
    color: #000;
  }
}
`;
