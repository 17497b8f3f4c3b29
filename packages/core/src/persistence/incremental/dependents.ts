import type { StepRemoval } from '../stored-history.js';
import type { DeltaBase, Dependent } from './rows.js';

/** A stored step as `findDependents` needs it: its key, its base, and whether the removal's cutoff lets it go. */
export interface StepLink {
  sequenceId: number;
  position: string;
  /** `null` for a snapshot. */
  base: DeltaBase | null;
  /** Saved before `removal.createdBefore` (true when the removal has no cutoff). */
  savedBeforeCutoff: boolean;
}

/**
 * The steps among `links` that `removal` keeps and whose base it removes,
 * within `window` sequence ids after its range: what `IncrementalRows.findDependents`
 * answers, once `links` holds the app's steps from `removal.fromSequenceId`
 * to `removal.toSequenceId + window`.
 */
export function dependentsAmong(links: readonly StepLink[], removal: StepRemoval, window: number): Dependent[] {
  const { partitionKey, appId, fromSequenceId: from, toSequenceId: to } = removal;
  const goes = (link: StepLink) => link.sequenceId >= from && link.sequenceId <= to && link.savedBeforeCutoff;
  const byKey = new Map(links.map((link) => [`${link.sequenceId}|${link.position}`, link]));
  return links.flatMap((link) => {
    if (!link.base || link.sequenceId <= from || link.sequenceId > to + window || goes(link)) return [];
    const base = byKey.get(`${link.base.sequenceId}|${link.base.position}`);
    return base && goes(base) ? [{ partitionKey, appId, sequenceId: link.sequenceId, position: link.position, base: link.base }] : [];
  });
}
