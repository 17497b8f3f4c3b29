import { ApplicationBuildError } from '../errors.js';
import type { State, StateValues } from '../state.js';
import type { ActionKind, AnyAction } from './actions.js';
import { Condition, type ConditionFor } from './conditions.js';

/**
 * One transition as given to `withTransitions`: from one action (or each of
 * several), to another, when the condition holds (no condition = default).
 * In an application of state `S` with actions named `N`, the names and the
 * condition are checked against them.
 */
export type TransitionSpec<S extends object = StateValues, N extends string = string> = readonly [from: N | readonly N[], to: N, condition?: ConditionFor<S>];

/** An action as the graph describes it. */
export interface ActionDescription {
  name: string;
  kind: ActionKind;
  reads: readonly string[];
  writes: readonly string[];
  inputs: readonly string[];
  optionalInputs: readonly string[];
  streaming: boolean;
}

/** A transition as the graph describes it; `condition` is the condition's name. */
export interface TransitionDescription {
  from: string;
  to: string;
  condition: string;
}

/** The shape of an application, for inspection and tracking. */
export interface ApplicationGraph {
  entrypoint: string;
  actions: readonly ActionDescription[];
  transitions: readonly TransitionDescription[];
}

interface Edge {
  to: string;
  condition: Evaluable;
}

/** A condition as the graph uses it: its name, and its test over a state of any shape. */
interface Evaluable {
  readonly name: string;
  evaluate(state: State): boolean;
}

/** Validated actions and transitions, with the lookups the application needs at run time. */
export class CompiledGraph {
  readonly #actions: ReadonlyMap<string, AnyAction>;
  readonly #edges: ReadonlyMap<string, readonly Edge[]>;
  readonly description: ApplicationGraph;

  constructor(actions: ReadonlyMap<string, AnyAction>, transitions: readonly TransitionSpec[], entrypoint: string) {
    this.#actions = actions;
    const edges = new Map<string, Edge[]>();
    const described: TransitionDescription[] = [];
    for (const [from, to, given] of transitions.flatMap(expandSpec)) {
      const condition = (given ?? Condition.default) as Evaluable;
      if (!actions.has(from))
        throw new ApplicationBuildError(`Transition ${from} -> ${to} starts at unknown action ${JSON.stringify(from)}; actions: ${[...actions.keys()].join(', ')}`);
      if (!actions.has(to)) throw new ApplicationBuildError(`Transition ${from} -> ${to} goes to unknown action ${JSON.stringify(to)}; actions: ${[...actions.keys()].join(', ')}`);
      if (!(condition instanceof Condition)) throw new ApplicationBuildError(`Transition ${from} -> ${to}: the third element must be a Condition`);
      const list = edges.get(from) ?? [];
      if (condition === Condition.default && list.some((edge) => edge.condition === Condition.default)) {
        throw new ApplicationBuildError(`Action ${JSON.stringify(from)} has two default transitions; the second (to ${JSON.stringify(to)}) could never be taken`);
      }
      list.push({ to, condition });
      edges.set(from, list);
      described.push({ from, to, condition: condition.name });
    }
    this.#edges = edges;
    this.description = Object.freeze({
      entrypoint,
      actions: Object.freeze([...actions].map(([name, action]) => describeAction(name, action))),
      transitions: Object.freeze(described),
    });
  }

  /** The action registered under `name`, if any. */
  action(name: string): AnyAction | undefined {
    return this.#actions.get(name);
  }

  /** Whether an action of that name exists. */
  has(name: string): boolean {
    return this.#actions.has(name);
  }

  /** The first transition out of `from` (declaration order) whose condition holds, or `null`. */
  nextAfter(from: string, state: State): string | null {
    for (const edge of this.#edges.get(from) ?? []) {
      if (edge.condition.evaluate(state)) return edge.to;
    }
    return null;
  }
}

function expandSpec(spec: TransitionSpec): Array<[string, string, unknown]> {
  if (!Array.isArray(spec) || spec.length < 2 || spec.length > 3) {
    throw new ApplicationBuildError(`A transition must be [from, to] or [from, to, condition], got ${JSON.stringify(spec)}`);
  }
  const [from, to, condition] = spec;
  const sources: readonly unknown[] = Array.isArray(from) ? from : [from];
  return sources.map((source) => {
    if (typeof source !== 'string' || typeof to !== 'string') {
      throw new ApplicationBuildError(`A transition names actions by string, got ${JSON.stringify(spec)}`);
    }
    return [source, to, condition];
  });
}

function describeAction(name: string, action: AnyAction): ActionDescription {
  return Object.freeze({
    name,
    kind: action.kind,
    reads: Object.freeze([...action.reads]),
    writes: Object.freeze([...action.writes]),
    inputs: Object.freeze([...action.inputs]),
    optionalInputs: Object.freeze([...action.optionalInputs]),
    streaming: action.streaming,
  });
}
