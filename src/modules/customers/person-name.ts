/** A person's name from their sealed personal traits: `name`, else family and given name. */
export function nameOf(personal: Record<string, unknown>): string | null {
  if (typeof personal.name === 'string' && personal.name.trim() !== '') return personal.name.trim();
  const parts = [personal.last_name, personal.first_name].filter((p) => typeof p === 'string' && p.trim() !== '');
  return parts.length ? parts.join('') : null;
}
