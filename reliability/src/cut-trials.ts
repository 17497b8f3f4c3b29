import { randomBytes } from 'node:crypto';
import { PersisterUnavailableError } from '@burr/core';
import { runConnectionStorm } from '@burr/testkit';
import { openPersister, type BackendSpec } from './backend-spec.js';
import { buildCounterApp } from './counter-app.js';
import { checkStoredChain, type StoredChainReport } from './crash-trials.js';

/** Server backends whose connections a trial can cut from the server side. */
export type CuttableSpec = Extract<BackendSpec, { backend: 'pg' | 'redis' }>;

/** What a storm of cuts found on one backend. */
export interface CutTrialReport extends StoredChainReport {
  cuts: number;
  stepsSaved: number;
  /** Failed steps, all of which must be `PersisterUnavailableError`. */
  failedSteps: number;
  /** Failed steps with any other error: each one a bug. */
  untypedFailures: number;
  /** Rejections nobody handled: each one would have ended the process. */
  unhandled: number;
}

/**
 * Runs the counter app for `durationMs` while its persister's connections are
 * terminated from the server every 1-15 ms (`pg_terminate_backend`,
 * `CLIENT KILL`, aimed at this persister's connections only), then checks the
 * stored chain like the crash trials do.
 */
export async function runCutTrial(spec: CuttableSpec, durationMs: number): Promise<CutTrialReport> {
  const named = { ...spec, connectionName: `burr_reliability_${randomBytes(4).toString('hex')}` };
  const persister = await openPersister(named);
  const cutter = await openCutter(named);
  try {
    const app = await buildCounterApp(persister);
    const storm = await runConnectionStorm({ app, cut: cutter.cut, durationMs });
    const report: CutTrialReport = {
      cuts: storm.cuts,
      stepsSaved: storm.stepsSaved,
      failedSteps: storm.failures.length,
      untypedFailures: storm.failures.filter((error) => !(error instanceof PersisterUnavailableError)).length,
      unhandled: storm.unhandled.length,
      lost: 0,
      duplicated: 0,
      gaps: 0,
      inconsistent: 0,
      problems: storm.recovered ? [] : ['the app did not carry on after the storm'],
    };
    // The app saw steps 0..stepsSaved-1 saved, each adding one to the count.
    const acknowledged = new Map(Array.from({ length: storm.stepsSaved }, (_, sequenceId) => [sequenceId, sequenceId + 1] as const));
    await checkStoredChain(named, acknowledged, report);
    return report;
  } finally {
    await persister.cleanup();
    await cutter.close();
  }
}

interface Cutter {
  cut(): Promise<number>;
  close(): Promise<void>;
}

async function openCutter(spec: CuttableSpec & { connectionName: string }): Promise<Cutter> {
  if (spec.backend === 'pg') {
    const { default: postgres } = await import('postgres');
    const admin = postgres(spec.url, { max: 1, onnotice: () => {} });
    return {
      cut: async () => {
        const rows = await admin`SELECT count(pg_terminate_backend(pid))::int AS cut FROM pg_stat_activity WHERE application_name = ${spec.connectionName}`;
        return Number(rows[0]?.cut ?? 0);
      },
      close: () => admin.end({ timeout: 5 }),
    };
  }
  const { createClient } = await import('redis');
  const admin = createClient({ url: spec.url });
  await admin.connect();
  return {
    cut: async () => {
      const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
      const ids = list
        .split('\n')
        .filter((line) => line.includes(` name=${spec.connectionName} `))
        .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined);
      let cut = 0;
      for (const id of ids) cut += Number(await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]).catch(() => 0));
      return cut;
    },
    close: async () => void admin.destroy(),
  };
}
