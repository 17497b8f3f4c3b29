/**
 * Save, load latest, load by sequence id (per payload size) and listAppIds:
 * floor vs floor + plain JSON vs Burr vs peer on one backend.
 */
import type { BaseStatePersister } from '@burr/core';
import type { BackendSession } from '../backends/types.js';
import { makePayload, type ChatState, type Payload } from '../payload.js';
import { isPeerAvailable, type PeerCheckpointer, type PeerUnavailable } from '../peer.js';
import type { Row } from '../rows.js';
import { measureTogether, type Budget, type Operation, type Stats } from '../timing.js';

const PARTITION = 'bench';

/** Rows for one payload size. */
export async function payloadRows(backend: string, session: BackendSession, payload: Payload, budget: Budget): Promise<Row[]> {
  const { floor, persister, peer } = session;
  const tag = payload.label.replace(' ', '');
  const floorApp = `floor-${tag}`;
  const floorJsonApp = `floorjson-${tag}`;
  const burrApp = `burr-${tag}`;
  const peerThread = `peer-${tag}`;
  const floorSeqs: number[] = [];
  const burrSeqs: number[] = [];
  type Cells = Pick<Row, 'floor' | 'floorJson' | 'burr' | 'peer'>;
  const row = (operation: string, cells: Cells): Row => ({ section: 'payload', backend, operation, size: payload.label, ...cells });

  const peerOps = (op: Operation): Operation[] => (isPeerAvailable(peer) ? [op] : []);
  const cells = ([f, fj, b, p]: Stats[]): Cells => ({ floor: f, floorJson: fj, burr: b, peer: p ?? (peer as PeerUnavailable) });

  // The "driver + JSON" contender encodes the state's values with plain JSON.stringify in each call: the text Burr writes
  // for this state (no tagged values, no Python tokens), so it is the lower bound of any persister that stores JSON.
  const plain = payload.state.getAll();
  if (JSON.stringify(plain) !== payload.json) throw new Error(`${payload.label}: JSON.stringify of the state differs from encodeState's text`);
  const save = cells(
    await measureTogether(
      [
        async (seq) => {
          floorSeqs.push(seq);
          await floor.insert({ partitionKey: PARTITION, appId: floorApp, sequenceId: seq, position: 'respond', status: 'completed', state: payload.json });
        },
        (seq) => floor.insert({ partitionKey: PARTITION, appId: floorJsonApp, sequenceId: seq, position: 'respond', status: 'completed', state: JSON.stringify(plain) }),
        async (seq) => {
          burrSeqs.push(seq);
          await persister.save({ partitionKey: PARTITION, appId: burrApp, sequenceId: seq, position: 'respond', status: 'completed', state: payload.state });
        },
        ...peerOps(() => (peer as PeerCheckpointer).put(peerThread, payload.values)),
      ],
      budget,
    ),
  );

  await assertLoads(persister, burrApp, payload);
  const floorMessages = (JSON.parse(floor.stateText(await floor.selectLatest(PARTITION, floorApp))) as ChatState).messages;
  if (floorMessages?.length !== payload.values.messages.length) throw new Error(`${backend}: the floor's stateText did not return the saved state`);
  const loadLatest = cells(
    await measureTogether(
      [
        () => floor.selectLatest(PARTITION, floorApp),
        async () => JSON.parse(floor.stateText(await floor.selectLatest(PARTITION, floorApp))),
        () => persister.load(PARTITION, burrApp),
        ...peerOps(() => (peer as PeerCheckpointer).getLatest(peerThread)),
      ],
      budget,
    ),
  );

  const pick = (seqs: number[], n: number) => seqs[(n * 7919) % seqs.length]!;
  const loadAt = cells(
    await measureTogether(
      [
        (n) => floor.selectAtSequence(PARTITION, floorApp, pick(floorSeqs, n)),
        async (n) => JSON.parse(floor.stateText(await floor.selectAtSequence(PARTITION, floorApp, pick(floorSeqs, n)))),
        (n) => persister.load(PARTITION, burrApp, pick(burrSeqs, n)),
        ...peerOps((n) => peerAtStep(peer as PeerCheckpointer, peerThread, n)),
      ],
      budget,
    ),
  );

  return [row('save', save), row('load latest', loadLatest), row('load by sequence id', loadAt)];
}

/** listAppIds on a partition of 50 apps (2 steps each), against the floor's GROUP BY / sorted-set read. */
export async function listAppIdsRow(backend: string, session: BackendSession, budget: Budget): Promise<Row> {
  const { floor, persister } = session;
  const partition = 'bench-list';
  const small = makePayload('1 KB', 1024);
  for (let app = 0; app < 50; app++) {
    for (let seq = 0; seq < 2; seq++) {
      const appId = `list-${app}`;
      await floor.insert({ partitionKey: partition, appId, sequenceId: seq, position: 'respond', status: 'completed', state: small.json });
      await persister.save({ partitionKey: partition, appId, sequenceId: seq, position: 'respond', status: 'completed', state: small.state });
    }
  }
  const ids = await persister.listAppIds(partition);
  if (ids.length !== 50) throw new Error(`${backend}: listAppIds returned ${ids.length} ids, expected 50`);
  const [floorStats, burrStats] = await measureTogether([() => floor.selectAppIds(partition), () => persister.listAppIds(partition)], budget);
  return {
    section: 'payload',
    backend,
    operation: 'listAppIds (50 apps)',
    size: '—',
    floor: floorStats,
    burr: burrStats,
    peer: { unavailable: 'no equivalent (checkpointers list checkpoints, not threads)' },
  };
}

async function peerAtStep(peer: PeerCheckpointer, thread: string, n: number): Promise<unknown> {
  return peer.getAtStep(thread, (n * 7919) % peer.stepCount(thread));
}

/** A load that returned the wrong thing would make every number meaningless: check once, untimed. */
async function assertLoads(persister: BaseStatePersister, appId: string, payload: Payload): Promise<void> {
  const loaded = await persister.load(PARTITION, appId);
  const messages = loaded?.state.getAll().messages;
  if (!Array.isArray(messages) || messages.length !== payload.values.messages.length) {
    throw new Error(`load(${appId}) did not return the saved state`);
  }
}
