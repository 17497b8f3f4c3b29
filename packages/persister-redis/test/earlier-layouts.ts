// Rewrites packed deltas the way earlier versions of the incremental layout stored them, so tests can check that
// those are still read (and mixed with packed ones).
import type { RedisKeyLayout } from '../src/index.js';
import type { testClient } from './helpers.js';
import { segmentText, writeSegment } from './segments.js';

type Admin = Awaited<ReturnType<typeof testClient>>;

/** How a delta was stored before packing: with a head in its own entry (`head`), or before heads (`bare`). */
export type EarlierDeltaForm = 'head' | 'bare';

/**
 * Takes the packed delta at `sequenceId` out of its segment and stores it as
 * `form` did: a step hash (position, status, created_at; `bare` adds every
 * full-mode field but the state, and the base), an entry in the app's index, and an entry under its
 * sequence id in the app's hash of delta states (`head`: `[position]` or
 * `[position, base sequence id, base position]`, a newline, the state;
 * `bare`: the state alone).
 */
export async function storeAsBeforePacking(admin: Admin, layout: RedisKeyLayout, appId: string, sequenceId: number, form: EarlierDeltaForm): Promise<void> {
  const deltas = layout.appDeltasKey('p', appId);
  const n = Math.floor(sequenceId / 64);
  const field = `#${n}`;
  const segment = (await segmentText(admin, layout, appId, n)) ?? '';
  const lines = segment.split('\n');
  const at = lines.findIndex((line, index) => index % 2 === 1 && line.startsWith(`[${sequenceId},`));
  if (at < 0) throw new Error(`no packed delta at ${sequenceId}`);
  const [, position, createdAt, status = 'completed', baseSequenceId = sequenceId - 1, basePosition] = JSON.parse(lines[at]!) as [
    number,
    string,
    string,
    string?,
    number?,
    string?,
  ];
  const state = lines[at + 1]!;
  lines.splice(at, 2);
  await writeSegment(admin, layout, appId, n, lines.join('\n'));
  if (lines.length <= 1) await admin.zRem(layout.appStepsKey('p', appId), field);
  // Those versions indexed every step by its sequence id.
  await admin.zAdd(layout.appStepsKey('p', appId), { score: sequenceId, value: String(sequenceId) });
  const stepKey = layout.stepKey('p', appId, sequenceId);
  await admin.hSet(stepKey, { position, status, created_at: createdAt });
  if (form === 'head') {
    const head = basePosition === undefined ? [position] : [position, baseSequenceId, basePosition];
    await admin.hSet(deltas, String(sequenceId), `${JSON.stringify(head)}\n${state}`);
    return;
  }
  const base = basePosition ?? (await admin.hGet(layout.stepKey('p', appId, baseSequenceId), 'position'));
  if (typeof base !== 'string') throw new Error(`store the base ${baseSequenceId} of ${sequenceId} as before packing first: its position is in its record`);
  await admin.hSet(stepKey, { partition_key: 'p', app_id: appId, sequence_id: String(sequenceId), base_sequence_id: String(baseSequenceId), base_position: base });
  await admin.hSet(deltas, String(sequenceId), state);
}
