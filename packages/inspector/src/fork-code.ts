/** Where a fork starts: one saved step. */
export interface ForkSource {
  partitionKey: string;
  appId: string;
  sequenceId: number;
}

/** Options of the code shown for a fork. */
export interface ForkCodeOptions {
  /** The new app's id. */
  newAppId: string;
  /** The entrypoint of the graph, when known. */
  entrypoint: string | null;
  /** What the loader is called in the user's code (default `persister`). */
  loaderName?: string | undefined;
}

/**
 * TypeScript that builds a new application starting from `source`, with
 * `ApplicationBuilder.initializeFrom(…, { forkFromAppId, forkFromSequenceId })`
 * (core's fork): it loads that step, runs on from it, and saves under the new app id.
 */
export function forkCode(source: ForkSource, options: ForkCodeOptions): string {
  const loader = options.loaderName ?? 'persister';
  const partition = source.partitionKey === '' ? 'null' : JSON.stringify(source.partitionKey);
  return [
    `const app = await new ApplicationBuilder()`,
    // No id inside the comment: an id holding "*/" would end it and run as code.
    `  .withActions({ /* the actions of the forked app's application */ })`,
    `  .withTransitions(/* its transitions */)`,
    `  .initializeFrom(${loader}, {`,
    `    forkFromAppId: ${JSON.stringify(source.appId)},`,
    `    forkFromPartitionKey: ${partition},`,
    `    forkFromSequenceId: ${source.sequenceId},`,
    `    resumeAtNextAction: true,`,
    `    defaultEntrypoint: ${JSON.stringify(options.entrypoint ?? 'your-entrypoint')},`,
    `  })`,
    `  .withStatePersister(${loader})`,
    `  .withIdentifiers({ appId: ${JSON.stringify(options.newAppId)}, partitionKey: ${partition} })`,
    `  .build();`,
  ].join('\n');
}

/** TypeScript that continues an app the inspector created as a fork (its first saved step is the copied one). */
export function resumeCode(partitionKey: string, appId: string, entrypoint: string | null, loaderName = 'persister'): string {
  const partition = partitionKey === '' ? 'null' : JSON.stringify(partitionKey);
  return [
    `const app = await new ApplicationBuilder()`,
    `  .withActions({ /* … */ })`,
    `  .withTransitions(/* … */)`,
    `  .initializeFrom(${loaderName}, { resumeAtNextAction: true, defaultEntrypoint: ${JSON.stringify(entrypoint ?? 'your-entrypoint')} })`,
    `  .withStatePersister(${loaderName})`,
    `  .withIdentifiers({ appId: ${JSON.stringify(appId)}, partitionKey: ${partition} })`,
    `  .build();`,
  ].join('\n');
}

/** A fresh id for a fork of `appId` at `sequenceId`. */
export function suggestForkId(appId: string, sequenceId: number): string {
  return `${appId}-fork-${sequenceId}-${Date.now().toString(36)}`;
}
