import { inspectorBrowserScript } from './client/browser-script.js';

/**
 * The page's script: the source of one self-contained function, called at
 * once. The function is compiled with the package (type-checked like the
 * rest), so there is no separate browser build. `__name` is defined in case
 * a bundler that keeps function names wraps inner functions with it.
 */
export function inspectorScriptSource(): string {
  return `'use strict';\n(() => {\nconst __name = (target) => target;\n(${inspectorBrowserScript.toString()})();\n})();\n`;
}

/** The stylesheet: plain CSS, served from this origin (the CSP allows no inline style). */
export const INSPECTOR_CSS = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5d6678; --line: #d9dee8; --bg: #ffffff; --soft: #f4f6fa; --accent: #2456c7; --bad: #b42318; --bad-bg: #fdecea; --good: #1a7f37; --add-bg: #e7f6ec; --chg-bg: #fff6dd; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .tree, .v, .key { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
header.top { display: flex; gap: 16px; align-items: baseline; padding: 10px 20px; background: #1d2330; color: #e9edf5; }
header.top .brand { color: #fff; font-weight: 700; font-size: 16px; }
header.top .store { color: #b8c0d0; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.writes { padding: 1px 8px; border-radius: 10px; font-size: 12px; }
.writes.off { background: #39404f; color: #d5dae4; }
.writes.on { background: #8a2b1d; color: #fff; }
nav.crumbs { padding: 8px 20px; background: var(--soft); border-bottom: 1px solid var(--line); color: var(--muted); }
nav.crumbs .sep { margin: 0 6px; }
main { padding: 8px 20px 40px; max-width: 1200px; }
h1 { font-size: 20px; margin: 14px 0 6px; }
h2 { font-size: 16px; margin: 22px 0 8px; }
.meta, .note, .empty { color: var(--muted); }
form { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 8px 0; }
input, select, button { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--fg); }
button { cursor: pointer; background: var(--soft); }
button:hover { border-color: #aab3c5; }
button.danger { color: var(--bad); border-color: #f0b7b0; background: var(--bad-bg); }
button.link { border: none; background: none; color: var(--accent); padding: 0 4px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); background: var(--soft); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: var(--bad-bg); }
tr.unreadable td { background: var(--bad-bg); }
tr.unreadable .message { color: var(--bad); overflow-wrap: anywhere; }
.status.failed { color: var(--bad); font-weight: 600; }
.status.completed { color: var(--good); }
.stored.snapshot { font-weight: 600; }
.pager { display: flex; gap: 16px; margin: 10px 0; }
.actions { display: flex; gap: 20px; align-items: center; flex-wrap: wrap; }
.graph-box { overflow-x: auto; }
svg.graph { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; }
svg.graph .node rect { fill: #fff; stroke: #8c96a8; stroke-width: 1.2; }
svg.graph .node.entry rect { stroke-width: 2.2; }
svg.graph .node.current rect { fill: #2456c7; stroke: #16367e; }
svg.graph .node.current text { fill: #fff; font-weight: 700; }
svg.graph text { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; fill: var(--fg); }
svg.graph .edge path { fill: none; stroke: #8c96a8; stroke-width: 1.3; }
svg.graph .edge text { fill: var(--muted); font-size: 11px; paint-order: stroke; stroke: var(--soft); stroke-width: 4px; stroke-linejoin: round; }
svg.graph marker path { fill: #8c96a8; }
table.diff td:nth-child(3), table.diff td:nth-child(4) { max-width: 420px; overflow-wrap: anywhere; }
.kind { padding: 1px 7px; border-radius: 10px; font-size: 12px; white-space: nowrap; }
.kind.added, .kind.appended { background: var(--add-bg); color: var(--good); }
.kind.removed, .kind.truncated { background: var(--bad-bg); color: var(--bad); }
.kind.changed { background: var(--chg-bg); color: #8a5a00; }
ol.items { margin: 0; padding-left: 42px; }
.tree { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; overflow-x: auto; }
.tree ul { list-style: none; margin: 0; padding-left: 18px; }
.tree ul.root { padding-left: 0; }
.tree summary { cursor: pointer; }
.tree .key { color: #6b2fa3; }
.tree .kind { color: var(--muted); }
.v.string { color: #0b6b3a; white-space: pre-wrap; overflow-wrap: anywhere; }
.v.number { color: #1547a8; }
.v.boolean, .v.null { color: #a3461d; }
pre.code { background: #1d2330; color: #e9edf5; padding: 12px 14px; border-radius: 8px; overflow-x: auto; }
.notice { background: var(--add-bg); padding: 6px 10px; border-radius: 6px; }
section.error .message { color: var(--bad); white-space: pre-wrap; }
section.unreadable { background: var(--bad-bg); padding: 4px 16px 8px; border-radius: 8px; }
section.unreadable .message, .unreadable-compare { color: var(--bad); white-space: pre-wrap; overflow-wrap: anywhere; }
#write-result { position: fixed; right: 20px; bottom: 20px; max-width: 520px; }
#write-result p { margin: 0; padding: 10px 14px; border-radius: 8px; box-shadow: 0 2px 10px rgba(0,0,0,.15); }
#write-result p.ok { background: var(--add-bg); }
#write-result p.error { background: var(--bad-bg); color: var(--bad); }
dialog.confirm { border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; max-width: 520px; }
dialog.confirm .buttons { display: flex; justify-content: flex-end; gap: 10px; }
`;
