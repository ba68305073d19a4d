// The SVG export: the picture as sigma shows it, redrawn from sigma's display data (positions,
// sizes, colours and shapes after the reducers), edges first, then nodes, then the labels
// sigma currently shows. Display data are in sigma's normalised ("framed") graph space, so
// they go to the viewport through framedGraphToViewport.

import { shapeSvg } from './shapes.js';
import { xml } from './dom.js';
import { labelOnLeft } from './graph.js';

export function toSvg(renderer, title) {
  const { width, height } = renderer.getDimensions();
  const settings = renderer.getSettings();
  const graph = renderer.getGraph();
  const point = (data) => renderer.framedGraphToViewport(data);
  const radius = (data) => renderer.scaleSize(data.size);
  const font = `font-family="${xml(settings.labelFont)}"`;
  const text = (x, y, size, weight, label) =>
    `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}" font-weight="${weight}" ` +
    `stroke="#fff" stroke-width="3" paint-order="stroke">${xml(label)}</text>`;
  const edges = [];
  const edgeLabels = [];
  const shownEdgeLabels = renderer.getEdgeDisplayedLabels();
  graph.forEachEdge((edge, _attributes, source, target) => {
    const data = renderer.getEdgeDisplayData(edge);
    const from = renderer.getNodeDisplayData(source);
    const to = renderer.getNodeDisplayData(target);
    if (!data || data.hidden || !from || !to || from.hidden || to.hidden) return;
    const s = point(from);
    const t = point(to);
    // A curved edge is the quadratic curve sigma's edge-curve program draws.
    const c = data.curvature || 0;
    const control = { x: (s.x + t.x) / 2 + (t.y - s.y) * c, y: (s.y + t.y) / 2 - (t.x - s.x) * c };
    // The arrow head ends at the target's edge, pointing along the curve's last tangent.
    const dx = t.x - control.x;
    const dy = t.y - control.y;
    const length = Math.hypot(dx, dy) || 1;
    const [ux, uy] = [dx / length, dy / length];
    const tip = { x: t.x - ux * radius(to), y: t.y - uy * radius(to) };
    const w = Math.max(settings.minEdgeThickness, renderer.scaleSize(data.size));
    const head = 2.5 * w + 4;
    const base = { x: tip.x - ux * head, y: tip.y - uy * head };
    const side = { x: -uy * (head * 0.6), y: ux * (head * 0.6) };
    edges.push(
      `<path d="M${s.x.toFixed(1)},${s.y.toFixed(1)} Q${control.x.toFixed(1)},${control.y.toFixed(1)} ${base.x.toFixed(1)},${base.y.toFixed(1)}" fill="none" stroke="${data.color}" stroke-width="${w}"/>` +
        `<polygon points="${tip.x.toFixed(1)},${tip.y.toFixed(1)} ${(base.x + side.x).toFixed(1)},${(base.y + side.y).toFixed(1)} ${(base.x - side.x).toFixed(1)},${(base.y - side.y).toFixed(1)}" fill="${data.color}"/>`,
    );
    if (data.label && (shownEdgeLabels.has(edge) || data.forceLabel)) {
      // The curve's middle: a quarter of each end and half of the control point.
      const mx = (s.x + t.x) / 4 + control.x / 2;
      const my = (s.y + t.y) / 4 + control.y / 2;
      edgeLabels.push(text(mx, my, settings.edgeLabelSize, 'normal', data.label).replace('<text', '<text text-anchor="middle" fill="#3d4650"'));
    }
  });
  const nodes = [];
  const nodeLabels = [];
  const shownLabels = renderer.getNodeDisplayedLabels();
  const measure = document.createElement('canvas').getContext('2d');
  if (measure) measure.font = `${settings.labelWeight} ${settings.labelSize}px ${settings.labelFont}`;
  graph.forEachNode((node) => {
    const data = renderer.getNodeDisplayData(node);
    if (!data || data.hidden) return;
    const p = point(data);
    const r = radius(data);
    nodes.push(shapeSvg(data.type, p.x, p.y, r, data.color, `data-id="${xml(node)}"`));
    if (data.label && (shownLabels.has(node) || data.forceLabel)) {
      // On the side sigma draws it.
      const left = measure && labelOnLeft(p.x, r, measure.measureText(data.label).width, width);
      nodeLabels.push(
        text(p.x + (left ? -1 : 1) * (r + 3), p.y + settings.labelSize / 3, settings.labelSize, settings.labelWeight, data.label)
          .replace('<text', `<text fill="#1b1f24"${left ? ' text-anchor="end"' : ''}`),
      );
    }
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${font}>\n` +
    `<title>${xml(title)}</title>\n<rect width="100%" height="100%" fill="#fff"/>\n` +
    `<g class="edges">${edges.join('\n')}</g>\n<g class="nodes">${nodes.join('\n')}</g>\n` +
    `<g class="labels">${edgeLabels.join('\n')}${nodeLabels.join('\n')}</g>\n</svg>\n`
  );
}
