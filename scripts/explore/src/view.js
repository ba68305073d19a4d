// A view is everything needed to draw the same picture again, and it lives in the page's
// query string (kept up to date with history.replaceState), so that a view is a link:
//
//   nodes=ID,ID       the nodes placed on the canvas by the person (search, a link from GraphiQL)
//   expanded=ID,ID    the nodes whose neighbours are drawn
//   hidden=ID,ID      nodes the person removed, kept off the canvas even when reached
//   selected=ID       the selected node, or relationship
//   asOf=2020         the year shown; absent for all time
//   predicates=A,B    only relationships with these predicates (absent: all)
//   kinds=A,B         only neighbours of these kinds (absent: all)
//   limit=250         the most nodes one expansion draws (absent: 100)
//   from=ID&to=ID     the path shown, with hops=N (absent: 4)
//
// IDs are govgraph's global IDs (base64url, so they need no escaping).

import { KIND_NAMES, PREDICATES, decodeGlobalId } from './kinds.js';

export const DEFAULT_LIMIT = 100;
export const DEFAULT_HOPS = 4;
export const LIMITS = [50, 100, 250, 500, 1000];

export function emptyView() {
  return {
    placed: [],
    expanded: [],
    hidden: [],
    selected: null,
    asOf: null,
    predicates: null,
    kinds: null,
    limit: DEFAULT_LIMIT,
    path: null, // { from, to, hops }
  };
}

function list(params, name) {
  const value = params.get(name);
  if (!value) return [];
  return [...new Set(value.split(',').map((part) => part.trim()).filter(Boolean))];
}

// Reads a view from a query string. Returns { view, problems }: what could not be read is
// left out and named in `problems`, never silently dropped.
export function parseView(search) {
  const params = new URLSearchParams(search);
  const view = emptyView();
  const problems = [];
  const ids = (name) =>
    list(params, name).filter((id) => {
      const decoded = decodeGlobalId(id);
      if (decoded && decoded.typeName !== 'Relationship') return true;
      problems.push(`"${id}" in ${name} is not a node ID`);
      return false;
    });
  view.placed = ids('nodes');
  view.expanded = ids('expanded');
  view.hidden = ids('hidden');
  const selected = params.get('selected');
  if (selected) {
    if (decodeGlobalId(selected)) view.selected = selected;
    else problems.push(`"${selected}" in selected is not a govgraph ID`);
  }
  const asOf = params.get('asOf');
  if (asOf) {
    if (/^\d{4}$/.test(asOf)) view.asOf = asOf;
    else problems.push(`asOf "${asOf}" is not a year`);
  }
  const enumList = (name, allowed) => {
    if (!params.has(name)) return null;
    const values = list(params, name);
    const known = values.filter((value) => allowed.includes(value));
    for (const value of values) {
      if (!allowed.includes(value)) problems.push(`"${value}" in ${name} is unknown`);
    }
    return known.length > 0 && known.length < allowed.length ? known : null;
  };
  view.predicates = enumList('predicates', PREDICATES);
  view.kinds = enumList('kinds', KIND_NAMES);
  const limit = Number(params.get('limit'));
  if (params.has('limit')) {
    if (LIMITS.includes(limit)) view.limit = limit;
    else problems.push(`limit "${params.get('limit')}" is not one of ${LIMITS.join(', ')}`);
  }
  const from = params.get('from');
  const to = params.get('to');
  if (from && to) {
    if (decodeGlobalId(from) && decodeGlobalId(to)) {
      const hops = Number(params.get('hops'));
      view.path = { from, to, hops: hops >= 1 && hops <= 6 ? Math.round(hops) : DEFAULT_HOPS };
    } else {
      problems.push('the path\'s from and to are not node IDs');
    }
  }
  return { view, problems };
}

// The query string of a view (without "?"); "" for the empty view.
export function serializeView(view) {
  const parts = [];
  const add = (name, value) => {
    if (value !== null && value !== undefined && value !== '') parts.push(name + '=' + value);
  };
  add('nodes', view.placed.join(','));
  add('expanded', view.expanded.join(','));
  add('hidden', view.hidden.join(','));
  add('selected', view.selected && encodeURIComponent(view.selected));
  add('asOf', view.asOf);
  add('predicates', view.predicates && view.predicates.join(','));
  add('kinds', view.kinds && view.kinds.join(','));
  if (view.limit !== DEFAULT_LIMIT) add('limit', view.limit);
  if (view.path) {
    add('from', view.path.from);
    add('to', view.path.to);
    if (view.path.hops !== DEFAULT_HOPS) add('hops', view.path.hops);
  }
  return parts.join('&');
}

// Puts the view in the address bar without adding a history entry.
export function writeViewToUrl(view) {
  const search = serializeView(view);
  const url = window.location.pathname + (search ? '?' + search : '') + window.location.hash;
  if (url !== window.location.pathname + window.location.search + window.location.hash) {
    window.history.replaceState(null, '', url);
  }
}
