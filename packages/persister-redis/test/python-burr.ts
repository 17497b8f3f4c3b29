// Python Burr's RedisBasePersister, its reads and writes spelled with raw commands (no Python Redis client here):
// save = HSET of the seven fields, then ZADD of the partition set (no GT); load = ZSCORE, int(), HGETALL;
// list_app_ids = ZREVRANGE of the partition set.
import type { testClient } from './helpers.js';

type Client = Awaited<ReturnType<typeof testClient>>;

/** Python's `datetime.now(timezone.utc).isoformat()`: microseconds, `+00:00`. */
export function pythonIsoformat(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000+00:00`;
}

/** Where Python Burr keys a partition: `namespace:partition`, or the partition key alone. */
export function pythonPartitionKey(namespace: string, partitionKey: string): string {
  return namespace ? `${namespace}:${partitionKey}` : partitionKey;
}

export interface PythonStep {
  partitionKey: string;
  appId: string;
  sequenceId: number;
  position?: string;
  /** JSON text, as Python's `json.dumps(state.serialize())`. */
  state?: string;
  status?: 'completed' | 'failed';
  createdAt?: Date;
}

/** Writes one step as Python Burr's `save()` does. */
export async function pythonSave(client: Client, namespace: string, step: PythonStep): Promise<void> {
  const { partitionKey, appId, sequenceId } = step;
  const partition = pythonPartitionKey(namespace, partitionKey);
  await client.hSet(`${partition}:${appId}:${sequenceId}`, {
    partition_key: partitionKey,
    app_id: appId,
    sequence_id: String(sequenceId),
    position: step.position ?? `step${sequenceId}`,
    state: step.state ?? `{"n": ${sequenceId}, "__SEQUENCE_ID": ${sequenceId}}`,
    status: step.status ?? 'completed',
    created_at: pythonIsoformat(step.createdAt ?? new Date()),
  });
  await client.zAdd(partition, { score: sequenceId, value: appId });
}

/** Writes `count` steps of one app from sequence id `from`, many commands in flight at once (node-redis pipelines them). */
export async function pythonSaveMany(client: Client, namespace: string, step: Omit<PythonStep, 'sequenceId'> & { from?: number; count: number }): Promise<void> {
  const { from = 0, count, ...rest } = step;
  const ids = Array.from({ length: count }, (_, i) => from + i);
  for (let i = 0; i < ids.length; i += 1000) await Promise.all(ids.slice(i, i + 1000).map((sequenceId) => pythonSave(client, namespace, { ...rest, sequenceId })));
}

/** What Python Burr's `load()` returns: `null`, or the hash's fields plus the sequence id it read. */
export async function pythonLoad(client: Client, namespace: string, partitionKey: string, appId: string, sequenceId?: number): Promise<Record<string, string> | null> {
  const partition = pythonPartitionKey(namespace, partitionKey);
  let id = sequenceId;
  if (id === undefined) {
    const score = await client.zScore(partition, appId);
    if (score === null) return null;
    id = Math.trunc(score);
  }
  const data = await client.hGetAll(`${partition}:${appId}:${id}`);
  return Object.keys(data).length === 0 ? null : { ...data, loaded_sequence_id: String(id) };
}

/** Python Burr's `list_app_ids()`. */
export function pythonListAppIds(client: Client, namespace: string, partitionKey: string): Promise<string[]> {
  return client.zRange(pythonPartitionKey(namespace, partitionKey), 0, -1, { REV: true });
}
