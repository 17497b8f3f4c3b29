import { BurrError, formatKeyPath } from './errors.js';
import type { BaseStateLoader, PartitionKeyInput, PersistedStateData } from './persistence/contract.js';
import { State } from './state.js';
import type { SchemaState, StandardSchemaIssue, StandardSchemaV1 } from './standard-schema.js';

/** Where a state being validated comes from, for the error that names it. */
export interface StateOrigin {
  appId: string;
  /** `null` (or `''`) when the app has no partition. */
  partitionKey: string | null;
  /** The saved step it was loaded from; `null` for a default state, which was never saved. */
  sequenceId: number | null;
}

/** One place where a state does not match its schema. */
export interface StateIssue {
  /** Keys and indexes from the state's root, e.g. `["history", 2, "role"]`. */
  keyPath: ReadonlyArray<string | number>;
  /** The schema library's message. */
  message: string;
}

/** How many issues the message of a {@link StateValidationError} lists (all are in `issues`). */
const ISSUES_IN_MESSAGE = 5;

/**
 * A state did not match the application's schema (`withSchema`): a default
 * state, or one loaded from a store that another program (or an older version
 * of this one) wrote. Names the app, partition, sequence id and the key path
 * of each issue, e.g. `history[2].role`.
 */
export class StateValidationError extends BurrError {
  readonly appId: string;
  readonly partitionKey: string | null;
  /** The saved step whose state failed; `null` for a default state. */
  readonly sequenceId: number | null;
  /** Every issue the schema reported. */
  readonly issues: readonly StateIssue[];

  constructor(origin: StateOrigin, issues: readonly StateIssue[]) {
    const listed = issues.slice(0, ISSUES_IN_MESSAGE).map((issue) => `${formatKeyPath(issue.keyPath)}: ${issue.message}`);
    if (issues.length > ISSUES_IN_MESSAGE) listed.push(`and ${issues.length - ISSUES_IN_MESSAGE} more`);
    super('BURR_STATE_VALIDATION', `${describeOrigin(origin)} does not match the schema: ${listed.join('; ')}`);
    this.appId = origin.appId;
    this.partitionKey = origin.partitionKey === '' ? null : origin.partitionKey;
    this.sequenceId = origin.sequenceId;
    this.issues = issues;
  }
}

/**
 * Checks `state` against a Standard Schema (zod, valibot, arktype...) and
 * returns the state the schema produced: its defaults and transforms
 * applied, keys it strips dropped. Hidden `__` keys (`__SEQUENCE_ID`,
 * `__PRIOR_STEP`) are not shown to the schema and are kept as they are; key
 * order is kept. Throws {@link StateValidationError} on a mismatch.
 */
export async function validateState<Schema extends StandardSchemaV1>(schema: Schema, state: State, origin: StateOrigin): Promise<State<SchemaState<Schema>>> {
  const visible: Record<string, unknown> = {};
  for (const [key, value] of state) if (!isHiddenKey(key)) visible[key] = value;
  const outcome = await schema['~standard'].validate(visible);
  if (outcome.issues) throw new StateValidationError(origin, outcome.issues.map(toStateIssue));
  const output: unknown = outcome.value;
  if (output === null || typeof output !== 'object' || Array.isArray(output)) {
    throw new StateValidationError(origin, [{ keyPath: [], message: `the schema produced ${Array.isArray(output) ? 'a list' : String(output)}, not an object of state keys` }]);
  }
  return new State<SchemaState<Schema>>(rebuild(state, output as Record<string, unknown>));
}

/**
 * `loader.load(...)`, with the loaded state checked against `schema` and
 * typed by it: the typed way to read a saved step. `null` when nothing is
 * saved there; {@link StateValidationError} when the stored state does not
 * match.
 *
 * @example
 * const saved = await loadValidatedState(persister, CounterSchema, 'user-1', 'app-1');
 * saved?.state.get('count'); // number
 */
export async function loadValidatedState<Schema extends StandardSchemaV1>(
  loader: BaseStateLoader,
  schema: Schema,
  partitionKey: PartitionKeyInput,
  appId: string | null,
  sequenceId?: number | null,
): Promise<ValidatedStateData<SchemaState<Schema>> | null> {
  const loaded = await loader.load(partitionKey, appId, sequenceId);
  if (loaded === null) return null;
  const origin = { appId: loaded.appId, partitionKey: loaded.partitionKey, sequenceId: loaded.sequenceId };
  return { ...loaded, state: await validateState(schema, loaded.state, origin) };
}

/** A saved step whose state was checked against a schema and has its type. */
export type ValidatedStateData<S extends object> = Omit<PersistedStateData, 'state'> & {
  /** The validated state, hidden `__` keys included. */
  state: State<S>;
};

/** Hidden keys the runner keeps in every state (`__SEQUENCE_ID`, `__PRIOR_STEP`); the schema describes the user's keys only. */
function isHiddenKey(key: string): boolean {
  return key.startsWith('__');
}

/** The schema's output with the hidden keys put back, in the original key order (new keys last). */
function rebuild(original: State, output: Record<string, unknown>): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const [key, value] of original) {
    if (isHiddenKey(key)) values.set(key, value);
    else if (Object.hasOwn(output, key)) values.set(key, output[key]);
  }
  for (const [key, value] of Object.entries(output)) if (!values.has(key) && !isHiddenKey(key)) values.set(key, value);
  return values;
}

function toStateIssue(issue: StandardSchemaIssue): StateIssue {
  const keyPath = (issue.path ?? []).map((segment) => {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    return typeof key === 'number' ? key : String(key);
  });
  return { keyPath, message: issue.message };
}

function describeOrigin({ appId, partitionKey, sequenceId }: StateOrigin): string {
  const app = `app ${JSON.stringify(appId)}${partitionKey ? ` (partition ${JSON.stringify(partitionKey)})` : ''}`;
  return sequenceId === null ? `The default state of ${app}` : `The state of ${app} saved at sequence id ${sequenceId}`;
}
