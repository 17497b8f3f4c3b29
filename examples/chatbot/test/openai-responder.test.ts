import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQLitePersister } from '@burr/persister-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatEnv, closedPort, printedAppId, runChatbot, startChatbot } from './run-built-chatbot.js';

interface ReceivedRequest {
  path: string;
  authorization: string | undefined;
  body: { model: string; messages: Array<{ role: string; content: string }> };
}

/**
 * A local OpenAI-compatible server (real HTTP on 127.0.0.1): it answers each
 * request with the next queued reply, after its `delayMs` if any, and
 * records what it was sent.
 */
function startCompletionsServer() {
  const replies: Array<{ status: number; body: unknown; delayMs?: number }> = [];
  const received: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer(async (request: IncomingMessage, response) => {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    received.push({ path: request.url ?? '', authorization: request.headers.authorization, body: JSON.parse(text) as ReceivedRequest['body'] });
    const reply = replies.shift() ?? { status: 500, body: { error: { message: 'no reply queued' } } };
    const answer = () => {
      if (!response.destroyed) response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    };
    if (reply.delayMs === undefined) return answer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer();
    }, reply.delayMs);
    timers.add(timer);
  });
  return {
    replies,
    received,
    /** Resolves once `count` requests have arrived; gives up after 10 s. */
    async waitForRequests(count: number): Promise<void> {
      for (let waited = 0; received.length < count; waited += 20) {
        if (waited > 10_000) throw new Error(`Only ${received.length} of ${count} requests arrived`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the built chatbot with an OpenAI-compatible API', () => {
  const api = startCompletionsServer();
  let baseUrl: string;
  let dir: string;
  let dbPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'burr-chatbot-openai-'));
    dbPath = join(dir, 'chat.db');
    baseUrl = await api.listen();
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => chatEnv({ OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: baseUrl, OPENAI_MODEL: 'tiny-model' });

  it('an API error is a clear message, the step is saved as failed, and resuming retries it', async () => {
    api.replies.push({ status: 401, body: { error: { message: 'Incorrect API key provided: sk-test-key' } } });
    const failed = await runChatbot(['--db', dbPath, '--partition-key', 'bob'], ['hello model', 'never read'], env());
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('replies by tiny-model at http://127.0.0.1:');
    expect(failed.stderr).toContain(`The reply failed: ${baseUrl}/chat/completions answered HTTP 401: Incorrect API key provided: sk-test-key`);
    expect(failed.stderr).toContain('That step is saved as failed; nothing you wrote is lost.');
    const appId = printedAppId(failed.stdout);
    expect(failed.stderr).toContain(`Resume (the reply is retried first): pnpm chatbot --db ${dbPath} --partition-key bob --app-id ${appId}`);

    const request = api.received[0];
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.authorization).toBe('Bearer sk-test-key');
    expect(request?.body.model).toBe('tiny-model');
    expect(request?.body.messages.at(-1)).toEqual({ role: 'user', content: 'hello model' });

    {
      await using persister = SQLitePersister.fromValues({ dbPath });
      const latest = await persister.load('bob', appId);
      expect(latest).toMatchObject({ sequenceId: 1, position: 'ai_converse', status: 'failed' });
      expect(latest?.state.get('chat_history')).toEqual([{ role: 'user', content: 'hello model' }]);
    }

    api.replies.push({ status: 200, body: { choices: [{ message: { role: 'assistant', content: 'Hello from the model!' } }] } });
    const resumed = await runChatbot(['--db', dbPath, '--partition-key', 'bob', '--app-id', appId], [], env());
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('(the last question has no reply yet; answering it now)\nbot> Hello from the model!');
    expect(api.received[1]?.body.messages.at(-1)).toEqual({ role: 'user', content: 'hello model' });

    await using persister = SQLitePersister.fromValues({ dbPath });
    // The failed attempt used sequence id 1; the retry is step 2.
    expect(await persister.load('bob', appId)).toMatchObject({ sequenceId: 2, position: 'ai_converse', status: 'completed' });
  });

  it('Ctrl+C while a reply is pending cancels it at once, keeps the saved question, and says how to resume', async () => {
    // The server would answer after 30 s; before the fix the chatbot waited for it (or its 60 s timeout).
    api.replies.push({ status: 200, body: { choices: [{ message: { role: 'assistant', content: 'Too late.' } }] }, delayMs: 30_000 });
    const chat = startChatbot(['--db', dbPath, '--partition-key', 'carol'], env());
    chat.child.stdin.write('tell me slowly\n');
    await api.waitForRequests(api.received.length + 1);
    const interruptedAt = Date.now();
    chat.child.kill('SIGINT');
    const run = await chat.done;
    expect(Date.now() - interruptedAt).toBeLessThan(10_000);
    expect(run.code).toBe(130);
    const appId = printedAppId(run.stdout);
    expect(run.stdout).toContain(
      `Reply cancelled (Ctrl+C). Conversation ${appId} saved up to step #1; your last message is kept, and resuming answers it first: pnpm chatbot --db ${dbPath} --partition-key carol --app-id ${appId}`,
    );
    expect(run.stderr).toBe('');

    {
      await using persister = SQLitePersister.fromValues({ dbPath });
      expect(await persister.load('carol', appId, 0)).toMatchObject({ position: 'human_converse', status: 'completed' });
      const latest = await persister.load('carol', appId);
      expect(latest).toMatchObject({ sequenceId: 1, position: 'ai_converse', status: 'failed' });
      expect(latest?.state.get('chat_history')).toEqual([{ role: 'user', content: 'tell me slowly' }]);
    }

    api.replies.push({ status: 200, body: { choices: [{ message: { role: 'assistant', content: 'Slowly, then.' } }] } });
    const resumed = await runChatbot(['--db', dbPath, '--partition-key', 'carol', '--app-id', appId], [], env());
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('answering it now)\nbot> Slowly, then.');
  });

  it('an unreachable API is reported as such', async () => {
    const port = await closedPort();
    const unreachable = chatEnv({ OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` });
    const run = await runChatbot(['--db', dbPath, '--partition-key', 'bob'], ['hello?'], unreachable);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`The reply failed: Could not reach http://127.0.0.1:${port}/v1/chat/completions: ECONNREFUSED`);
  });
});
