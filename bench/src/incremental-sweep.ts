/**
 * Chooses the defaults of `snapshotEvery` and `snapshotBytes` from numbers:
 * runs the chat (2,000 and 10,000 steps) and the tool-calling agent (500
 * steps) in incremental mode under every candidate policy, all advancing
 * together on stores of their own, and prints save times, load of the
 * latest step and bytes stored per policy.
 *
 *   tsx src/incremental-sweep.ts [--only sqlite|pg] [--quick]
 */
import { formatMs } from './report.js';
import { burrContender, runWorkload, saveAt, type Contender, type WorkloadRun } from './scenarios/incremental.js';
import { postgresStores, sqliteStores, type IncrementalStores } from './scenarios/incremental-stores.js';
import { agentWorkload, chatWorkload, type Workload } from './scenarios/incremental-workloads.js';

const EVERY = [100, 1000, 10_000];
const BYTES = [64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const quick = args.includes('--quick');
const log = (message: string) => process.stderr.write(`[sweep ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

const label = (every: number, bytes: number) => `every ${every}, bytes ${bytes / 1024} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

async function sweep(stores: IncrementalStores, workload: Workload, steps: number): Promise<WorkloadRun> {
  const contenders: Contender[] = [];
  for (const every of EVERY)
    for (const bytes of BYTES) contenders.push(await burrContender(stores, label(every, bytes), { storage: 'incremental', snapshotEvery: every, snapshotBytes: bytes }));
  try {
    return await runWorkload(stores.label, workload, steps, contenders);
  } finally {
    for (const contender of contenders) await contender.close();
  }
}

function print(run: WorkloadRun): void {
  const steps = [1, Math.round(run.steps / 2), run.steps];
  const lines = [
    `### ${run.backend}, ${run.workload}, ${run.steps.toLocaleString('en-US')} steps (changed: ${mib(run.changedBytes)})`,
    '',
    `| policy | ${steps.map((step) => `save at ${step}`).join(' | ')} | whole run | load latest | stored | stored/changed |`,
    `|---|${steps.map(() => '---').join('|')}|---|---|---|---|`,
  ];
  for (const contender of run.contenders) {
    const whole = contender.saveMs.reduce((total, ms) => total + ms, 0);
    lines.push(
      `| ${contender.name} | ${steps.map((step) => formatMs(saveAt(contender, step).medianMs)).join(' | ')} | ${formatMs(whole)} | ${formatMs(contender.load.medianMs)} | ${mib(contender.bytes)} | ${(contender.bytes / run.changedBytes).toFixed(2)}x |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

async function main(): Promise<void> {
  const backends: Array<[string, () => Promise<IncrementalStores | { skip: string }>]> = [
    ['sqlite', async () => sqliteStores()],
    ['pg', postgresStores],
  ];
  const workloads: Array<[Workload, number]> = quick
    ? [
        [chatWorkload, 1000],
        [agentWorkload, 200],
      ]
    : [
        [chatWorkload, 2000],
        [chatWorkload, 10_000],
        [agentWorkload, 500],
      ];
  for (const [id, open] of backends) {
    if (only && only !== id) continue;
    const stores = await open();
    if ('skip' in stores) {
      log(`${id} skipped: ${stores.skip}`);
      continue;
    }
    try {
      for (const [workload, steps] of workloads) {
        log(`${stores.label}: ${workload.name}, ${steps} steps, ${EVERY.length * BYTES.length} policies`);
        print(await sweep(stores, workload, steps));
      }
    } finally {
      await stores.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
