// The lists beside the canvas: search results, the nodes on the canvas (the keyboard's way to
// the picture), the path form's choices and the legend.

import { h, fill } from './dom.js';
import { KINDS, KIND_NAMES, kindLabel } from './kinds.js';
import { shapeIcon } from './shapes.js';

// One icon per kind, parsed once and copied: a list may hold thousands.
const icons = new Map();

function icon(kind) {
  if (!icons.has(kind)) {
    const style = KINDS[kind] || { shape: 'circle', color: '#555' };
    icons.set(kind, h('span', { className: 'icon', html: shapeIcon(style.shape, style.color) }));
  }
  return icons.get(kind).cloneNode(true);
}

// Search hits as buttons; `onChoose(node)` puts one on the canvas.
export function renderResults(list, edges, onChoose) {
  if (edges === null) {
    fill(list);
    return;
  }
  if (edges.length === 0) {
    fill(list, h('li', { className: 'muted' }, 'Nothing found.'));
    return;
  }
  fill(
    list,
    edges.map(({ node, snippet }) =>
      h(
        'li',
        {},
        h(
          'button',
          { type: 'button', className: 'result', dataset: { id: node.id }, onclick: () => onChoose(node) },
          icon(node.kind),
          h('span', { className: 'result-name' }, node.name),
          h('span', { className: 'result-kind' }, kindLabel(node.kind)),
          snippetText(snippet, node.name),
        ),
      ),
    ),
  );
}

// The matched text, with the matched words marked, when it says more than the name.
function snippetText(snippet, name) {
  if (!snippet || snippet.length === 0) return null;
  const whole = snippet.map((fragment) => fragment.text).join('');
  if (whole === name) return null;
  return h(
    'span',
    { className: 'result-snippet' },
    snippet.map((fragment) => (fragment.highlighted ? h('mark', {}, fragment.text) : fragment.text)),
  );
}

// A list longer than this is laid out only where it is seen (see explore.css).
const LONG_LIST = 100;

// The nodes on the canvas, by name; `selected` is pressed.
export function renderCanvasNodes(list, nodes, selected, expanded, onSelect) {
  list.classList.toggle('is-long', nodes.length > LONG_LIST);
  if (nodes.length === 0) {
    fill(list, h('li', { className: 'muted' }, 'Nothing yet: search for a node.'));
    return;
  }
  const items = document.createDocumentFragment();
  for (const node of nodes) {
    items.append(
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            className: 'canvas-node',
            dataset: { id: node.id },
            'aria-pressed': node.id === selected ? 'true' : 'false',
            onclick: () => onSelect(node.id),
          },
          icon(node.kind),
          h('span', {}, node.name),
          expanded.has(node.id) ? h('span', { className: 'tag', title: 'Expanded' }, 'expanded') : null,
          h('span', { className: 'visually-hidden' }, ', ' + kindLabel(node.kind)),
        ),
      ),
    );
  }
  fill(list, items);
}

// The path form's two choices: the nodes on the canvas.
export function renderPathChoices(select, nodes, value) {
  const current = value || select.value;
  fill(
    select,
    h('option', { value: '' }, '— choose a node on the canvas —'),
    nodes.map((node) => h('option', { value: node.id }, `${node.name} (${kindLabel(node.kind)})`)),
  );
  // Keep the choice even when the node has left the canvas (it comes back with the path).
  if (current && !nodes.some((node) => node.id === current)) {
    select.append(h('option', { value: current }, current));
  }
  select.value = current || '';
}

export function renderLegend(list) {
  fill(
    list,
    KIND_NAMES.map((kind) =>
      h('li', {}, icon(kind), ` ${kindLabel(kind)} `, h('span', { className: 'muted' }, `(${KINDS[kind].shape})`)),
    ),
  );
}
