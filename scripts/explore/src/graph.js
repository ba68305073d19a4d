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
const LABEL_SIZE = 13;
const LABEL_WEIGHT = '600';
// Below this many nodes, and with this much of the canvas per node (in CSS pixels²), every node
// shows its label; larger or more crowded pictures let sigma choose labels that do not collide.
const EVERY_LABEL_BELOW = 100;
const EVERY_LABEL_ROOM = 8000;
// Up to this many nodes the camera is fitted at every redraw while the person has not moved
// it (the layout moving the nodes included); larger pictures are fitted once the layout rests.
const FIT_EVERY_FRAME_UP_TO = 500;
// Room kept between the picture (labels included) and the canvas's edges, in CSS pixels.
const FIT_PADDING = 16;
// A fit never zooms in further than this, so that one or two nodes do not fill the canvas.
const FIT_MAX_ZOOM = 4;

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

// The width of a label in pixels as sigma draws it, measured once per text.
function labelMeasurer() {
  const context = document.createElement('canvas').getContext('2d');
  const widths = new Map();
  return (text) => {
    if (!context) return text.length * LABEL_SIZE * 0.6;
    if (!widths.has(text)) {
      if (widths.size > 5000) widths.clear();
      context.font = `${LABEL_WEIGHT} ${LABEL_SIZE}px ${LABEL_FONT}`;
      widths.set(text, context.measureText(text).width);
    }
    return widths.get(text);
  };
}

// Whether a label goes left of its node rather than right of it, as sigma draws it: only when
// it would run past the canvas's right edge and fits on the left. `x` and `size` are the
// node's in viewport pixels, `width` the label's, `canvasWidth` the canvas's.
export function labelOnLeft(x, size, width, canvasWidth) {
  return x + size + 3 + width > canvasWidth && x - size - 3 - width >= 0;
}

function labelFont(settings) {
  return `${settings.labelWeight} ${settings.labelSize}px ${settings.labelFont}`;
}

// Sigma's label drawer, on the side `labelOnLeft` chooses. `data` is in viewport pixels. A
// label is measured only near the right edge: no character is wider than the font's size.
function drawLabel(context, data, settings, canvasWidth) {
  if (!data.label) return;
  context.fillStyle = settings.labelColor.color;
  context.font = labelFont(settings);
  const surely = data.x + data.size + 3 + data.label.length * settings.labelSize <= canvasWidth;
  const left = !surely && labelOnLeft(data.x, data.size, context.measureText(data.label).width, canvasWidth);
  context.textAlign = left ? 'right' : 'left';
  context.fillText(data.label, data.x + (left ? -1 : 1) * (data.size + 3), data.y + settings.labelSize / 3);
  context.textAlign = 'left';
}

// A hovered or selected node of any shape: a white box with a shadow behind the node and its
// label (sigma draws the node itself again above it), then the label.
function drawHover(context, data, settings, canvasWidth) {
  const size = settings.labelSize;
  const padding = 2;
  const radius = Math.max(data.size * (data.type === 'circle' ? 1 : Math.SQRT2), size / 2) + padding;
  context.font = labelFont(settings);
  context.fillStyle = '#ffffff';
  context.shadowOffsetX = 0;
  context.shadowOffsetY = 0;
  context.shadowBlur = 8;
  context.shadowColor = '#000000';
  context.beginPath();
  context.arc(data.x, data.y, radius, 0, Math.PI * 2);
  if (data.label) {
    const text = context.measureText(data.label).width;
    const width = Math.round(text + 5);
    const height = Math.round(size + 2 * padding);
    const left = labelOnLeft(data.x, data.size, text, canvasWidth);
    context.rect(left ? data.x - radius - width : data.x, data.y - height / 2, radius + width, height);
  }
  context.fill();
  context.shadowBlur = 0;
  drawLabel(context, data, settings, canvasWidth);
}

// The largest zoom z in [low, high] at which `span(z)` fits in `room` (span grows with z), or
// `low` when even that does not fit.
function largestFit(span, room, low, high) {
  if (span(high) <= room) return high;
  if (span(low) > room) return low;
  for (let i = 0; i < 40; i++) {
    const middle = Math.sqrt(low * high);
    if (span(middle) <= room) low = middle;
    else high = middle;
  }
  return low;
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

  // Whether every node shows its label; set through `chooseLabels()`.
  let everyLabel = false;

  // The square program brings label drawers of its own: every shape uses the ones above.
  const nodePrograms = {};
  for (const [shape, Program] of Object.entries(NODE_PROGRAMS)) {
    nodePrograms[shape] = class extends Program {
      constructor(...args) {
        super(...args);
        this.drawLabel = undefined;
        this.drawHover = undefined;
      }
    };
  }

  const renderer = new Sigma(graph, container, {
    nodeProgramClasses: nodePrograms,
    defaultDrawNodeLabel: (context, data, settings) =>
      drawLabel(context, data, settings, renderer.getDimensions().width),
    defaultDrawNodeHover: (context, data, settings) =>
      drawHover(context, data, settings, renderer.getDimensions().width),
    edgeProgramClasses: { arrow: EdgeArrowProgram, curvedArrow: EdgeCurvedArrowProgram },
    defaultNodeType: 'circle',
    defaultEdgeType: 'arrow',
    renderEdgeLabels: true,
    enableEdgeEvents: true,
    labelFont: LABEL_FONT,
    labelSize: LABEL_SIZE,
    labelWeight: LABEL_WEIGHT,
    labelColor: { color: '#1b1f24' },
    edgeLabelFont: LABEL_FONT,
    edgeLabelSize: 11,
    edgeLabelColor: { color: '#3d4650' },
    labelRenderedSizeThreshold: 3,
    zIndex: true,
    allowInvalidContainer: true,
    minCameraRatio: 0.02,
    maxCameraRatio: 20,
    stagePadding: 30,
    // The reducers get sigma's own copy of the attributes, and change it in place: they run
    // for every node and edge at each frame of the layout.
    nodeReducer(node, shown) {
      if (everyLabel) shown.forceLabel = true;
      if (emphasis.pathNodes.size > 0) {
        if (emphasis.pathNodes.has(node)) {
          shown.forceLabel = true;
          shown.zIndex = 1;
        } else {
          shown.color = fade(shown.color);
        }
      }
      if (node === emphasis.selectedNode) {
        shown.highlighted = true;
        shown.forceLabel = true;
        shown.zIndex = 2;
      }
      return shown;
    },
    edgeReducer(edge, shown) {
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

  // Runs ForceAtlas2 for a while (longer for larger graphs), then lets it rest. With `frame`
  // (a new picture, or "Lay out again"), the camera frames the whole picture from then on,
  // until the person moves it.
  function runLayout(frame = true) {
    if (graph.order === 0) return;
    if (frame) following = true;
    const settings = { ...forceAtlas2.inferSettings(graph), adjustSizes: false };
    if (!layout) {
      layout = new FA2Layout(graph, { settings });
    } else {
      layout.settings = { ...layout.settings, ...settings };
    }
    layout.start();
    clearTimeout(stopTimer);
    stopTimer = setTimeout(() => {
      layout.stop();
      fitDue = true;
      renderer.scheduleRender();
    }, Math.min(12000, 2500 + graph.order * 2));
  }

  function stopLayout() {
    clearTimeout(stopTimer);
    if (layout) layout.stop();
  }

  // --- Framing ------------------------------------------------------------------------------

  // The camera frames the whole picture, labels included, from when a picture is drawn (or
  // laid out again) until the person pans or zooms: at every redraw of a small picture, and
  // once the layout rests (or the canvas changes size) for a larger one.
  let following = false;
  let fitDue = false;
  const camera = renderer.getCamera();
  const labelWidth = labelMeasurer();

  // The camera state that frames every node (its shape, and its label when the label is
  // always drawn) inside the canvas with FIT_PADDING around it, or null when there is nothing
  // to frame. The mapping from sigma's framed graph space to the viewport is affine (no
  // rotation): under the camera { x, y, ratio }, a point lands at
  // centre + (base(point) - base(camera)) / ratio, `base` being the mapping at ratio 1 about
  // the middle. Labels and node sizes are in pixels and do not scale with the positions.
  function framing() {
    const { width, height } = renderer.getDimensions();
    if (graph.order === 0 || width < 2 * FIT_PADDING + 10 || height < 2 * FIT_PADDING + 10) return null;
    const base = { x: 0.5, y: 0.5, ratio: 1, angle: 0 };
    const origin = renderer.framedGraphToViewport({ x: 0, y: 0 }, { cameraState: base });
    const unit = renderer.framedGraphToViewport({ x: 1, y: 1 }, { cameraState: base });
    const scale = { x: unit.x - origin.x, y: unit.y - origin.y };
    const items = [];
    graph.forEachNode((node) => {
      const data = renderer.getNodeDisplayData(node);
      if (!data || data.hidden) return;
      const reach = data.type === 'diamond' || data.type === 'triangle' ? Math.SQRT2 : 1;
      const label = data.forceLabel && data.label ? labelWidth(data.label) : 0;
      items.push({
        x: origin.x + scale.x * data.x - width / 2,
        y: origin.y + scale.y * data.y - height / 2,
        size: data.size * reach,
        // A label starts 3 px right of the shape; the highlighted one sits in a box.
        right: label ? 3 + label + 4 : 0,
        half: label ? LABEL_SIZE * 0.7 : 0,
      });
    });
    if (items.length === 0) return null;
    // At zoom z (ratio 1/z) a node's shape is scaleSize(size, 1/z) pixels from its centre.
    // A label wider than the canvas cannot be framed: then only the shapes are.
    let labels = true;
    const extent = (z, axis) => {
      const px = renderer.scaleSize(1, 1 / z);
      let low = Infinity;
      let high = -Infinity;
      for (const item of items) {
        const at = item[axis] * z;
        const size = item.size * px;
        if (axis === 'x') {
          low = Math.min(low, at - size);
          high = Math.max(high, at + size + (labels ? item.right : 0));
        } else {
          const reach = Math.max(size, labels ? item.half : 0);
          low = Math.min(low, at - reach);
          high = Math.max(high, at + reach);
        }
      }
      return [low, high];
    };
    const span = (axis) => (z) => {
      const [low, high] = extent(z, axis);
      return high - low;
    };
    const minZoom = 1 / renderer.getSetting('maxCameraRatio');
    const maxZoom = Math.min(FIT_MAX_ZOOM, 1 / renderer.getSetting('minCameraRatio'));
    if (span('x')(minZoom) > width - 2 * FIT_PADDING || span('y')(minZoom) > height - 2 * FIT_PADDING) {
      labels = false;
    }
    const z = Math.min(
      largestFit(span('x'), width - 2 * FIT_PADDING, minZoom, maxZoom),
      largestFit(span('y'), height - 2 * FIT_PADDING, minZoom, maxZoom),
    );
    // Centre what is drawn: the camera looks at the middle of the extent, in base pixels.
    const [left, right] = extent(z, 'x');
    const [top, bottom] = extent(z, 'y');
    const middle = {
      x: width / 2 + (left + right) / 2 / z,
      y: height / 2 + (top + bottom) / 2 / z,
    };
    return {
      x: origin.x === unit.x ? 0.5 : (middle.x - origin.x) / scale.x,
      y: origin.y === unit.y ? 0.5 : (middle.y - origin.y) / scale.y,
      ratio: 1 / z,
      angle: 0,
    };
  }

  function fitCamera(animate) {
    const target = framing();
    if (!target) return;
    const now = camera.getState();
    const { width, height } = renderer.getDimensions();
    // Less than a pixel's difference: leave the camera be (the fit is its own fixed point).
    const moved =
      Math.abs(target.ratio - now.ratio) / now.ratio > 0.5 / Math.max(width, height) ||
      Math.abs(target.x - now.x) * width / now.ratio > 0.5 ||
      Math.abs(target.y - now.y) * height / now.ratio > 0.5 ||
      now.angle !== 0;
    if (!moved) return;
    if (animate) camera.animate(target, { duration: 300, easing: 'quadraticOut' });
    else camera.setState(target);
  }

  // Every label shows in a picture of few nodes with room for them; sigma's label grid picks
  // the labels of the others. Returns whether that changed.
  function chooseLabels() {
    const { width, height } = renderer.getDimensions();
    const every = graph.order < EVERY_LABEL_BELOW && graph.order * EVERY_LABEL_ROOM <= width * height;
    const changed = every !== everyLabel;
    everyLabel = every;
    return changed;
  }

  renderer.on('resize', () => {
    fitDue = true;
    if (chooseLabels()) renderer.refresh({ schedule: true });
  });
  // A small picture is framed as soon as sigma has placed its nodes for a frame, before it
  // draws them (sigma reads the camera after `afterProcess`), so that the frame drawn is the
  // framed one; and after each frame, for what changes without new positions (a resize).
  const frameSmall = () => {
    if (!following || dragged || graph.order > FIT_EVERY_FRAME_UP_TO) return;
    fitDue = false;
    fitCamera(false);
  };
  renderer.on('afterProcess', frameSmall);
  renderer.on('afterRender', () => {
    frameSmall();
    if (following && !dragged && fitDue && !(layout && layout.isRunning())) {
      fitDue = false;
      fitCamera(true);
    }
  });

  // The person pans (a drag that starts off the nodes) or zooms: the camera is theirs.
  const stopFollowing = () => {
    following = false;
  };
  let pressed = false;
  renderer.getMouseCaptor().on('mousedown', () => {
    pressed = true;
  });
  renderer.getMouseCaptor().on('mouseup', () => {
    pressed = false;
  });
  renderer.getMouseCaptor().on('mousemovebody', () => {
    if (pressed && !dragged) stopFollowing();
  });
  renderer.getMouseCaptor().on('wheel', stopFollowing);
  renderer.on('doubleClickStage', stopFollowing);
  renderer.on('doubleClickEdge', stopFollowing);
  renderer.getTouchCaptor().on('touchmove', stopFollowing);

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
      runLayout(false);
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
      chooseLabels();
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
    runLayout: () => runLayout(true),
    stopLayout,
    version: () => version,
  };
}
