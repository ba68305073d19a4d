// The explorer's wiring: the view (what the person asked to see, kept in the URL), the answers
// it needs from the API, and the picture, lists and panel drawn from them.
//
// The picture is a function of the view: the placed nodes, the neighbourhood of every
// expanded node, the shortest paths asked for, and the relationships among placed nodes and
// what is drawn, all asked with the view's filters and year. `refresh()` asks for what it
// does not have yet and makes the graph hold exactly that, so a view read from a URL draws
// the same picture again, and moving the time slider re-asks every expansion.

import { toBlob } from '@sigma/export-image';

import * as api from './api.js';
import { createCanvas } from './graph.js';
import { emptyView, parseView, writeViewToUrl, DEFAULT_HOPS } from './view.js';
import { buildFilters, renderEdge, renderNode, renderNodeDetails } from './panel.js';
import { renderCanvasNodes, renderLegend, renderPathChoices } from './lists.js';
import { createSearch } from './search.js';
import { createTimeSlider } from './time.js';
import { toSvg } from './svg.js';
import { download } from './dom.js';
import { isRelationshipId, predicateLabel } from './kinds.js';

const $ = (id) => document.getElementById(id);

// --- State -----------------------------------------------------------------------------------

let view = emptyView();
const nodeInfo = new Map(); // node ID -> { id, kind, name, slug }
const relInfo = new Map(); // relationship ID -> relationship, with citations
const details = new Map(); // node ID -> { details } or { error }
const answers = new Map(); // cache key -> promise of an API answer
const leftOut = new Map(); // expanded node ID -> how many neighbours the limit left out
let pathShown = { nodes: [], edges: [] };
let lastError = null;
let busy = 0; // refreshes and other work under way, on top of requests in flight
let generation = 0;
let showGraphiql = true;
let panelOpen = false;

// The test hooks (see the README in api/assets/explore).
const explorer = {
  ready: false,
  pending: () => api.pending() + busy,
  state,
};
window.govgraphExplorer = explorer;

const elements = {};

const canvas = createCanvas($('canvas'), {
  onClickNode: (id) => select(id),
  onDoubleClickNode: (id) => {
    select(id);
    expand(id);
  },
  onClickEdge: (id) => select(id),
  onClickStage: () => closePanel(false),
});

// --- Status line -----------------------------------------------------------------------------

function say(message) {
  lastError = null;
  elements.status.textContent = message;
  elements.status.classList.remove('is-error');
}

function sayError(message) {
  lastError = message;
  elements.status.textContent = 'Error: ' + message;
  elements.status.classList.add('is-error');
}

function errorText(error) {
  return error && error.message ? error.message : String(error);
}

// --- Answers -----------------------------------------------------------------------------------

function remember(node) {
  if (node && node.id) nodeInfo.set(node.id, { id: node.id, kind: node.kind, name: node.name, slug: node.slug });
}

function rememberRelationship(rel) {
  relInfo.set(rel.id, rel);
}

// An answer asked once per key; a failure is forgotten, so that asking again retries.
function cached(key, ask) {
  if (!answers.has(key)) {
    const promise = ask();
    answers.set(key, promise);
    promise.catch(() => answers.delete(key));
  }
  return answers.get(key);
}

// The relationships of each placed node, asked together for the nodes not asked yet.
function placedRelationships(ids, predicates, asOf) {
  const key = (id) => JSON.stringify(['links', id, predicates, asOf]);
  const missing = ids.filter((id) => !answers.has(key(id)));
  if (missing.length > 0) {
    const all = api.relationshipsOf(missing, { predicates, asOf });
    for (const id of missing) {
      cached(key(id), () => all.then((byId) => byId.get(id) || []));
    }
  }
  return Promise.all(ids.map((id) => answers.get(key(id))));
}

// --- Refresh: from the view to the picture -----------------------------------------------------

async function refresh() {
  const mine = ++generation;
  busy += 1;
  try {
    await draw(mine);
  } catch (error) {
    sayError('could not draw the view: ' + errorText(error));
  } finally {
    busy -= 1;
  }
}

async function draw(mine) {
  const problems = [];
  const { predicates, kinds, asOf, limit } = view;

  // Nodes named only by ID (in a link): learn their kind and name first.
  const named = new Set([...view.placed, ...view.expanded]);
  if (view.path) {
    named.add(view.path.from);
    named.add(view.path.to);
  }
  const unknown = [...named].filter((id) => !nodeInfo.has(id));
  if (unknown.length > 0) {
    try {
      const found = await api.nodesByIds(unknown);
      const missing = [];
      found.forEach((node, index) => (node ? remember(node) : missing.push(unknown[index])));
      if (missing.length > 0) {
        problems.push('no node has the ID ' + missing.join(', '));
        const gone = new Set(missing);
        view.placed = view.placed.filter((id) => !gone.has(id));
        view.expanded = view.expanded.filter((id) => !gone.has(id));
        if (view.path && (gone.has(view.path.from) || gone.has(view.path.to))) view.path = null;
      }
    } catch (error) {
      problems.push('could not look up the nodes of the link: ' + errorText(error));
    }
  }

  const filters = { predicates, kinds, asOf, limit };
  const expansions = view.expanded.map((id) =>
    cached(JSON.stringify(['neighbourhood', id, filters]), () => api.neighbourhood(id, filters)),
  );
  const placed = view.placed.filter((id) => nodeInfo.has(id));
  const path = view.path;
  const [expanded, links, paths] = await Promise.all([
    Promise.allSettled(expansions),
    placedRelationships(placed, predicates, asOf).then(
      (value) => ({ status: 'fulfilled', value }),
      (reason) => ({ status: 'rejected', reason }),
    ),
    path
      ? cached(JSON.stringify(['paths', path, predicates, asOf]), () =>
          api.paths(path.from, path.to, { maxHops: path.hops, predicates, asOf }),
        ).then(
          (value) => ({ status: 'fulfilled', value }),
          (reason) => ({ status: 'rejected', reason }),
        )
      : null,
  ]);
  // A newer refresh (the slider moved again) draws instead.
  if (mine !== generation) return;

  const hidden = new Set(view.hidden);
  const nodes = new Map();
  const candidates = new Map();
  const addNode = (node, parent) => {
    if (!node || hidden.has(node.id)) return;
    remember(node);
    if (!nodes.has(node.id)) nodes.set(node.id, { node: nodeInfo.get(node.id), parent });
  };
  const addRelationship = (rel) => {
    rememberRelationship(rel);
    candidates.set(rel.id, rel);
  };

  for (const id of placed) addNode(nodeInfo.get(id), null);

  leftOut.clear();
  expanded.forEach((result, index) => {
    const centre = view.expanded[index];
    if (result.status === 'rejected') {
      problems.push(`could not expand ${nameOf(centre)}: ${errorText(result.reason)}`);
      addNode(nodeInfo.get(centre), null);
      return;
    }
    const answer = result.value;
    addNode(nodeInfo.get(centre), null);
    for (const node of answer.nodes) addNode(node, centre);
    for (const rel of answer.relationships) addRelationship(rel);
    if (answer.nodesLeftOut > 0) leftOut.set(centre, answer.nodesLeftOut);
  });

  pathShown = { nodes: [], edges: [] };
  let pathNote = '';
  if (paths && paths.status === 'rejected') {
    problems.push('could not find the path: ' + errorText(paths.reason));
  } else if (paths) {
    if (paths.value.length === 0) {
      pathNote = `No path from ${nameOf(path.from)} to ${nameOf(path.to)} within ${path.hops} hops` +
        (asOf ? ` as of ${asOf}` : '') + '.';
    }
    const pathNodes = new Set();
    const pathEdges = new Set();
    for (const found of paths.value) {
      found.nodes.forEach((node, index) => {
        addNode(node, index > 0 ? found.nodes[index - 1].id : null);
        pathNodes.add(node.id);
      });
      for (const rel of found.relationships) {
        addRelationship(rel);
        pathEdges.add(rel.id);
      }
    }
    pathShown = { nodes: [...pathNodes], edges: [...pathEdges] };
    if (paths.value.length > 0) {
      pathNote = `${paths.value.length} shortest path${paths.value.length > 1 ? 's' : ''} of ${paths.value[0].length} hop${paths.value[0].length > 1 ? 's' : ''} from ${nameOf(path.from)} to ${nameOf(path.to)}.`;
    }
  }

  if (links.status === 'rejected') {
    problems.push('could not read the relationships among the placed nodes: ' + errorText(links.reason));
  } else {
    for (const list of links.value) {
      for (const { node, relationship } of list) {
        if (nodes.has(node.id)) addRelationship(relationship);
      }
    }
  }

  // Only relationships whose two ends are drawn.
  const edges = new Map();
  for (const [id, rel] of candidates) {
    if (nodes.has(rel.subject.id) && nodes.has(rel.object.id)) edges.set(id, rel);
  }

  canvas.apply(nodes, edges);
  if (view.selected && !canvas.graph.hasNode(view.selected) && !canvas.graph.hasEdge(view.selected)) {
    view.selected = null;
    panelOpen = false;
  }
  update();

  if (problems.length > 0) {
    sayError(problems.join('; '));
  } else {
    const graph = canvas.graph;
    say(
      `${graph.order} node${graph.order === 1 ? '' : 's'} and ${graph.size} relationship${graph.size === 1 ? '' : 's'} drawn` +
        (asOf ? `, as of ${asOf}` : ', all time') +
        '.' + (pathNote ? ' ' + pathNote : ''),
    );
  }
}

function nameOf(id) {
  const node = nodeInfo.get(id);
  return node ? node.name : id;
}

// --- Drawing the page from the state -----------------------------------------------------------

// The order of localeCompare, at a fraction of its cost on thousands of names.
const byName = new Intl.Collator().compare;

function canvasNodes() {
  return canvas.graph
    .mapNodes((id, attributes) => ({ id, kind: attributes.kind, name: attributes.name }))
    .sort((a, b) => byName(a.name, b.name));
}

// The lists are rebuilt when what is drawn (or what is expanded) changed; a new selection
// only moves the pressed button.
let listed = null;

function update() {
  const listKey = canvas.version() + ' ' + view.expanded.join(',');
  if (listKey !== listed) {
    listed = listKey;
    const nodes = canvasNodes();
    renderCanvasNodes(elements.canvasNodes, nodes, view.selected, new Set(view.expanded), select);
    elements.canvasCount.textContent = `(${nodes.length})`;
    renderPathChoices(elements.pathFrom, nodes, view.path ? view.path.from : null);
    renderPathChoices(elements.pathTo, nodes, view.path ? view.path.to : null);
  } else {
    for (const button of elements.canvasNodes.querySelectorAll('button[aria-pressed="true"]')) {
      button.setAttribute('aria-pressed', 'false');
    }
    const pressed = view.selected &&
      elements.canvasNodes.querySelector(`button[data-id="${CSS.escape(view.selected)}"]`);
    if (pressed) pressed.setAttribute('aria-pressed', 'true');
  }
  if (view.path) {
    elements.pathFrom.value = view.path.from;
    elements.pathTo.value = view.path.to;
    elements.pathHops.value = String(view.path.hops);
  }
  elements.clearPath.disabled = !view.path;
  canvas.highlight({
    selectedNode: view.selected && !isRelationshipId(view.selected) ? view.selected : null,
    selectedEdge: view.selected && isRelationshipId(view.selected) ? view.selected : null,
    pathNodes: pathShown.nodes,
    pathEdges: pathShown.edges,
  });
  renderPanel();
  writeViewToUrl(view);
}

function graphiqlHref(id, relationship) {
  const params = new URLSearchParams({
    query: relationship ? api.GRAPHIQL_RELATIONSHIP_QUERY : api.GRAPHIQL_NODE_QUERY,
    variables: JSON.stringify({ id }, null, 2),
    operationName: relationship ? 'ExploreRelationship' : 'ExploreNode',
  });
  return '/?' + params.toString();
}

const panelActions = {
  expand: (id) => expand(id),
  collapse: (id) => collapse(id),
  remove: (id) => removeNode(id),
  pathEnd: (end, id) => setPathEnd(end, id),
  select: (id) => select(id),
  selectEdge: (id) => select(id),
};

function renderPanel() {
  const selected = view.selected;
  const open = panelOpen && selected !== null;
  elements.panel.hidden = !open;
  document.body.classList.toggle('has-panel', open);
  if (!open) return;
  // Keep the focus on the control that had it, as the panel is drawn anew.
  const focused = document.activeElement;
  const focusKey = focused && elements.panel.contains(focused)
    ? focused.id || (focused.dataset && focused.dataset.edge) || null
    : null;

  if (isRelationshipId(selected)) {
    const rel = relInfo.get(selected);
    if (!rel) return;
    const subject = nodeInfo.get(rel.subject.id);
    const object = nodeInfo.get(rel.object.id);
    elements.panelTitle.textContent = `${subject.name} ${predicateLabel(rel.predicate)} ${object.name}`;
    renderEdge(elements.panelMain, {
      rel,
      subject,
      object,
      graphiqlHref: graphiqlHref(selected, true),
      showGraphiql,
    }, panelActions);
    elements.filters.hidden = true;
    elements.panelDetails.replaceChildren();
  } else {
    const node = nodeInfo.get(selected);
    const known = details.get(selected) || {};
    const links = [];
    if (!node) return;
    if (canvas.graph.hasNode(selected)) canvas.graph.forEachEdge(selected, (edge) => {
      const rel = relInfo.get(edge);
      if (rel) links.push({ rel, subject: nodeInfo.get(rel.subject.id), object: nodeInfo.get(rel.object.id) });
    });
    links.sort((a, b) => a.rel.predicate.localeCompare(b.rel.predicate) ||
      (a.subject.name + a.object.name).localeCompare(b.subject.name + b.object.name));
    const model = {
      node,
      details: known.details || null,
      detailsError: known.error || null,
      expanded: view.expanded.includes(selected),
      leftOut: leftOut.get(selected) || 0,
      links,
      graphiqlHref: graphiqlHref(selected, false),
      showGraphiql,
    };
    elements.panelTitle.textContent = node.name;
    renderNode(elements.panelMain, model, panelActions);
    elements.filters.hidden = false;
    renderNodeDetails(elements.panelDetails, model, panelActions);
  }
  if (focusKey && !elements.panel.contains(document.activeElement)) {
    const again = document.getElementById(focusKey) ||
      elements.panel.querySelector(`[data-edge="${CSS.escape(focusKey)}"]`);
    if (again) again.focus();
  }
}

// --- Actions -------------------------------------------------------------------------------------

function select(id) {
  view.selected = id;
  panelOpen = true;
  update();
  if (!isRelationshipId(id)) loadDetails(id);
}

async function loadDetails(id) {
  if (details.has(id)) return;
  try {
    const node = await api.nodeDetails(id);
    details.set(id, node ? { details: node } : { error: 'no node has this ID' });
  } catch (error) {
    details.set(id, { error: errorText(error) });
    sayError('could not load the details of ' + nameOf(id) + ': ' + errorText(error));
  }
  if (view.selected === id) renderPanel();
}

function closePanel(restoreFocus) {
  const was = view.selected;
  if (!panelOpen && !was) return;
  view.selected = null;
  panelOpen = false;
  update();
  if (restoreFocus) {
    const button = was && elements.canvasNodes.querySelector(`button[data-id="${CSS.escape(was)}"]`);
    (button || elements.search).focus();
  }
}

// Puts a node on the canvas (from search) and selects it.
function place(node) {
  remember(node);
  view.hidden = view.hidden.filter((id) => id !== node.id);
  if (!view.placed.includes(node.id)) view.placed.push(node.id);
  view.selected = node.id;
  panelOpen = true;
  loadDetails(node.id);
  return refresh();
}

function expand(id) {
  if (view.expanded.includes(id)) {
    // "Expand again": ask anew, in case the data changed.
    for (const key of [...answers.keys()]) {
      if (key.startsWith(JSON.stringify(['neighbourhood', id]).slice(0, -1))) answers.delete(key);
    }
  } else {
    view.expanded.push(id);
  }
  view.hidden = view.hidden.filter((hiddenId) => hiddenId !== id);
  return refresh();
}

function collapse(id) {
  view.expanded = view.expanded.filter((expandedId) => expandedId !== id);
  return refresh();
}

function removeNode(id) {
  view.placed = view.placed.filter((placedId) => placedId !== id);
  view.expanded = view.expanded.filter((expandedId) => expandedId !== id);
  if (!view.hidden.includes(id)) view.hidden.push(id);
  if (view.path && (view.path.from === id || view.path.to === id)) view.path = null;
  closePanel(false);
  return refresh();
}

function setPathEnd(end, id) {
  const select = end === 'from' ? elements.pathFrom : elements.pathTo;
  select.value = id;
  const other = end === 'from' ? elements.pathTo : elements.pathFrom;
  if (other.value && other.value !== id) findPath();
  else other.focus();
}

function findPath() {
  const from = elements.pathFrom.value;
  const to = elements.pathTo.value;
  if (!from || !to) {
    sayError('choose both ends of the path');
    return Promise.resolve();
  }
  if (from === to) {
    sayError('the two ends of the path are the same node');
    return Promise.resolve();
  }
  const hops = Math.min(6, Math.max(1, Math.round(Number(elements.pathHops.value) || DEFAULT_HOPS)));
  view.path = { from, to, hops };
  return refresh();
}

function clearPath() {
  view.path = null;
  return refresh();
}

function clearCanvas() {
  view = { ...emptyView(), asOf: view.asOf, predicates: view.predicates, kinds: view.kinds, limit: view.limit };
  panelOpen = false;
  return refresh();
}

// --- Export ------------------------------------------------------------------------------------

function fileName(extension) {
  return 'govgraph-explore' + (view.asOf ? '-' + view.asOf : '') + '.' + extension;
}

async function exportPng() {
  try {
    const blob = await toBlob(canvas.renderer, { format: 'png', backgroundColor: '#ffffff' });
    download(blob, fileName('png'));
    say('Exported the picture as ' + fileName('png') + '.');
  } catch (error) {
    sayError('the PNG export failed: ' + errorText(error));
  }
}

function exportSvg() {
  try {
    const title = 'govgraph explorer' + (view.asOf ? ', as of ' + view.asOf : '');
    const svg = toSvg(canvas.renderer, title);
    download(new Blob([svg], { type: 'image/svg+xml' }), fileName('svg'));
    say('Exported the picture as ' + fileName('svg') + '.');
  } catch (error) {
    sayError('the SVG export failed: ' + errorText(error));
  }
}

// --- Test hook -----------------------------------------------------------------------------------

// What is drawn (the graph itself), and what the panel shows.
function state() {
  const graph = canvas.graph;
  return {
    nodes: graph.mapNodes((id, attributes) => ({ id, kind: attributes.kind, name: attributes.name })),
    edges: graph.mapEdges((id, attributes, source, target) => ({
      id,
      predicate: attributes.predicate,
      source,
      target,
      role: attributes.role,
      validFrom: attributes.validFrom,
      validTo: attributes.validTo,
    })),
    selected: view.selected,
    asOf: view.asOf,
    panel: {
      open: !elements.panel.hidden,
      text: elements.panel.hidden ? '' : elements.panel.innerText,
    },
    lastError,
  };
}

// --- Start ---------------------------------------------------------------------------------------

async function probeGraphiql() {
  // GraphiQL is served at / only under the development profile; hide its links otherwise.
  try {
    const response = await fetch('/', { method: 'GET', cache: 'no-store', credentials: 'same-origin' });
    showGraphiql = response.status !== 404;
  } catch (_) {
    showGraphiql = true;
  }
}

async function start() {
  Object.assign(elements, {
    status: $('status'),
    search: $('search'),
    canvasNodes: $('canvas-nodes'),
    canvasCount: $('canvas-count'),
    asOf: $('as-of'),
    asOfLabel: $('as-of-label'),
    pathFrom: $('path-from'),
    pathTo: $('path-to'),
    pathHops: $('path-hops'),
    findPath: $('find-path'),
    clearPath: $('clear-path'),
    panel: $('panel'),
    panelTitle: $('panel-title'),
    panelMain: $('panel-main'),
    filters: $('filters'),
    panelDetails: $('panel-details'),
  });

  renderLegend($('legend'));
  const setFilters = buildFilters(elements.filters, (filters) => {
    Object.assign(view, filters);
    refresh();
  });

  createSearch(
    {
      form: $('search-form'),
      input: elements.search,
      kind: $('search-kind'),
      results: $('results'),
      count: $('results-count'),
    },
    {
      onChoose: place,
      onFound: (nodes) => nodes.forEach(remember),
      say,
      sayError,
      begin: () => (busy += 1),
      end: () => (busy -= 1),
    },
  );
  const slider = createTimeSlider(elements.asOf, elements.asOfLabel, (year) => {
    view.asOf = year;
    refresh();
  });
  elements.findPath.addEventListener('click', findPath);
  elements.clearPath.addEventListener('click', clearPath);
  $('clear-canvas').addEventListener('click', clearCanvas);
  $('close-panel').addEventListener('click', () => closePanel(true));
  $('export-png').addEventListener('click', exportPng);
  $('export-svg').addEventListener('click', exportSvg);
  $('relayout').addEventListener('click', () => canvas.runLayout());
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !elements.panel.hidden) {
      event.preventDefault();
      closePanel(true);
    }
  });

  const { view: linked, problems } = parseView(window.location.search);
  view = linked;
  panelOpen = view.selected !== null;
  setFilters(view);

  busy += 1;
  try {
    // The slider runs from 2000 (or the first year of the data) to this year (or the last
    // year of the data), then "all time".
    const [years] = await Promise.allSettled([api.yearRange(), probeGraphiql()]);
    const current = new Date().getFullYear();
    const yearRange = { min: 2000, max: current + 1 };
    if (years.status === 'fulfilled' && years.value) {
      yearRange.min = Math.min(2000, years.value[0]);
      yearRange.max = Math.max(current, years.value[1]) + 1;
    } else if (years.status === 'rejected') {
      problems.push('could not read the years of the data (' + errorText(years.reason) + ')');
    }
    if (view.asOf) {
      yearRange.min = Math.min(yearRange.min, Number(view.asOf));
      yearRange.max = Math.max(yearRange.max, Number(view.asOf) + 1);
    }
    slider.setRange(yearRange.min, yearRange.max);
    slider.set(view.asOf);
    await refresh();
    if (view.selected && !isRelationshipId(view.selected)) await loadDetails(view.selected);
    if (problems.length > 0) {
      sayError('the link was read in part: ' + [...problems, lastError].filter(Boolean).join('; '));
    } else if (canvas.graph.order === 0) {
      say('Search for a node to start, e.g. Singapore or DGX 2022.');
    }
  } catch (error) {
    sayError(errorText(error));
  } finally {
    busy -= 1;
    explorer.ready = true;
    document.body.classList.add('is-ready');
  }
}

start();
