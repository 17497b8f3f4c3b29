/**
 * The JSON Python Burr's tracker writes (`burr/tracking/common/models.py`),
 * field for field, so Burr's UI reads what this package writes. Keys are
 * snake_case as in the files; `type` comes first, as pydantic writes it.
 */

/** Points at one step of an application (Python's `PointerModel`). */
export interface PointerModel {
  type: 'pointer_data';
  app_id: string;
  sequence_id: number | null;
  partition_key: string | null;
}

/**
 * `metadata.json` (Python's `ApplicationMetadataModel`). `app_id` is our
 * addition; pydantic ignores unknown fields, so Burr's UI still reads it.
 */
export interface ApplicationMetadataModel {
  type: 'application_metadata';
  partition_key: string | null;
  parent_pointer: PointerModel | null;
  spawning_parent_pointer: PointerModel | null;
  app_id?: string | undefined;
}

/** One action in `graph.json` (Python's `ActionModel`). */
export interface ActionModel {
  type: 'action';
  name: string;
  reads: string[];
  writes: string[];
  /** Source code shown by the UI; empty when the runner does not provide it. */
  code: string;
  inputs: string[];
  optional_inputs: string[];
}

/** One transition in `graph.json` (Python's `TransitionModel`; `from_` is the field's name there). */
export interface TransitionModel {
  type: 'transition';
  from_: string;
  to: string;
  condition: string;
}

/** `graph.json` (Python's `ApplicationModel`). */
export interface ApplicationModel {
  type: 'application';
  entrypoint: string;
  actions: ActionModel[];
  transitions: TransitionModel[];
}

/** One line of a parent's `children.jsonl` (Python's `ChildApplicationModel`). */
export interface ChildApplicationModel {
  type: 'child_application_data';
  child: PointerModel;
  event_time: string;
  event_type: 'fork' | 'spawn_start';
  /** The parent's sequence id the child was made from. */
  sequence_id: number | null;
}

/** A `log.jsonl` line written before a step (Python's `BeginEntryModel`). */
export interface BeginEntryModel {
  type: 'begin_entry';
  start_time: string;
  action: string;
  inputs: Record<string, unknown>;
  sequence_id: number;
}

/**
 * A `log.jsonl` line written after a step (Python's `EndEntryModel`).
 * `state` is the serialized state after the step, or from before it when
 * `exception` is set.
 */
export interface EndEntryModel {
  type: 'end_entry';
  end_time: string;
  action: string;
  result: Record<string, unknown> | null;
  exception: string | null;
  state: Record<string, unknown>;
  sequence_id: number;
}

/** Builds a {@link PointerModel}. */
export function pointerModel(appId: string, sequenceId: number | null, partitionKey: string | null): PointerModel {
  return { type: 'pointer_data', app_id: appId, sequence_id: sequenceId, partition_key: partitionKey };
}

/**
 * A `begin_entry` line (without its newline). `inputsJson` is already
 * encoded, so tagged values are written exactly as the serde made them.
 */
export function beginEntryLine(startTime: string, action: string, inputsJson: string, sequenceId: number): string {
  return `{"type":"begin_entry","start_time":${JSON.stringify(startTime)},"action":${JSON.stringify(action)},"inputs":${inputsJson},"sequence_id":${sequenceId}}`;
}

/** An `end_entry` line (without its newline); `resultJson` and `stateJson` are already encoded. */
export function endEntryLine(endTime: string, action: string, resultJson: string, exception: string | null, stateJson: string, sequenceId: number): string {
  return (
    `{"type":"end_entry","end_time":${JSON.stringify(endTime)},"action":${JSON.stringify(action)},"result":${resultJson},` +
    `"exception":${JSON.stringify(exception)},"state":${stateJson},"sequence_id":${sequenceId}}`
  );
}
