import type { DeserializationError } from '@burr/core';
import { type Html, html } from '../html.js';
import { type PageContext, href } from './context.js';

/** What a read gives instead of its value when the stored rows cannot be decoded. */
export interface Unreadable {
  unreadable: DeserializationError;
}

/**
 * Runs `read`; a {@link DeserializationError} (malformed JSON, a serde that
 * threw, a broken delta chain, a status edited by hand) comes back as an
 * {@link Unreadable} for the page to show, not as an error page. Matched by
 * code, so a second copy of `@burr/core` counts. Other errors are thrown.
 */
export async function readable<T>(read: () => Promise<T>): Promise<T | Unreadable> {
  try {
    return await read();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'BURR_DESERIALIZATION') return { unreadable: error as DeserializationError };
    throw error;
  }
}

/** Whether `value` is what {@link readable} gives for rows that cannot be decoded. */
export function isUnreadable(value: unknown): value is Unreadable {
  return typeof value === 'object' && value !== null && 'unreadable' in value;
}

/** Said in place of the diff when the step to compare with cannot be read. */
export function nothingToCompare(what: string, error: DeserializationError): Html {
  return html`<p class="unreadable-compare">${what}, so there is nothing to compare with: <code>${error.code}</code> ${error.message}</p>`;
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
        : html`<p>This step is rebuilt from the ${row.kind} stored at <a class="broken-row" href="${place.stepLink(row.sequenceId)}">step #${row.sequenceId}</a> (action <code>${row.position}</code>), and that row is broken: every step rebuilt through it fails alike.</p>`;
  return html`<section class="unreadable" data-unreadable="${error.code}">
<h2>This step's state cannot be loaded</h2>
${cause}
<p class="message"><code>${error.code}</code> ${error.message}</p>
<p class="note">Other steps of this app may still load: open the previous ones, fork from one that loads to run on from there, or delete the app. The stored rows stay as they are.</p>
<p><a href="${href(context, '/app', { partition: place.partitionKey, app: place.appId })}">All steps of this app</a></p>
</section>`;
}
