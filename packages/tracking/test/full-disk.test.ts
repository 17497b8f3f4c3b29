// A log line cut short by a full disk (a real one: a 64 KiB tmpfs) is closed before the next line is written, so
// the next step's lines stay whole and loadable. Mounting needs root and a kernel that lets this sandbox mount;
// without them the case is skipped saying why.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApplicationGraph, State } from '@burr/core';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTrackingClient } from '../src/index.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'burr-tracking-full-disk-'));
const mounted = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mounting a 64 KiB tmpfs needs root and mount (${String((error as { stderr?: unknown }).stderr ?? error).trim() || 'refused'})`;
  }
})();
afterAll(() => {
  if (mounted === null) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

const GRAPH: ApplicationGraph = {
  entrypoint: 'count',
  actions: [{ name: 'count', kind: 'single-step', reads: [], writes: [], inputs: [], optionalInputs: [], streaming: false }],
  transitions: [],
};

(mounted === null ? describe : describe.skip)(`tracking on a disk that fills up${mounted === null ? '' : ` [skipped: ${mounted}]`}`, () => {
  it('closes the line a failed append cut short, so the next step is written whole and loads', async () => {
    const tracker = new LocalTrackingClient({ project: 'full', storageDir: mountPoint });
    await tracker.postApplicationCreate({ appId: 'app', partitionKey: null, graph: GRAPH, parentPointer: null, state: new State({}) });
    // The hooks as the runner calls them around a step.
    const step = async (sequenceId: number, values: Record<string, unknown>) => {
      const where = { appId: 'app', partitionKey: null, sequenceId, action: 'count' };
      await tracker.preRunStep({ ...where, state: new State({}), inputs: {} });
      await tracker.postRunStep({ ...where, state: new State(values), result: null, error: null });
    };
    await step(0, { count: 0 });
    // Fill the disk but for a few KiB, then log a step far larger: its end_entry is written in part, then ENOSPC.
    const filler = join(mountPoint, 'filler');
    const logFile = join(tracker.appDir('app'), 'log.jsonl');
    writeFileSync(filler, Buffer.alloc(64 * 1024 - readFileSync(logFile).length - 16 * 1024));
    await expect(step(1, { count: 1, big: 'x'.repeat(40_000) })).rejects.toMatchObject({ code: 'ENOSPC' });
    unlinkSync(filler);
    await step(2, { count: 2 });
    await tracker.flush();

    const lines = readFileSync(logFile, 'utf8').split('\n');
    const parsed = lines
      .filter((line) => line !== '')
      .map((line) => {
        try {
          return (JSON.parse(line) as { type: string; sequence_id: number }).type + (JSON.parse(line) as { sequence_id: number }).sequence_id;
        } catch {
          return 'cut';
        }
      });
    expect(parsed).toEqual(['begin_entry0', 'end_entry0', 'begin_entry1', 'cut', 'begin_entry2', 'end_entry2']);
    const loaded = await new LocalTrackingClient({ project: 'full', storageDir: mountPoint }).load(null, 'app');
    expect([loaded?.sequenceId, loaded?.state.get('count')]).toEqual([2, 2]);
  });
});
