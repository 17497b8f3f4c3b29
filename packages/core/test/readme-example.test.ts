import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// README:import
import { ApplicationBuilder, InMemoryPersister, Result, State, action, expr, when } from '@burr/core';

/** The README's example, run as it is written; the test below checks the README shows exactly this code. */
async function readmeExample() {
  // README:start
  type Counter = { count: number; history: string[] }; // the state's shape, checked everywhere below

  const s = new State<Counter>({ count: 0, history: [] });
  const next = s.increment({ count: 1 }).append({ history: 'hi' }); // s itself is unchanged

  const counter = action({
    reads: ['count'],
    writes: ['count'],
    run: (state: State<Counter>) => state.update({ count: state.get('count') + 1 }), // get('count') is a number
  });

  const persister = new InMemoryPersister(); // or SQLitePersister, PostgreSQLPersister...
  await persister.initialize();

  const app = await new ApplicationBuilder<Counter>()
    .withActions({ counter, done: new Result('count') })
    .withTransitions(['counter', 'counter', expr((state) => state.get('count') < 3)], ['counter', 'done', when({ count: 3 })])
    .initializeFrom(persister, { defaultState: { count: 0, history: [] }, defaultEntrypoint: 'counter', resumeAtNextAction: true })
    .withStatePersister(persister)
    .withIdentifiers({ appId: 'app-1', partitionKey: 'user-1' })
    .build();

  const { action: last, result } = await app.run({ haltAfter: ['done'] }); // 'done', { count: 3 }
  const saved = await persister.load('user-1', 'app-1'); // sequenceId 3, position 'done'
  // README:end
  return { s, next, last, result, saved, persister };
}

/** The fenced ```ts block of the package README. */
function readmeCode(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('packages/core/README.md has no ```ts block');
  return match[1];
}

/** This file's example: the import line, a blank line, then the body between the markers without its indentation. */
function exampleCode(): string {
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const importLine = /\/\/ README:import\n(.*)\n/.exec(source)?.[1];
  const body = /\/\/ README:start\n([\s\S]*?)\n\s*\/\/ README:end/.exec(source)?.[1];
  if (!importLine || !body) throw new Error('README markers missing');
  return `${importLine}\n\n${body.replace(/^ {2}/gm, '')}\n`;
}

describe('packages/core/README.md example', () => {
  it('is the code this test runs', () => {
    expect(readmeCode()).toBe(exampleCode());
  });

  it('does what its comments say', async () => {
    const { s, next, last, result, saved, persister } = await readmeExample();
    expect(s.getAll()).toEqual({ count: 0, history: [] });
    expect(saved?.state.getAll()).toMatchObject({ count: 3, history: [] });
    expect(next.getAll()).toEqual({ count: 1, history: ['hi'] });
    expect(last).toBe('done');
    expect(result).toEqual({ count: 3 });
    expect(saved?.sequenceId).toBe(3);
    expect(saved?.position).toBe('done');
    expect(saved?.partitionKey).toBe('user-1');
    expect(saved?.state.get('count')).toBe(3);
    expect(await persister.listAppIds('user-1')).toEqual(['app-1']);
  });
});
