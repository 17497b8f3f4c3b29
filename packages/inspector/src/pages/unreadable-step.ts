import type { DeserializationError } from '@burr/core';
import { type Html, html } from '../html.js';
import { type PageContext, href } from './context.js';

/**
 * Whether `error` says the stored step cannot be decoded (malformed JSON, a
 * serde that threw, a broken delta chain): the step gets a page saying so,
 * not an error page. Matched by code, so a second copy of `@burr/core` counts.
 */
export function isUnreadableStep(error: unknown): error is DeserializationError {
  return (error as { code?: unknown } | null)?.code === 'BURR_DESERIALIZATION';
}

/** Where the step is: its app, and a link maker for the app's other steps. */
export interface StepPlace {
  partitionKey: string;
  appId: string;
  sequenceId: number;
  stepLink(sequenceId: number): string;
}

/**
 * What the step page shows instead of the state when the step cannot be
 * loaded: the error, the row it names (in incremental storage the broken
 * row may be another step's, which this one is rebuilt from) and what the
 * user can still do. The inspector never changes a stored row.
 */
export function unreadableStepSection(context: PageContext, place: StepPlace, error: DeserializationError): Html {
  const row = error.chainRow;
  const cause =
    row === undefined
      ? html`<p>This step is stored, but its state cannot be read back from what is stored.</p>`
      : row.sequenceId === place.sequenceId
        ? html`<p>The row stored for this step cannot be decoded.</p>`
        : html`<p>This step is rebuilt from the ${row.kind} stored at <a class="broken-row" href="${place.stepLink(row.sequenceId)}">step #${row.sequenceId}</a> (action <code>${row.position}</code>), which cannot be decoded: every step rebuilt through it fails alike.</p>`;
  return html`<section class="unreadable" data-unreadable="${error.code}">
<h2>This step's state cannot be loaded</h2>
${cause}
<p class="message"><code>${error.code}</code> ${error.message}</p>
<p class="note">Other steps of this app may still load: open the previous ones, fork from one that loads to run on from there, or delete the app. The stored rows stay as they are.</p>
<p><a href="${href(context, '/app', { partition: place.partitionKey, app: place.appId })}">All steps of this app</a></p>
</section>`;
}
