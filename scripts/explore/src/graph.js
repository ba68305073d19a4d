// The picture: a graphology graph holding exactly what is drawn, the sigma renderer that
// draws it, and the ForceAtlas2 layout that places it (in a web worker, off the main thread).

import Graph from 'graphology';
import Sigma from 'sigma';
import { EdgeArrowProgram } from 'sigma/rendering';
import { EdgeCurvedArrowProgram, DEFAULT_EDGE_CURVATURE } from '@sigma/edge-curve';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import FA2Layout from 'graphology-layout-forceatlas2/worker';

import { KINDS, predicateLabel } from './kinds.js';
import { NODE_PROGRAMS } from './shapes.js';

export const LABEL_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const EDGE_COLOR = '#8a949e';
const FADED_EDGE_COLOR = '#dfe3e8';
const SELECTED_COLOR = '#111111';
const PATH_COLOR = '#d9480f';
const EDGE_EVENTS_UP_TO = 4000;

// A stable pseudo-random number in [0, 1) from a string, so that a node placed from the
// same view lands in the same place every time (FNV-1a).
function hashUnit(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x100000000;
}

// `color` mixed with white, for what a highlighted path leaves in the background.
function fade(color) {
  const value = parseInt(color.slice(1), 16);
  const mix = (channel) => Math.round(channel + (255 - channel) * 0.7);
  const r = mix((value >> 16) & 255);
  const g = mix((value >> 8) & 255);
  const b = mix(value & 255);
  return '#' + ((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1);
}

// An edge's label: its predicate, then its role and validity when it has them.
export function edgeLabel(rel) {
  let label = predicateLabel(rel.predicate);
  if (rel.role && rel.role.toLowerCase() !== label) label += ' · ' + rel.role;
  const period = periodText(rel.validFrom, rel.validTo);
  if (period) label += ' · ' + period;
  return label;
}

// "2021", "2021–2023", "from 2021", "until 2023", or "" for a relationship with no dates.
export function periodText(from, to) {
  if (from && to) return from === to ? String(from) : from + '–' + to;
  if (from) return 'from ' + from;
  if (to) return 'until ' + to;
  return '';
}

// Curvature for the parallel edge at `index` of ±`maxIndex` (from sigma's parallel-edges example).
function curvature(index, maxIndex) {
  if (index < 0) return -curvature(-index, maxIndex);
  const amplitude = 3.5;
  const maxCurvature = amplitude * (1 - Math.exp(-maxIndex / amplitude)) * DEFAULT_EDGE_CURVATURE;
  return (maxCurvature * index) / maxIndex;
}

export function createCanvas(container, { onClickNode, onDoubleClickNode, onClickEdge, onClickStage }) {
  // Directed (subject -> object), with parallel edges: a country can be both a member and a
  // co-chair of one working group.
  const graph = new Graph({ multi: true, type: 'directed', allowSelfLoops: true });

  // What the reducers emphasise; set through `highlight()`.
  const emphasis = {
    selectedNode: null,
    selectedEdge: null,
    pathNodes: new Set(),
    pathEdges: new Set(),
  };

  // Counts the changes of what is drawn, so that lists are rebuilt only when it changed.
  let version = 0;

  const renderer = new Sigma(graph, container, {
    nodeProgramClasses: NODE_PROGRAMS,
    edgeProgramClasses: { arrow: EdgeArrowProgram, curvedArrow: EdgeCurvedArrowProgram },
    defaultNodeType: 'circle',
    defaultEdgeType: 'arrow',
    renderEdgeLabels: true,
    enableEdgeEvents: true,
    labelFont: LABEL_FONT,
    labelSize: 13,
    labelWeight: '600',
    labelColor: { color: '#1b1f24' },
    edgeLabelFont: LABEL_FONT,
    edgeLabelSize: 11,
    edgeLabelColor: { color: '#3d4650' },
    labelRenderedSizeThreshold: 3,
    zIndex: true,
    allowInvalidContainer: true,
    minCameraRatio: 0.02,
    maxCameraRatio: 20,
    stagePadding: 90,
    nodeReducer(node, data) {
      const shown = { ...data };
      if (emphasis.pathNodes.size > 0) {
        if (emphasis.pathNodes.has(node)) {
          shown.forceLabel = true;
          shown.zIndex = 1;
        } else {
          shown.color = fade(data.color);
        }
      }
      if (node === emphasis.selectedNode) {
        shown.highlighted = true;
        shown.forceLabel = true;
        shown.zIndex = 2;
      }
      return shown;
    },
    edgeReducer(edge, data) {
      const shown = { ...data };
      if (edge === emphasis.selectedEdge) {
        Object.assign(shown, { color: SELECTED_COLOR, size: 4, forceLabel: true, zIndex: 3 });
      } else if (emphasis.pathEdges.has(edge)) {
        Object.assign(shown, { color: PATH_COLOR, size: 4, forceLabel: true, zIndex: 2 });
      } else if (emphasis.selectedNode && graph.hasExtremity(edge, emphasis.selectedNode)) {
        Object.assign(shown, { color: '#2f3a45', size: 2.5, forceLabel: true, zIndex: 1 });
      } else if (emphasis.pathEdges.size > 0) {
        shown.color = FADED_EDGE_COLOR;
      }
      return shown;
    },
  });

  // --- Layout ------------------------------------------------------------------------------

  let layout = null;
  let stopTimer = null;

  // Runs ForceAtlas2 for a while (longer for larger graphs), then lets it rest.
  function runLayout() {
    if (graph.order === 0) return;
    const settings = { ...forceAtlas2.inferSettings(graph), adjustSizes: false };
    if (!layout) {
      layout = new FA2Layout(graph, { settings });
    } else {
      layout.settings = { ...layout.settings, ...settings };
    }
    layout.start();
    clearTimeout(stopTimer);
    stopTimer = setTimeout(() => layout.stop(), Math.min(12000, 2500 + graph.order * 2));
  }

  function stopLayout() {
    clearTimeout(stopTimer);
    if (layout) layout.stop();
  }

  // --- Interaction ---------------------------------------------------------------------------

  // Dragging a node pins it where it is dropped (ForceAtlas2 leaves `fixed` nodes alone).
  let dragged = null;
  let draggedMoved = false;
  renderer.on('downNode', ({ node }) => {
    dragged = node;
    draggedMoved = false;
    stopLayout();
    if (!renderer.getCustomBBox()) renderer.setCustomBBox(renderer.getBBox());
  });
  renderer.getMouseCaptor().on('mousemovebody', (event) => {
    if (!dragged) return;
    draggedMoved = true;
    const position = renderer.viewportToGraph(event);
    graph.mergeNodeAttributes(dragged, { x: position.x, y: position.y });
    event.preventSigmaDefault();
    event.original.preventDefault();
    event.original.stopPropagation();
  });
  renderer.getMouseCaptor().on('mouseup', () => {
    if (dragged && draggedMoved) {
      graph.setNodeAttribute(dragged, 'fixed', true);
      runLayout();
    }
    dragged = null;
  });

  renderer.on('clickNode', ({ node }) => onClickNode(node));
  renderer.on('doubleClickNode', (payload) => {
    // A double click expands the node instead of zooming in.
    payload.preventSigmaDefault();
    onDoubleClickNode(payload.node);
  });
  renderer.on('clickEdge', ({ edge }) => onClickEdge(edge));
  renderer.on('clickStage', () => onClickStage());
  renderer.on('enterNode', () => container.classList.add('is-pointing'));
  renderer.on('leaveNode', () => container.classList.remove('is-pointing'));
  renderer.on('enterEdge', () => container.classList.add('is-pointing'));
  renderer.on('leaveEdge', () => container.classList.remove('is-pointing'));

  // --- Applying a view -----------------------------------------------------------------------

  // Where a new node goes: near its parent (the node it was reached from) when that is drawn,
  // else near the middle of what is drawn.
  function placeNear(id, parent) {
    const angle = 2 * Math.PI * hashUnit(id);
    const spread = 0.6 + hashUnit(id + '#') * 0.8;
    if (parent && graph.hasNode(parent)) {
      const origin = graph.getNodeAttributes(parent);
      return { x: origin.x + Math.cos(angle) * 10 * spread, y: origin.y + Math.sin(angle) * 10 * spread };
    }
    let x = 0;
    let y = 0;
    graph.forEachNode((_, attributes) => {
      x += attributes.x;
      y += attributes.y;
    });
    const n = graph.order || 1;
    const reach = graph.order ? 30 : 0;
    return { x: x / n + Math.cos(angle) * reach * spread, y: y / n + Math.sin(angle) * reach * spread };
  }

  // Makes the graph hold exactly `nodes` (Map id -> { node: {id, kind, name, slug}, parent })
  // and `edges` (Map id -> relationship); keeps the positions of nodes already drawn.
  // Returns whether anything was added or removed.
  function apply(nodes, edges) {
    let changed = false;
    graph.forEachEdge((edge) => {
      if (!edges.has(edge)) {
        graph.dropEdge(edge);
        changed = true;
      }
    });
    graph.forEachNode((node) => {
      if (!nodes.has(node)) {
        graph.dropNode(node);
        changed = true;
      }
    });
    for (const [id, { node, parent }] of nodes) {
      const style = KINDS[node.kind] || { color: '#555555', shape: 'circle' };
      const attributes = {
        label: node.name,
        kind: node.kind,
        name: node.name,
        slug: node.slug || null,
        color: style.color,
        type: style.shape,
      };
      if (graph.hasNode(id)) {
        graph.mergeNodeAttributes(id, attributes);
      } else {
        graph.addNode(id, { ...attributes, ...placeNear(id, parent), size: 6 });
        changed = true;
      }
    }
    for (const [id, rel] of edges) {
      const source = rel.subject.id;
      const target = rel.object.id;
      const attributes = {
        label: edgeLabel(rel),
        predicate: rel.predicate,
        role: rel.role || null,
        validFrom: rel.validFrom || null,
        validTo: rel.validTo || null,
        color: EDGE_COLOR,
        size: 1.5,
      };
      if (graph.hasEdge(id)) {
        graph.mergeEdgeAttributes(id, attributes);
      } else if (graph.hasNode(source) && graph.hasNode(target)) {
        graph.addDirectedEdgeWithKey(id, source, target, attributes);
        changed = true;
      }
    }
    if (changed) {
      version += 1;
      // Edge hovering and clicking draw every edge a second time, for picking: kept for
      // pictures a person can read edge by edge; on larger ones, edges are chosen from the
      // side panel's list instead.
      renderer.setSetting('enableEdgeEvents', graph.size <= EDGE_EVENTS_UP_TO);
      restyle();
      renderer.setCustomBBox(null);
      runLayout();
    }
    return changed;
  }

  // Sizes nodes by how many relationships they have on the canvas, and bends parallel edges
  // apart so that each one's label can be read: the n edges between two nodes get offsets
  // -(n-1)/2 .. (n-1)/2 (the middle one of an odd number stays straight), each curving to its
  // own side whichever way it runs.
  function restyle() {
    // Smaller nodes in larger pictures. (No hints: sigma then re-indexes, which nodes added
    // in this same change need.)
    const base = graph.order <= 200 ? 6 : graph.order <= 1000 ? 4 : 2.5;
    graph.updateEachNodeAttributes((node, attributes) => ({
      ...attributes,
      size: base * Math.min(3, 1 + Math.sqrt(graph.degree(node)) / 3),
    }));
    const pairs = new Map();
    graph.forEachEdge((edge, _attributes, source, target) => {
      const key = source < target ? source + '\n' + target : target + '\n' + source;
      if (!pairs.has(key)) pairs.set(key, []);
      pairs.get(key).push(edge);
    });
    const bend = new Map();
    for (const edges of pairs.values()) {
      if (edges.length < 2) continue;
      const max = (edges.length - 1) / 2;
      edges.forEach((edge, index) => {
        const offset = index - max;
        // Curvature is relative to the edge's own direction: flip it for edges running back.
        const backwards = graph.source(edge) > graph.target(edge) ? -1 : 1;
        bend.set(edge, offset === 0 ? 0 : backwards * curvature(offset, max));
      });
    }
    graph.updateEachEdgeAttributes(
      (edge, attributes) => {
        const c = bend.get(edge) || 0;
        return { ...attributes, type: c ? 'curvedArrow' : 'arrow', curvature: c };
      },
      { attributes: ['type', 'curvature'] },
    );
  }

  // Sets what the reducers emphasise and redraws what changed: only the previous and the new
  // selection (with their edges) when the path is the same, everything when it is not.
  function highlight({ selectedNode = null, selectedEdge = null, pathNodes = [], pathEdges = [] }) {
    const before = { ...emphasis };
    emphasis.selectedNode = selectedNode && graph.hasNode(selectedNode) ? selectedNode : null;
    emphasis.selectedEdge = selectedEdge && graph.hasEdge(selectedEdge) ? selectedEdge : null;
    emphasis.pathNodes = new Set(pathNodes.filter((id) => graph.hasNode(id)));
    emphasis.pathEdges = new Set(pathEdges.filter((id) => graph.hasEdge(id)));
    const same = (a, b) => a.size === b.size && [...a].every((item) => b.has(item));
    if (!same(before.pathNodes, emphasis.pathNodes) || !same(before.pathEdges, emphasis.pathEdges)) {
      renderer.refresh({ schedule: true });
      return;
    }
    const nodes = new Set();
    const edges = new Set();
    for (const node of [before.selectedNode, emphasis.selectedNode]) {
      if (node && graph.hasNode(node)) {
        nodes.add(node);
        graph.forEachEdge(node, (edge) => edges.add(edge));
      }
    }
    for (const edge of [before.selectedEdge, emphasis.selectedEdge]) {
      if (edge && graph.hasEdge(edge)) edges.add(edge);
    }
    if (nodes.size > 0 || edges.size > 0) {
      renderer.refresh({ partialGraph: { nodes: [...nodes], edges: [...edges] }, schedule: true });
    }
  }

  return {
    graph,
    renderer,
    apply,
    highlight,
    runLayout,
    stopLayout,
    version: () => version,
  };
}
