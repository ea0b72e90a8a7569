/**
 * The rule language (README, Segments) as the builder edits it: a tree of groups (all / any, each
 * optionally negated) over leaves, each leaf keeping its JSON body as the API takes it. `toRule`
 * writes the JSON and remembers where each node sits in it (`rule.all[1]`), so that a 422 naming a
 * path (`rule.all[1].event.within_days`) is shown at the leaf it names.
 */

export const LEAF_KINDS = [
  'ordered',
  'event',
  'visited_store',
  'near_store',
  'rfm',
  'lifecycle',
  'clv',
  'tier',
  'points',
  'tag',
  'trait',
  'consent',
  'created',
] as const;
export type LeafKind = (typeof LEAF_KINDS)[number];

export type Body = Record<string, unknown>;

export interface LeafNode {
  type: 'leaf';
  id: number;
  kind: LeafKind;
  /** The leaf's JSON: an object for most kinds, a string for tag. */
  body: unknown;
  negate: boolean;
}
export interface GroupNode {
  type: 'group';
  id: number;
  op: 'all' | 'any';
  negate: boolean;
  children: RuleNode[];
}
export type RuleNode = LeafNode | GroupNode;

let seq = 0;
const nextId = () => ++seq;

/** A new leaf's body: a sensible first condition a marketer then adjusts. */
export function defaultBody(kind: LeafKind): unknown {
  switch (kind) {
    case 'ordered':
      return { count: { gte: 1 }, within_days: 30 };
    case 'event':
      return { type: 'product_viewed', count: { gte: 1 }, within_days: 7 };
    case 'visited_store':
      return { within_days: 30 };
    case 'near_store':
      return { km: 3 };
    case 'rfm':
      return { segment: { in: ['champions'] } };
    case 'lifecycle':
      return { in: ['at_risk'] };
    case 'clv':
      return { p_alive: { lt: 0.3 } };
    case 'tier':
      return { in: ['gold'] };
    case 'points':
      return { gte: 1000 };
    case 'tag':
      return 'vip';
    case 'trait':
      return { name: 'city', eq: '上海' };
    case 'consent':
      return { purpose: 'marketing_sms', granted: true };
    case 'created':
      return { within_days: 30 };
  }
}

export const newLeaf = (kind: LeafKind): LeafNode => ({
  type: 'leaf',
  id: nextId(),
  kind,
  body: defaultBody(kind),
  negate: false,
});
export const newGroup = (op: 'all' | 'any' = 'all', children: RuleNode[] = []): GroupNode => ({
  type: 'group',
  id: nextId(),
  op,
  negate: false,
  children,
});

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The tree of a rule's JSON; a rule the builder cannot show (an unknown key) throws. */
export function fromRule(v: unknown): RuleNode {
  if (!isObject(v) || Object.keys(v).length !== 1) throw new Error('a rule is an object with one key');
  const [key, body] = Object.entries(v)[0]!;
  if (key === 'not') {
    const inner = fromRule(body);
    return { ...inner, negate: !inner.negate };
  }
  if (key === 'all' || key === 'any') {
    if (!Array.isArray(body)) throw new Error(`${key} takes a list`);
    return { type: 'group', id: nextId(), op: key, negate: false, children: body.map(fromRule) };
  }
  if ((LEAF_KINDS as readonly string[]).includes(key))
    return { type: 'leaf', id: nextId(), kind: key as LeafKind, body, negate: false };
  throw new Error(`unknown rule ${key}`);
}

/** The builder's root is always a group: a lone leaf is put in one. */
export function rootOf(rule: unknown): GroupNode {
  const n = fromRule(rule);
  return n.type === 'group' ? n : newGroup('all', [n]);
}

/** The rule's JSON and, by node id, the path of the object each node is (after its `not`). */
export function toRule(root: RuleNode, path = 'rule'): { rule: unknown; paths: Map<number, string> } {
  const paths = new Map<number, string>();
  const write = (n: RuleNode, at: string): unknown => {
    const inner = n.negate ? `${at}.not` : at;
    paths.set(n.id, inner);
    const own =
      n.type === 'group'
        ? { [n.op]: n.children.map((c, i) => write(c, `${inner}.${n.op}[${i}]`)) }
        : { [n.kind]: n.body };
    return n.negate ? { not: own } : own;
  };
  return { rule: write(root, path), paths };
}

/** The node a path of a 422 names: the deepest whose path is the field or a prefix of it. */
export function nodeForField(paths: Map<number, string>, field: string | undefined): number | null {
  if (!field) return null;
  let best: { id: number; len: number } | null = null;
  for (const [id, p] of paths) {
    const under = field === p || field.startsWith(p + '.') || field.startsWith(p + '[');
    if (under && (!best || p.length > best.len)) best = { id, len: p.length };
  }
  return best?.id ?? null;
}

/** Immutable edits by node id. */
export function updateNode(root: GroupNode, id: number, f: (n: RuleNode) => RuleNode | null): GroupNode {
  const visit = (n: RuleNode): RuleNode | null => {
    if (n.id === id) return f(n);
    if (n.type !== 'group') return n;
    const children = n.children.map(visit).filter((c): c is RuleNode => c !== null);
    return { ...n, children };
  };
  return (visit(root) as GroupNode | null) ?? newGroup();
}

/** True when some group has no conditions (the API refuses an empty list). */
export function hasEmptyGroup(n: RuleNode): boolean {
  return n.type === 'group' && (n.children.length === 0 || n.children.some(hasEmptyGroup));
}

/** Reading a body's fields. */
export const bodyOf = (b: unknown): Body => (isObject(b) ? b : {});
/** A body with one field set, or removed when value is undefined. */
export function withField(b: unknown, key: string, value: unknown): Body {
  const out = { ...bodyOf(b) };
  if (value === undefined) delete out[key];
  else out[key] = value;
  return out;
}
