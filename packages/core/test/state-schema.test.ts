/**
 * withSchema: any Standard Schema validator (zod and valibot here, dev
 * dependencies only) checks the default state and every loaded state, and
 * a stored state that does not match fails build() with a typed error naming
 * the app, the partition, the sequence id and the key path.
 */
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  action,
  ApplicationBuildError,
  ApplicationBuilder,
  BurrError,
  InMemoryPersister,
  loadValidatedState,
  PRIOR_STEP_KEY,
  Result,
  SEQUENCE_ID_KEY,
  State,
  StateValidationError,
  validateState,
  type StandardSchemaV1,
} from '@burr/core';

const ZodChat = z.object({
  history: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() })),
  turns: z.number().int(),
});
const ValibotChat = v.object({
  history: v.array(v.object({ role: v.picklist(['user', 'assistant']), content: v.string() })),
  turns: v.pipe(v.number(), v.integer()),
});
type Chat = z.infer<typeof ZodChat>;

const say = action({
  reads: ['history', 'turns'],
  writes: ['history', 'turns'],
  inputs: ['text'],
  run: (state: State<Chat>, inputs) => state.append({ history: { role: 'user', content: String(inputs.text) } }).increment({ turns: 1 }),
});

async function newPersister(): Promise<InMemoryPersister> {
  const persister = new InMemoryPersister();
  await persister.initialize();
  return persister;
}

/** Saves a step as another program would: any state, no schema. */
async function saveRaw(persister: InMemoryPersister, appId: string, sequenceId: number, values: Record<string, unknown>, partitionKey: string | null = 'user-1') {
  await persister.save({ partitionKey, appId, sequenceId, position: 'say', status: 'completed', state: new State(values) });
}

async function buildError(promise: Promise<unknown>): Promise<StateValidationError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StateValidationError);
  return error as StateValidationError;
}

for (const [library, schema] of [
  ['zod', ZodChat],
  ['valibot', ValibotChat],
] as const) {
  describe(`withSchema with ${library}`, () => {
    const chatApp = (persister: InMemoryPersister, appId: string) =>
      new ApplicationBuilder()
        .withSchema(schema as StandardSchemaV1<unknown, Chat>)
        .withActions({ say, end: new Result('turns') })
        .withTransitions(['say', 'say'])
        .initializeFrom(persister, { defaultEntrypoint: 'say', defaultState: { history: [], turns: 0 } })
        .withIdentifiers({ appId, partitionKey: 'user-1' })
        .withStatePersister(persister);

    it('checks the default state, and the app runs typed', async () => {
      const app = await chatApp(await newPersister(), 'fresh').build();
      await app.step({ inputs: { text: 'hi' } });
      expect(app.state.get('turns')).toBe(1);
      expect(app.state.get('history')).toEqual([{ role: 'user', content: 'hi' }]);
    });

    it('a default state that does not match fails build() naming the key path, with no sequence id', async () => {
      const builder = new ApplicationBuilder()
        .withSchema(schema)
        .withActions({ say })
        .withState({ history: [{ role: 'robot', content: 'beep' }], turns: 0 } as unknown as Chat)
        .withEntrypoint('say')
        .withIdentifiers({ appId: 'bad-default' });
      const error = await buildError(builder.build());
      expect(error.sequenceId).toBeNull();
      expect(error.appId).toBe('bad-default');
      expect(error.issues.map((issue) => issue.keyPath)).toEqual([['history', 0, 'role']]);
      expect(error.message).toMatch(/^The default state of app "bad-default" does not match the schema: history\[0\]\.role: /);
    });

    it('validates a loaded state and resumes from it, hidden keys kept', async () => {
      const persister = await newPersister();
      await saveRaw(persister, 'stored', 4, { history: [{ role: 'assistant', content: 'hello' }], turns: 4, [SEQUENCE_ID_KEY]: 4, [PRIOR_STEP_KEY]: 'say' });
      const app = await chatApp(persister, 'stored').build();
      expect(app.sequenceId).toBe(4);
      expect(app.state.get(PRIOR_STEP_KEY)).toBe('say');
      await app.step({ inputs: { text: 'again' } });
      expect(app.sequenceId).toBe(5);
      expect(app.state.get('turns')).toBe(5);
    });

    it('a stored state that fails validation fails build() with the app, partition, sequence id and every key path', async () => {
      const persister = await newPersister();
      await saveRaw(persister, 'corrupt', 0, { history: [], turns: 0 });
      await saveRaw(persister, 'corrupt', 1, { history: [{ role: 'user' }, { role: 'bot', content: 'x' }], turns: 'one' });
      const error = await buildError(chatApp(persister, 'corrupt').build());
      expect(error).toBeInstanceOf(BurrError);
      expect(error.code).toBe('BURR_STATE_VALIDATION');
      expect([error.appId, error.partitionKey, error.sequenceId]).toEqual(['corrupt', 'user-1', 1]);
      expect(error.issues.map((issue) => issue.keyPath)).toEqual(expect.arrayContaining([['history', 0, 'content'], ['history', 1, 'role'], ['turns']]));
      expect(error.message).toMatch(/^The state of app "corrupt" \(partition "user-1"\) saved at sequence id 1 does not match the schema: /);
      expect(error.message).toContain('history[0].content: ');
      // Nothing was written by the failed build: the stored step is as it was.
      expect((await persister.load('user-1', 'corrupt'))?.state.get('turns')).toBe('one');
    });

    it('loadValidatedState reads a step typed by the schema, and refuses one that does not match', async () => {
      const persister = await newPersister();
      await saveRaw(persister, 'direct', 0, { history: [], turns: 3, [SEQUENCE_ID_KEY]: 0 });
      await saveRaw(persister, 'direct', 1, { history: 'not a list', turns: 3 });
      const good = await loadValidatedState(persister, schema, 'user-1', 'direct', 0);
      expectTypeOf(good!.state.get('turns')).toEqualTypeOf<number>();
      expect(good?.state.get('turns')).toBe(3);
      expect(good?.state.get(SEQUENCE_ID_KEY)).toBe(0);
      const error = await buildError(loadValidatedState(persister, schema, 'user-1', 'direct'));
      expect([error.sequenceId, error.issues[0]?.keyPath]).toEqual([1, ['history']]);
      expect(await loadValidatedState(persister, schema, 'user-1', 'nobody')).toBeNull();
    });
  });
}

describe('withSchema', () => {
  it('takes the state type from the schema', async () => {
    const app = await new ApplicationBuilder().withSchema(ZodChat).withActions({ say }).withState({ history: [], turns: 0 }).withEntrypoint('say').build();
    expectTypeOf(app.state.get('history')).toEqualTypeOf<Chat['history']>();
    // @ts-expect-error the schema has no such key
    expect(() => app.state.get('missing')).toThrow();
  });

  it("starts from the schema's output: defaults fill what an older app never wrote, transforms apply", async () => {
    const persister = await newPersister();
    await saveRaw(persister, 'old-app', 0, { history: [], turns: '7' });
    const Migrated = z.object({
      history: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() })),
      turns: z.coerce.number(),
      mood: z.string().default('calm'),
    });
    const app = await new ApplicationBuilder()
      .withSchema(Migrated)
      .withActions({ say })
      .initializeFrom(persister, { defaultEntrypoint: 'say' })
      .withIdentifiers({ appId: 'old-app', partitionKey: 'user-1' })
      .build();
    expect(app.state.getAll()).toEqual({ history: [], turns: 7, [SEQUENCE_ID_KEY]: 0, mood: 'calm' });
    const mood: string = app.state.get('mood');
    expect(mood).toBe('calm');
  });

  it('accepts an async validator', async () => {
    const slow: StandardSchemaV1<unknown, { n: number }> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          const n = (value as { n?: unknown }).n;
          return typeof n === 'number' ? { value: { n } } : { issues: [{ message: 'n must be a number', path: [{ key: 'n' }] }] };
        },
      },
    };
    const error = await buildError(validateState(slow, new State({ n: 'x' }), { appId: 'a', partitionKey: null, sequenceId: 2 }));
    expect(error.message).toBe('The state of app "a" saved at sequence id 2 does not match the schema: n: n must be a number');
    expect((await validateState(slow, new State({ n: 1, [SEQUENCE_ID_KEY]: 2 }), { appId: 'a', partitionKey: null, sequenceId: 2 })).getAll()).toEqual({
      n: 1,
      [SEQUENCE_ID_KEY]: 2,
    });
  });

  it('lists at most five issues in the message, all of them in `issues`', async () => {
    const many = z.object(Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, z.string()])));
    const error = await buildError(validateState(many, new State({}), { appId: 'a', partitionKey: null, sequenceId: null }));
    expect(error.issues).toHaveLength(7);
    expect(error.message).toMatch(/k4: [^;]+; and 2 more$/);
  });

  it('refuses something that is not a Standard Schema', async () => {
    const builder = new ApplicationBuilder()
      .withSchema({} as StandardSchemaV1)
      .withActions({ say })
      .withEntrypoint('say');
    await expect(builder.build()).rejects.toThrow(ApplicationBuildError);
    await expect(builder.build()).rejects.toThrow(/Standard Schema/);
  });
});
