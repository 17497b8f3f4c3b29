import { InvalidPersistArgumentError } from '../errors.js';

/** The JSON type of one option a persister's `fromConfig()` accepts. */
export type ConfigFieldType = 'string' | 'number' | 'boolean' | 'object';

/** One option of a `fromConfig()` schema. */
export interface ConfigField {
  type: ConfigFieldType;
  required?: boolean | undefined;
  /** The values a `'string'` option may take, when it is one of a few words. */
  oneOf?: readonly string[] | undefined;
}

/** The options a persister's `fromConfig()` accepts, by name. */
export type ConfigSchema = Readonly<Record<string, ConfigField>>;

/** The value type a {@link ConfigFieldType} stands for (`'object'`: a plain object). */
export type ConfigFieldValue<T extends ConfigFieldType> = T extends 'string' ? string : T extends 'number' ? number : T extends 'boolean' ? boolean : Record<string, unknown>;

/** The checked config: required options present, optional ones possibly absent. */
export type ConfigValues<S extends ConfigSchema> = {
  [K in keyof S as S[K]['required'] extends true ? K : never]: ConfigOptionValue<S[K]>;
} & {
  [K in keyof S as S[K]['required'] extends true ? never : K]?: ConfigOptionValue<S[K]>;
};

/** The value type of one option: one of its `oneOf` words, else its {@link ConfigFieldValue}. */
export type ConfigOptionValue<F extends ConfigField> = F extends { oneOf: readonly (infer W)[] } ? W : ConfigFieldValue<F['type']>;

/**
 * Checks the argument of a persister's `fromConfig()` against `schema`: a
 * plain object, every required option present, every option of its type, and
 * no unknown option (so a typo or Python's snake_case `db_path` is reported
 * rather than silently ignored). `undefined` counts as absent.
 * Throws {@link InvalidPersistArgumentError} naming the option.
 */
export function readPersisterConfig<const S extends ConfigSchema>(persister: string, config: unknown, schema: S): ConfigValues<S> {
  const where = `${persister}.fromConfig()`;
  if (!isPlainObject(config)) throw new InvalidPersistArgumentError(`${where} takes a config object, got ${describeType(config)}`);
  const known = Object.keys(schema);
  for (const key of Object.keys(config)) {
    if (!Object.hasOwn(schema, key)) {
      throw new InvalidPersistArgumentError(`${where}: unknown option ${JSON.stringify(key)}; the options are ${known.join(', ')}`);
    }
  }
  const values: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema)) {
    const value = config[key];
    if (value === undefined) {
      if (field.required) throw new InvalidPersistArgumentError(`${where}: option ${JSON.stringify(key)} is required`);
      continue;
    }
    if (!hasType(value, field.type)) {
      throw new InvalidPersistArgumentError(`${where}: option ${JSON.stringify(key)} must be ${field.type === 'object' ? 'an' : 'a'} ${field.type}, got ${describeType(value)}`);
    }
    if (field.oneOf && !field.oneOf.includes(value as string)) {
      throw new InvalidPersistArgumentError(
        `${where}: option ${JSON.stringify(key)} must be ${field.oneOf.map((word) => JSON.stringify(word)).join(' or ')}, got ${JSON.stringify(value)}`,
      );
    }
    values[key] = value;
  }
  return values as ConfigValues<S>;
}

function hasType(value: unknown, type: ConfigFieldType): boolean {
  return type === 'object' ? isPlainObject(value) : typeof value === type;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/** Options every persister's `fromConfig()` takes: the serde settings and the driver's own options. */
export const PERSISTER_CONFIG_FIELDS = {
  serdeKwargs: { type: 'object' },
  clientOptions: { type: 'object' },
} as const satisfies ConfigSchema;

/** {@link PERSISTER_CONFIG_FIELDS} plus the deadlines of a persister that talks to a server (`ConnectionTimeoutOptions`). */
export const SERVER_CONFIG_FIELDS = {
  ...PERSISTER_CONFIG_FIELDS,
  connectTimeoutMs: { type: 'number' },
  operationTimeoutMs: { type: 'number' },
} as const satisfies ConfigSchema;

/** The storage mode options (`StorageModeOptions`) of a persister that has an incremental mode. */
export const STORAGE_MODE_CONFIG_FIELDS = {
  storage: { type: 'string', oneOf: ['full', 'incremental'] },
  snapshotEvery: { type: 'number' },
  snapshotBytes: { type: 'number' },
} as const satisfies ConfigSchema;

/** The table and storage mode of a SQL persister (`StorageModeOptions`, `segmentSteps`). */
export const SQL_TABLE_CONFIG_FIELDS = {
  tableName: { type: 'string' },
  ...STORAGE_MODE_CONFIG_FIELDS,
  segmentSteps: { type: 'number' },
} as const satisfies ConfigSchema;

/** {@link SERVER_CONFIG_FIELDS} of a key-value store reached by a connection string, with native expiry (Redis, MongoDB). */
export const EXPIRING_STORE_CONFIG_FIELDS = {
  url: { type: 'string' },
  ttlSeconds: { type: 'number' },
  ...SERVER_CONFIG_FIELDS,
} as const satisfies ConfigSchema;

/** {@link SERVER_CONFIG_FIELDS} and {@link SQL_TABLE_CONFIG_FIELDS} of a SQL server persister, and a `url` or Python's `from_values` connection values. */
export const SQL_SERVER_CONFIG_FIELDS = {
  url: { type: 'string' },
  dbName: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'number' },
  ...SQL_TABLE_CONFIG_FIELDS,
  ...SERVER_CONFIG_FIELDS,
} as const satisfies ConfigSchema;

/** The connection values of a SQL server (Python's `from_values` arguments, camelCased). */
export interface SqlServerValues {
  /** The database to connect to. */
  dbName: string;
  user: string;
  password?: string | undefined;
  host: string;
  /** Default: the server's usual port (PostgreSQL 5432, MySQL 3306). */
  port?: number | undefined;
}

/** The options that name the connection target. @inline */
type SqlServerTargetKey = 'url' | 'dbName' | 'user' | 'password' | 'host' | 'port';

/** Where a SQL server persister's config points: a `url`, or connection values; `options` holds everything else. */
export type SqlServerConfig<S extends typeof SQL_SERVER_CONFIG_FIELDS> =
  | { url: string; values?: undefined; options: Omit<ConfigValues<S>, SqlServerTargetKey> }
  | { url?: undefined; values: SqlServerValues; options: Omit<ConfigValues<S>, SqlServerTargetKey> };

/**
 * {@link readPersisterConfig} for a SQL server persister (schema built on
 * {@link SQL_SERVER_CONFIG_FIELDS}), which also requires exactly one
 * connection target: a `url`, or `dbName`, `user` and `host` (with optional
 * `password` and `port`). Throws {@link InvalidPersistArgumentError} for
 * both, or neither.
 */
export function readSqlServerConfig<const S extends typeof SQL_SERVER_CONFIG_FIELDS>(persister: string, config: unknown, schema: S): SqlServerConfig<S> {
  const { url, dbName, user, password, host, port, ...options } = readPersisterConfig(persister, config, schema) as ConfigValues<typeof SQL_SERVER_CONFIG_FIELDS>;
  const rest = options as Omit<ConfigValues<S>, SqlServerTargetKey>;
  if (url !== undefined) {
    if ([dbName, user, password, host, port].some((value) => value !== undefined)) {
      throw new InvalidPersistArgumentError(`${persister}.fromConfig(): give either "url" or dbName/user/password/host/port, not both`);
    }
    return { url, options: rest };
  }
  if (dbName === undefined || user === undefined || host === undefined) {
    throw new InvalidPersistArgumentError(`${persister}.fromConfig(): options "dbName", "user" and "host" are required (or give "url")`);
  }
  return { values: { dbName, user, password, host, port }, options: rest };
}
