import type { ApplicationGraph } from '@burr/core';
import { type Html, html, raw } from './html.js';

const NODE_HEIGHT = 30;
const ROW_GAP = 22;
const COLUMN_GAP = 160;
const CHAR_WIDTH = 7.4;
const PADDING = 16;

interface PlacedNode {
  name: string;
  x: number;
  y: number;
  width: number;
  column: number;
}

/**
 * The graph as an inline SVG: actions in columns by their distance from the
 * entrypoint, transitions as arrows labelled with their condition (none for
 * `default`), `current` highlighted. Every name is escaped.
 */
export function graphSvg(graph: ApplicationGraph, current: string | null): Html {
  const nodes = placeNodes(graph);
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const width = Math.max(...nodes.map((node) => node.x + node.width)) + PADDING;
  const height = Math.max(...nodes.map((node) => node.y + NODE_HEIGHT)) + PADDING + 40;
  const edges = graph.transitions.map((transition, index) => {
    const from = byName.get(transition.from);
    const to = byName.get(transition.to);
    if (!from || !to) return html``;
    const label = transition.condition === 'default' ? '' : transition.condition;
    return edgeSvg(from, to, label, index);
  });
  const boxes = nodes.map(
    (node) => html`<g class="node${node.name === current ? ' current' : ''}${node.name === graph.entrypoint ? ' entry' : ''}" data-action="${node.name}">
<rect x="${node.x}" y="${node.y}" width="${node.width}" height="${NODE_HEIGHT}" rx="6"></rect>
<text x="${node.x + node.width / 2}" y="${node.y + NODE_HEIGHT / 2 + 4}" text-anchor="middle">${node.name}</text></g>`,
  );
  return html`<svg class="graph" role="img" aria-label="application graph" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"></path></marker></defs>
${edges}${boxes}</svg>`;
}

function placeNodes(graph: ApplicationGraph): PlacedNode[] {
  const names = graph.actions.map((action) => action.name);
  const column = new Map<string, number>();
  const queue: string[] = [];
  if (names.includes(graph.entrypoint)) {
    column.set(graph.entrypoint, 0);
    queue.push(graph.entrypoint);
  }
  while (queue.length > 0) {
    const name = queue.shift()!;
    for (const transition of graph.transitions) {
      if (transition.from === name && !column.has(transition.to)) {
        column.set(transition.to, column.get(name)! + 1);
        queue.push(transition.to);
      }
    }
  }
  const unreachableColumn = Math.max(-1, ...column.values()) + 1;
  for (const name of names) if (!column.has(name)) column.set(name, unreachableColumn);
  const columns: string[][] = [];
  for (const name of names) {
    const index = column.get(name)!;
    columns[index] = [...(columns[index] ?? []), name];
  }
  const placed: PlacedNode[] = [];
  let x = PADDING;
  columns.forEach((members, index) => {
    const columnWidth = Math.max(...members.map(nodeWidth));
    members.forEach((name, row) => {
      const width = nodeWidth(name);
      placed.push({ name, x: x + (columnWidth - width) / 2, y: PADDING + 20 + row * (NODE_HEIGHT + ROW_GAP), width, column: index });
    });
    x += columnWidth + COLUMN_GAP;
  });
  return placed;
}

function nodeWidth(name: string): number {
  return Math.max(70, Math.round(name.length * CHAR_WIDTH) + 24);
}

function edgeSvg(from: PlacedNode, to: PlacedNode, label: string, index: number): Html {
  let path: string;
  let labelX: number;
  let labelY: number;
  if (from === to) {
    // A loop above the box.
    const left = from.x + from.width * 0.3;
    const right = from.x + from.width * 0.7;
    path = `M${left},${from.y} C${left - 10},${from.y - 34} ${right + 10},${from.y - 34} ${right},${from.y}`;
    labelX = from.x + from.width / 2;
    labelY = from.y - 28;
  } else if (to.column > from.column) {
    const startX = from.x + from.width;
    const startY = from.y + NODE_HEIGHT / 2;
    const endX = to.x;
    const endY = to.y + NODE_HEIGHT / 2;
    const bend = (endX - startX) / 2;
    path = `M${startX},${startY} C${startX + bend},${startY} ${endX - bend},${endY} ${endX},${endY}`;
    labelX = (startX + endX) / 2;
    labelY = (startY + endY) / 2 - 6;
  } else {
    // Back or sideways: an arc under both boxes, deeper for each further edge so labels do not overlap.
    const startX = from.x + from.width / 2;
    const startY = from.y + NODE_HEIGHT;
    const endX = to.x + to.width / 2;
    const endY = to.y + NODE_HEIGHT;
    const depth = 30 + (index % 3) * 12;
    const bottom = Math.max(startY, endY) + depth;
    path = `M${startX},${startY} C${startX},${bottom} ${endX},${bottom} ${endX},${endY}`;
    labelX = (startX + endX) / 2;
    labelY = bottom - 4;
  }
  return html`<g class="edge"><path d="${path}" marker-end="url(#arrow)"></path>${label ? html`<text x="${labelX}" y="${labelY}" text-anchor="middle">${label}</text>` : raw('')}</g>`;
}
