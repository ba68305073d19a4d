// The side panel: what is known about the selected node or relationship, and the sources
// that state it (each citation's exact words, with a link to the source when it has a URL).

import { h, fill } from './dom.js';
import { KINDS, KIND_NAMES, PREDICATES, kindLabel, predicateLabel, publicPath } from './kinds.js';
import { shapeIcon } from './shapes.js';
import { periodText } from './graph.js';
import { LIMITS } from './view.js';

// Readable names for the fields the details query asks for.
const FIELD_LABELS = {
  code: 'ISO alpha-2 code',
  alpha3: 'ISO alpha-3 code',
  numericCode: 'ISO numeric code',
  isoName: 'ISO name',
  shortName: 'Short name',
  officialName: 'Official name',
  region: 'Region',
  subregion: 'Sub-region',
  established: 'Established',
  startsOn: 'Starts',
  endsOn: 'Ends',
  location: 'Location',
  edition: 'Edition',
  format: 'Format',
  honorific: 'Honorific',
  title: 'Title',
  organisationKind: 'Organisation kind',
  deliverableKind: 'Deliverable kind',
  sourceKind: 'Source kind',
  published: 'Published',
  publisher: 'Publisher',
  licence: 'Licence',
  url: 'Web address',
};
const SKIPPED_FIELDS = new Set([
  '__typename', 'id', 'kind', 'slug', 'name', 'summary', 'externalIds', 'citations',
]);

function kindBadge(kind) {
  const style = KINDS[kind] || { shape: 'circle', color: '#555' };
  return h('span', { className: 'kind-badge' }, h('span', { html: shapeIcon(style.shape, style.color) }), kindLabel(kind));
}

// A link to a URL from the data, only when it is a web address (never javascript: etc.).
function safeLink(url, text) {
  if (typeof url === 'string' && /^https?:\/\//i.test(url)) {
    return h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text || url);
  }
  return null;
}

// A list of citations: each excerpt as a quotation, followed by its source.
export function citationList(citations) {
  if (!citations || citations.length === 0) {
    return h('p', { className: 'muted' }, 'No source is recorded for this.');
  }
  return h(
    'ul',
    { className: 'citations' },
    citations.map((citation) => {
      const source = citation.source || {};
      const about = [source.publisher, source.published].filter(Boolean).join(', ');
      return h(
        'li',
        {},
        citation.excerpt
          ? h('blockquote', { className: 'excerpt' }, '“' + citation.excerpt + '”')
          : h('p', { className: 'muted' }, 'No excerpt recorded.'),
        h(
          'p',
          { className: 'source' },
          '— ',
          safeLink(source.url, source.name) || h('span', {}, source.name || 'Unnamed source'),
          about ? ' (' + about + ')' : '',
          source.url ? '' : h('span', { className: 'muted' }, ' · no web address recorded'),
        ),
      );
    }),
  );
}

function buttonRow(...buttons) {
  return h('div', { className: 'button-row' }, buttons);
}

// The facts of a node's details answer, as a definition list.
function factList(node, details) {
  const rows = [['Kind', kindLabel(node.kind)]];
  if (details && details.summary) rows.push(['Summary', details.summary]);
  if (details) {
    for (const [field, value] of Object.entries(details)) {
      if (SKIPPED_FIELDS.has(field) || value === null || value === undefined || value === '') continue;
      const shown = field === 'url' ? safeLink(value) || String(value) : String(value);
      rows.push([FIELD_LABELS[field] || field, shown]);
    }
    for (const external of details.externalIds || []) {
      rows.push([external.scheme, external.value]);
    }
  }
  rows.push(['Slug', node.slug || '']);
  return h(
    'dl',
    { className: 'facts' },
    rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

// The panel for a selected node.
//   model: { node, details, detailsError, expanded, leftOut, links: [{ rel, subject, object }],
//            graphiqlHref, showGraphiql }
export function renderNode(container, model, actions) {
  const { node, details } = model;
  const publicUrl = publicPath(node.kind, node.slug);
  fill(
    container,
    h('p', { className: 'panel-kind' }, kindBadge(node.kind)),
    buttonRow(
      h(
        'button',
        { type: 'button', id: 'expand', onclick: () => actions.expand(node.id) },
        model.expanded ? 'Expand again' : 'Expand',
      ),
      model.expanded
        ? h('button', { type: 'button', id: 'collapse', onclick: () => actions.collapse(node.id) }, 'Collapse')
        : null,
      h('button', { type: 'button', id: 'remove-node', onclick: () => actions.remove(node.id) }, 'Remove'),
    ),
    buttonRow(
      h('button', { type: 'button', id: 'path-from-here', onclick: () => actions.pathEnd('from', node.id) }, 'Path from here'),
      h('button', { type: 'button', id: 'path-to-here', onclick: () => actions.pathEnd('to', node.id) }, 'Path to here'),
    ),
    model.leftOut
      ? h('p', { className: 'note' }, `${model.leftOut} more neighbours were left out: raise “Most nodes per expansion” below to draw them.`)
      : null,
    h(
      'p',
      { className: 'links' },
      model.showGraphiql
        ? h('a', { id: 'open-graphiql', href: model.graphiqlHref, target: '_blank', rel: 'noopener' }, 'Open in GraphiQL')
        : null,
      publicUrl ? h('a', { href: publicUrl, target: '_blank', rel: 'noopener' }, 'Linked data (public URL)') : null,
    ),
  );
}

// The part of a node's panel below the filters: its facts, its own sources, and its
// relationships on the canvas with theirs.
export function renderNodeDetails(container, model, actions) {
  const { node, details } = model;
  fill(
    container,
    h('h3', {}, 'Facts'),
    model.detailsError
      ? h('p', { className: 'error' }, 'Could not load the details: ' + model.detailsError)
      : details
        ? factList(node, details)
        : h('p', { className: 'muted' }, 'Loading details…'),
    h('h3', {}, 'Sources stating this node'),
    details ? citationList(details.citations) : h('p', { className: 'muted' }, '…'),
    h('h3', {}, `Relationships on the canvas (${model.links.length})`),
    model.links.length === 0
      ? h('p', { className: 'muted' }, 'None drawn yet: Expand draws this node’s neighbours.')
      : h(
          'ul',
          { className: 'relationships' },
          model.links.map(({ rel, subject, object }) => relationshipItem(rel, subject, object, actions)),
        ),
  );
}

function relationshipItem(rel, subject, object, actions) {
  const period = periodText(rel.validFrom, rel.validTo);
  const details = [rel.role ? 'role: ' + rel.role : null, period ? 'when: ' + period : null]
    .filter(Boolean)
    .join(' · ');
  return h(
    'li',
    {},
    h(
      'button',
      { type: 'button', className: 'link-button', dataset: { edge: rel.id }, onclick: () => actions.selectEdge(rel.id) },
      `${subject.name} ${predicateLabel(rel.predicate)} ${object.name}`,
    ),
    details ? h('p', { className: 'rel-meta' }, details) : null,
    citationList(rel.citations),
  );
}

// The panel for a selected relationship.
export function renderEdge(container, { rel, subject, object, graphiqlHref, showGraphiql }, actions) {
  const period = periodText(rel.validFrom, rel.validTo);
  fill(
    container,
    h('p', { className: 'panel-kind' }, 'Relationship'),
    h(
      'dl',
      { className: 'facts' },
      h('dt', {}, 'Subject'),
      h('dd', {}, h('button', { type: 'button', className: 'link-button', onclick: () => actions.select(subject.id) }, subject.name)),
      h('dt', {}, 'Predicate'),
      h('dd', {}, predicateLabel(rel.predicate) + ' (' + rel.predicate + ')'),
      h('dt', {}, 'Object'),
      h('dd', {}, h('button', { type: 'button', className: 'link-button', onclick: () => actions.select(object.id) }, object.name)),
      h('dt', {}, 'Role'),
      h('dd', {}, rel.role || '—'),
      h('dt', {}, 'Valid from'),
      h('dd', {}, rel.validFrom || '—'),
      h('dt', {}, 'Valid to'),
      h('dd', {}, rel.validTo || '—'),
    ),
    period ? null : h('p', { className: 'muted' }, 'No dates: the relationship holds at any time.'),
    h('h3', {}, 'Sources stating this relationship'),
    citationList(rel.citations),
    showGraphiql
      ? h('p', { className: 'links' }, h('a', { id: 'open-graphiql', href: graphiqlHref, target: '_blank', rel: 'noopener' }, 'Open in GraphiQL'))
      : null,
  );
}

// The expansion filters, built once (so that they keep focus and state while the panel
// around them is redrawn). `onChange({ predicates, kinds, limit })` gets null for "all".
export function buildFilters(container, onChange) {
  const predicateBoxes = PREDICATES.map((predicate) =>
    h('input', { type: 'checkbox', name: 'predicate', value: predicate, checked: true }),
  );
  const kindBoxes = KIND_NAMES.map((kind) =>
    h('input', { type: 'checkbox', name: 'kind', value: kind, checked: true }),
  );
  const limit = h(
    'select',
    { id: 'expand-limit', name: 'limit' },
    LIMITS.map((value) => h('option', { value }, String(value))),
  );
  const summary = h('summary', {}, 'Filters: all relationships');
  const chosen = (boxes) => {
    const values = boxes.filter((box) => box.checked).map((box) => box.value);
    // None ticked is read as all: the API takes no empty list.
    return values.length === 0 || values.length === boxes.length ? null : values;
  };
  const read = () => ({
    predicates: chosen(predicateBoxes),
    kinds: chosen(kindBoxes),
    limit: Number(limit.value),
  });
  const changed = () => {
    const filters = read();
    updateSummary(filters);
    onChange(filters);
  };
  const updateSummary = (filters) => {
    const parts = [];
    if (filters.predicates) parts.push(filters.predicates.length + ' predicates');
    if (filters.kinds) parts.push(filters.kinds.length + ' kinds');
    summary.textContent = 'Filters: ' + (parts.length ? parts.join(', ') : 'all relationships');
  };
  const allOrNone = (boxes, checked) =>
    h('button', {
      type: 'button',
      className: 'small',
      onclick: () => {
        boxes.forEach((box) => (box.checked = checked));
        changed();
      },
    }, checked ? 'All' : 'None');
  for (const box of [...predicateBoxes, ...kindBoxes]) box.addEventListener('change', changed);
  limit.addEventListener('change', changed);
  fill(
    container,
    summary,
    h('p', { className: 'hint' }, 'Which neighbours Expand draws, for every expanded node; the path follows the same predicates. None ticked means all.'),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Predicates ', allOrNone(predicateBoxes, true), ' ', allOrNone(predicateBoxes, false)),
      h('div', { className: 'checks' }, predicateBoxes.map((box) => h('label', {}, box, ' ' + predicateLabel(box.value)))),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Kinds of neighbour ', allOrNone(kindBoxes, true), ' ', allOrNone(kindBoxes, false)),
      h(
        'div',
        { className: 'checks' },
        kindBoxes.map((box) =>
          h('label', {}, box, ' ', h('span', { html: shapeIcon(KINDS[box.value].shape, KINDS[box.value].color) }), ' ' + kindLabel(box.value)),
        ),
      ),
    ),
    h('label', { className: 'inline' }, 'Most nodes per expansion ', limit),
  );
  // Sets the controls from a view (on load).
  return function set({ predicates, kinds, limit: most }) {
    predicateBoxes.forEach((box) => (box.checked = !predicates || predicates.includes(box.value)));
    kindBoxes.forEach((box) => (box.checked = !kinds || kinds.includes(box.value)));
    limit.value = String(most);
    updateSummary({ predicates, kinds });
  };
}
