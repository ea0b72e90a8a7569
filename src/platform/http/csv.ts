/** CSV when the client asks for it (`Accept: text/csv`) and does not ask for JSON first. */
export const wantsCsv = (accept?: string) =>
  !!accept && accept.includes('text/csv') && !accept.startsWith('application/json');

/**
 * One CSV line (RFC 4180, CRLF-free `\n` end): cells with a comma, quote or line break quoted; text
 * a spreadsheet would run as a formula (= + - @ at the start) prefixed with an apostrophe. Null is empty.
 */
export function csvLine(cells: (string | number | null)[]): string {
  return (
    cells
      .map((c) => {
        if (c === null) return '';
        if (typeof c === 'number') return String(c);
        const s = /^[=+\-@\t\r]/.test(c) ? `'${c}` : c;
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\n'
  );
}
