// What the explorer knows about govgraph's vocabulary: the node kinds (with the colour and
// shape each is drawn with), the predicates, and how global IDs are spelled.

// Each kind has a colour AND a shape, so that kinds stay distinguishable without colour
// vision. Colours are dark enough to show on the white canvas (contrast at least 3:1).
// `type` is the sigma node program that draws the shape (see shapes.js).
export const KINDS = {
  COUNTRY: { label: 'Country', typeName: 'Country', color: '#1f6fb4', shape: 'circle' },
  PERSON: { label: 'Person', typeName: 'Person', color: '#b8336a', shape: 'circle' },
  ORGANISATION: { label: 'Organisation', typeName: 'Organisation', color: '#c4501b', shape: 'square' },
  WORKING_GROUP: { label: 'Working group', typeName: 'WorkingGroup', color: '#00806a', shape: 'square' },
  SOURCE: { label: 'Source', typeName: 'Source', color: '#5d4a3a', shape: 'square' },
  PARTNERSHIP: { label: 'Partnership', typeName: 'Partnership', color: '#7a3db8', shape: 'diamond' },
  TOPIC: { label: 'Topic', typeName: 'Topic', color: '#5f6b7a', shape: 'diamond' },
  EVENT: { label: 'Event', typeName: 'Event', color: '#9a6a00', shape: 'triangle' },
  DELIVERABLE: { label: 'Deliverable', typeName: 'Deliverable', color: '#007a8c', shape: 'triangle' },
};

export const KIND_NAMES = Object.keys(KINDS);

// The predicates of the schema's `Predicate` enum, in the schema's order.
export const PREDICATES = [
  'MEMBER_OF',
  'CO_CHAIRS',
  'ORGANISES',
  'HOSTS',
  'PARTICIPATES_IN',
  'HAS_WORKING_GROUP',
  'PRODUCED',
  'FOCUSES_ON',
  'DISCUSSED',
  'AUTHORED',
  'CREDITED_IN',
  'AFFILIATED_WITH',
  'PART_OF',
  'ESTABLISHED',
  'SUPPORTS',
];

// `MEMBER_OF` reads "member of", `CO_CHAIRS` "co-chairs".
export function predicateLabel(predicate) {
  return String(predicate).toLowerCase().replace(/_/g, ' ').replace(/^co /, 'co-');
}

export function kindLabel(kind) {
  return (KINDS[kind] && KINDS[kind].label) || String(kind);
}

// The kind whose GraphQL type is `typeName` (`WorkingGroup` -> `WORKING_GROUP`).
export function kindOfTypeName(typeName) {
  return KIND_NAMES.find((kind) => KINDS[kind].typeName === typeName) || null;
}

// A global ID is base64url (without padding) of `TypeName:uuid`. Returns
// `{ typeName, uuid }`, or null when `id` is not one.
export function decodeGlobalId(id) {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{8,200}$/.test(id)) return null;
  let text;
  try {
    const base64 = id.replace(/-/g, '+').replace(/_/g, '/');
    text = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  } catch (_) {
    return null;
  }
  const match = /^([A-Za-z]+):([0-9a-fA-F-]{32,36})$/.exec(text);
  return match ? { typeName: match[1], uuid: match[2] } : null;
}

// The kind of the node a global ID names, or null for a relationship's ID or a malformed one.
export function kindOfId(id) {
  const decoded = decodeGlobalId(id);
  return decoded ? kindOfTypeName(decoded.typeName) : null;
}

export function isRelationshipId(id) {
  const decoded = decodeGlobalId(id);
  return Boolean(decoded && decoded.typeName === 'Relationship');
}

// The node's public URL, `/id/{kind}/{slug}` with the kind in kebab-case (see the README's
// "Linked data").
export function publicPath(kind, slug) {
  if (!kind || !slug) return null;
  return '/id/' + kind.toLowerCase().replace(/_/g, '-') + '/' + encodeURIComponent(slug);
}
