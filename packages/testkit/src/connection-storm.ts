import type { Application } from '@burr/core';

/** Options of {@link runConnectionStorm}. */
export interface ConnectionStormOptions {
  /** An application saving to the persister whose connections `cut` terminates. */
  app: Application;
  /** Terminates the persister's connections from the server side; returns how many it cut. */
  cut(): Promise<number>;
  /** How long the storm lasts. */
  durationMs: number;
  /** Steps that must succeed after the storm, showing the same application carries on. Default 3. */
  calmSteps?: number | undefined;
  /** Pause after a failed step, as a real caller would back off while the driver reconnects. Default 5 ms. */
  backoffMs?: number | undefined;
}

/** What a storm did. */
export interface ConnectionStormReport {
  /** Connections cut. */
  cuts: number;
  /** Steps that returned (their save succeeded), storm and calm together. */
  stepsSaved: number;
  /** Errors of the steps that failed; the caller checks their type. */
  failures: unknown[];
  /** Promise rejections nobody handled while the storm ran: each one would end a real process. */
  unhandled: unknown[];
  /** Whether the calm steps after the storm all succeeded within a bounded number of attempts. */
  recovered: boolean;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Steps `app` while its persister's connections are cut every 1-15 ms, then
 * asks for a few more steps once the storm is over. A failed step is retried
 * by the next `step()` (the runner saves the same record again, and saves
 * are idempotent), so the stored steps must stay contiguous; the caller
 * checks that, and the type of every failure.
 */
export async function runConnectionStorm(options: ConnectionStormOptions): Promise<ConnectionStormReport> {
  const { app, cut, durationMs, calmSteps = 3, backoffMs = 5 } = options;
  const report: ConnectionStormReport = { cuts: 0, stepsSaved: 0, failures: [], unhandled: [], recovered: false };
  const onUnhandled = (reason: unknown) => report.unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    let storming = true;
    const storm = (async () => {
      while (storming) {
        report.cuts += await cut();
        await pause(1 + Math.floor(Math.random() * 15));
      }
    })();
    const until = performance.now() + durationMs;
    try {
      while (performance.now() < until) await stepOnce(app, report, backoffMs);
    } finally {
      storming = false;
      await storm;
    }
    // A backend cut in the storm's last moments may fail one more call per pooled connection: allow a few.
    let calm = 0;
    for (let attempt = 0; calm < calmSteps && attempt < calmSteps + 20; attempt++) {
      if (await stepOnce(app, report, backoffMs * 10)) calm += 1;
    }
    report.recovered = calm === calmSteps;
    // Late rejections from the last cut surface within a few turns.
    await pause(100);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return report;
}

async function stepOnce(app: Application, report: ConnectionStormReport, backoffMs: number): Promise<boolean> {
  try {
    await app.step();
    report.stepsSaved += 1;
    return true;
  } catch (error) {
    report.failures.push(error);
    await pause(backoffMs);
    return false;
  }
}
