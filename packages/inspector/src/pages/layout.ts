import { type Html, html } from '../html.js';
import { type PageContext, href } from './context.js';

/** One step of the breadcrumb trail: a label and, except for the current page, a link. */
export interface Crumb {
  label: string;
  link?: string | undefined;
}

/** The page around `body`: header with the store and whether writes are on, breadcrumbs, the script and stylesheet. */
export function layout(context: PageContext, title: string, crumbs: readonly Crumb[], body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${context.title}</title>
<link rel="stylesheet" href="${href(context, '/assets/inspector.css')}">
<meta name="burr-inspector-base" content="${context.base}">
${context.writeToken !== null ? html`<meta name="burr-inspector-write-token" content="${context.writeToken}">` : ''}
<script src="${href(context, '/assets/inspector.js')}" defer></script>
</head>
<body>
<header class="top">
<a class="brand" href="${href(context, '/')}">${context.title}</a>
<span class="store" title="the store this inspector reads">${context.storeDescription}</span>
<span class="writes ${context.writesAllowed ? 'on' : 'off'}">${context.writesAllowed ? 'writes allowed' : 'read-only'}</span>
</header>
<nav class="crumbs" aria-label="breadcrumbs">${crumbs.map(
    (crumb, index) =>
      html`${index > 0 ? html`<span class="sep">/</span>` : ''}${crumb.link ? html`<a href="${crumb.link}">${crumb.label}</a>` : html`<span aria-current="page">${crumb.label}</span>`}`,
  )}</nav>
<main>
${body}
</main>
<div id="write-result" role="status" aria-live="polite"></div>
</body>
</html>
`;
}

/** A page that says what went wrong (the message escaped like everything else). */
export function errorPage(context: PageContext, status: number, message: string): Html {
  return layout(
    // No write token: an error page may answer a request that has not shown the access token (401, 421).
    { ...context, writeToken: null },
    `Error ${status}`,
    [{ label: 'apps', link: href(context, '/') }, { label: `error ${status}` }],
    html`<section class="error"><h1>Error ${status}</h1><p class="message">${message}</p></section>`,
  );
}
