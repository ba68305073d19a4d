// Node shapes. Sigma draws circles itself and @sigma/node-square draws squares; the diamond
// and the triangle are the square program with its corners at other angles. The same shapes
// are drawn in SVG for the legend and for the SVG export.

import { NodeCircleProgram } from 'sigma/rendering';
import { NodeSquareProgram } from '@sigma/node-square';

// The square program places each vertex at a fixed distance from the node's centre, at the
// angle given per vertex; two triangles at 45°, 135°, -45° / 135°, -45°, -135° make a square.
class NodeDiamondProgram extends NodeSquareProgram {
  getDefinition() {
    const definition = super.getDefinition();
    const h = Math.PI / 2;
    return { ...definition, CONSTANT_DATA: [[0], [h], [-h], [h], [-h], [2 * h]] };
  }
}

// One triangle, pointing up.
class NodeTriangleProgram extends NodeSquareProgram {
  getDefinition() {
    const definition = super.getDefinition();
    const up = Math.PI / 2;
    const third = (2 * Math.PI) / 3;
    return {
      ...definition,
      VERTICES: 3,
      CONSTANT_DATA: [[up], [up + third], [up + 2 * third]],
    };
  }
}

// Sigma's `nodeProgramClasses`, by shape name (a node's `type` attribute is its shape).
export const NODE_PROGRAMS = {
  circle: NodeCircleProgram,
  square: NodeSquareProgram,
  diamond: NodeDiamondProgram,
  triangle: NodeTriangleProgram,
};

const round = (value) => Math.round(value * 100) / 100;

// The SVG element drawing `shape` centred on (x, y), `r` being the radius of the circle a
// node of the same size would have (a square's half side; a diamond's or a triangle's
// corners lie at r·√2 from the centre, as the WebGL programs draw them). `fill` is a colour.
export function shapeSvg(shape, x, y, r, fill, extra = '') {
  const attributes = `fill="${fill}"${extra ? ' ' + extra : ''}`;
  if (shape === 'square') {
    return `<rect x="${round(x - r)}" y="${round(y - r)}" width="${round(2 * r)}" height="${round(2 * r)}" ${attributes}/>`;
  }
  if (shape === 'diamond' || shape === 'triangle') {
    const corner = r * Math.SQRT2;
    const angles =
      shape === 'diamond' ? [-90, 0, 90, 180] : [-90, 30, 150]; // screen y points down
    const points = angles
      .map((degrees) => {
        const a = (degrees * Math.PI) / 180;
        return round(x + corner * Math.cos(a)) + ',' + round(y + corner * Math.sin(a));
      })
      .join(' ');
    return `<polygon points="${points}" ${attributes}/>`;
  }
  return `<circle cx="${round(x)}" cy="${round(y)}" r="${round(r)}" ${attributes}/>`;
}

// A small standalone SVG icon of a kind's shape and colour, for the legend and the lists.
export function shapeIcon(shape, color) {
  return (
    '<svg class="shape-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">' +
    shapeSvg(shape, 8, 8, shape === 'circle' ? 6 : 5, color) +
    '</svg>'
  );
}
