/** One CSV field for COPY ... WITH (FORMAT csv): null as an unquoted empty field. */
export function field(v: string | number | boolean | null | Buffer | string[]): string {
  if (v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return '\\x' + v.toString('hex');
  if (Array.isArray(v))
    return field('{' + v.map((s) => '"' + s.replace(/["\\]/g, (c) => '\\' + c) + '"').join(',') + '}');
  return /[",\n\r]/.test(v) || v === '' ? '"' + v.replace(/"/g, '""') + '"' : v;
}

export function row(values: (string | number | boolean | null | Buffer | string[])[]): string {
  return values.map(field).join(',') + '\n';
}
