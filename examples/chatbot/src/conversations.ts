import { InvalidPersistArgumentError, MAX_PAGE_SIZE, type AppSummary, type BaseStateManager } from '@burr/core';
import { UsageError } from './cli-args.js';

/** One `--list` page: the conversations, and the cursor of the next page when there is one. */
export interface ConversationPage {
  conversations: AppSummary[];
  /** Pass as `--more` for the next page; `undefined` when no conversation is left. */
  nextCursor: string | undefined;
}

/**
 * One page of a partition's conversations, most recently saved first, from
 * `listApps` alone (each row is the app's latest step; no state is read).
 * A full page is followed by a one-row look-ahead, so the next-page command
 * is offered only when a next page has something on it.
 */
export async function listConversationPage(manager: BaseStateManager, partitionKey: string, limit: number, cursor: string | undefined): Promise<ConversationPage> {
  const page = await withCursorChecked(cursor, () => manager.listApps(partitionKey, { limit, cursor: cursor ?? null }));
  if (page.nextCursor === null) return { conversations: page.apps, nextCursor: undefined };
  const ahead = await manager.listApps(partitionKey, { limit: 1, cursor: page.nextCursor });
  return { conversations: page.apps, nextCursor: ahead.apps.length > 0 ? page.nextCursor : undefined };
}

/** A `--more` value that is not a cursor the chatbot printed is the person's typo: a usage error. */
async function withCursorChecked<T>(cursor: string | undefined, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (cursor !== undefined && error instanceof InvalidPersistArgumentError) {
      throw new UsageError(`--more ${cursor} is not a cursor a --list page printed (copy it whole from the "Next page" line).`);
    }
    throw error;
  }
}

/** How many steps a conversation has saved, counted from `listSteps` pages (no state is read). */
export async function countSteps(manager: BaseStateManager, partitionKey: string, appId: string): Promise<number> {
  let count = 0;
  let before: number | undefined;
  for (;;) {
    const page = await manager.listSteps(partitionKey, appId, { limit: MAX_PAGE_SIZE, ...(before === undefined ? {} : { before }) });
    count += page.steps.length;
    if (page.nextCursor === null) return count;
    before = page.nextCursor;
  }
}
