/** CSV when the client asks for it (`Accept: text/csv`) and does not ask for JSON first. */
export const wantsCsv = (accept?: string) =>
  !!accept && accept.includes('text/csv') && !accept.startsWith('application/json');
