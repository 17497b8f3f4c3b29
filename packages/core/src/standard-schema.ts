/**
 * The Standard Schema interface (https://standardschema.dev, version 1), the
 * part Burr uses, declared here so that no validation library is a
 * dependency: zod, valibot, arktype and the others implement it, and their
 * schemas are accepted as they are.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The library's implementation of the standard. */
  readonly '~standard': StandardSchemaProps<Input, Output>;
}

/** The `~standard` property of a {@link StandardSchemaV1} schema. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  /** Version of the standard: 1. */
  readonly version: 1;
  /** Name of the library, e.g. `zod`. */
  readonly vendor: string;
  /** Checks a value; may be async. */
  readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
  /** The input and output types, for inference only (absent at run time). */
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

/** What a Standard Schema's `validate` returns: the (possibly transformed) value, or the issues found. */
export type StandardSchemaResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/** One problem a Standard Schema found, with where it is. */
export interface StandardSchemaIssue {
  /** What is wrong, in the library's words. */
  readonly message: string;
  /** Where: keys and indexes from the root, each bare or as `{ key }`. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The type a Standard Schema produces (for a state schema: the state shape). */
export type SchemaOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];

/** The state shape a schema describes: its output type, when that is an object type. */
export type SchemaState<Schema extends StandardSchemaV1> = Extract<SchemaOutput<Schema>, object>;
