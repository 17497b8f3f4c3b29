import { type BaseStatePersister, State } from '@burr/core';

/** A stored string that would run as script if the inspector put it into the page as markup. */
export const HOSTILE_TEXT = '<script>window.__inspectorPwned = 1</script><img src=x onerror="window.__inspectorPwned = 2">';

/**
 * A chat of `turns` steps in partition `ada`: `human_converse` and
 * `ai_converse` alternating, `chat_history` growing by one message a step,
 * a date, a set and NaN among the values, and the hostile string in the
 * third message. The last step is `failed` when `lastFailed`. `noNaN` for
 * backends that cannot store NaN (PostgreSQL's JSONB): step 0's ratio is then 0.
 */
export async function seedChat(
  persister: Pick<BaseStatePersister, 'save'>,
  appId: string,
  turns: number,
  options: { lastFailed?: boolean; partitionKey?: string; noNaN?: boolean } = {},
): Promise<void> {
  const history: Array<{ role: string; content: string }> = [];
  for (let sequenceId = 0; sequenceId < turns; sequenceId++) {
    const human = sequenceId % 2 === 0;
    history.push({ role: human ? 'user' : 'assistant', content: sequenceId === 2 ? HOSTILE_TEXT : `message ${sequenceId}` });
    await persister.save({
      partitionKey: options.partitionKey ?? 'ada',
      appId,
      sequenceId,
      position: human ? 'human_converse' : 'ai_converse',
      state: new State({
        chat_history: [...history],
        question: human ? `question ${sequenceId}` : `question ${sequenceId - 1}`,
        turn: sequenceId,
        started: new Date(Date.UTC(2025, 5, 1, 12, 0, 0)),
        tags: new Set(['demo']),
        ratio: sequenceId === 0 && !options.noNaN ? Number.NaN : sequenceId / 2,
      }),
      status: options.lastFailed && sequenceId === turns - 1 ? 'failed' : 'completed',
    });
  }
}

/**
 * The apps the browser scenarios (support/scenarios.ts) expect in partition
 * `ada`: chat-1 (6 steps, the last failed), chat-2 (3) and `x<b>bold</b>` (1),
 * saved in that order.
 */
export async function seedScenarioApps(persister: Pick<BaseStatePersister, 'save'>, options: { noNaN?: boolean } = {}): Promise<void> {
  await seedChat(persister, 'chat-1', 6, { ...options, lastFailed: true });
  await seedChat(persister, 'chat-2', 3, options);
  await seedChat(persister, 'x<b>bold</b>', 1, options);
}

/** The chatbot's graph (examples/chatbot), for pages that show one. */
export const CHAT_GRAPH = {
  entrypoint: 'human_converse',
  actions: ['human_converse', 'ai_converse', 'terminal'].map((name) => ({
    name,
    kind: 'single-step' as const,
    reads: [],
    writes: [],
    inputs: [],
    optionalInputs: [],
    streaming: false,
  })),
  transitions: [
    { from: 'human_converse', to: 'terminal', condition: 'question == "exit"' },
    { from: 'human_converse', to: 'ai_converse', condition: 'default' },
    { from: 'ai_converse', to: 'human_converse', condition: 'default' },
    { from: 'terminal', to: 'human_converse', condition: 'default' },
  ],
};
