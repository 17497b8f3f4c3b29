import { userInfo } from 'node:os';
import { ApplicationBuildError, InvalidIdentifierError, type Application, type BaseStatePersister } from '@burr/core';
import { buildChatApplication } from './app-graph.js';
import { BackendUnavailableError, openBackend } from './backends.js';
import { USAGE, UsageError, parseCommandLine, type ChatOptions } from './cli-args.js';
import { chatHistory, type SessionInfo } from './commands.js';
import { runChatSession, type SessionEnd } from './chat-session.js';
import { listConversations } from './conversations.js';
import { LineReader } from './line-reader.js';
import { chooseResponder, type Responder } from './responders/index.js';
import { formatConversationList, formatHistory, makeStyle, shellQuote, type Style } from './transcript.js';

/** Exit codes: 0 fine, 1 something failed (database, reply), 2 the command line cannot work. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Everything the chatbot touches in the outside world. */
export interface ChatbotEnvironment {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  exampleDir: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

/** Runs the chatbot command line; resolves to the process exit code. */
export async function runChatbot(world: ChatbotEnvironment): Promise<number> {
  const style = makeStyle(world.stdout.isTTY === true && !world.env.NO_COLOR);
  const out = (text: string) => void world.stdout.write(`${text}\n`);
  const err = (text: string) => void world.stderr.write(`${text}\n`);

  let options: ChatOptions;
  try {
    const parsed = parseCommandLine(world.argv, defaultPartitionKey(world.env));
    if (parsed.kind === 'help') {
      out(USAGE);
      return EXIT_OK;
    }
    options = parsed.options;
  } catch (error) {
    return reportFailure(error, err, style);
  }

  let persister: BaseStatePersister | undefined;
  try {
    const backend = await openBackend(options, world.env, world.exampleDir);
    persister = backend.persister;
    if (options.list) {
      const conversations = await listConversations(persister, options.partitionKey);
      out(formatConversationList(options.partitionKey, conversations, style, baseCommand(world.argv)));
      return EXIT_OK;
    }
    if (options.forkFrom !== undefined && options.appId !== undefined && (await persister.load(options.partitionKey, options.appId)) !== null) {
      throw new UsageError(`Conversation ${options.appId} already exists; a fork goes into a new app id (leave out --app-id to get one).`);
    }
    const responder = chooseResponder(world.env);
    const app = await buildChatApplication(persister, responder, options);
    const info: SessionInfo = { app, loader: persister, where: backend.where, responder: responder.description, baseCommand: baseCommand(world.argv), style };
    const reader = new LineReader(world.stdin, world.stdout);
    try {
      out(greeting(app, options, info, responder));
      const end = await runChatSession(info, { reader, out, err });
      if (reader.interactive && end === 'end-of-input') out('');
      out(farewell(end, app, info));
      return end === 'reply-failed' ? EXIT_FAILURE : EXIT_OK;
    } finally {
      reader.close();
    }
  } catch (error) {
    return reportFailure(error, err, style);
  } finally {
    await persister?.cleanup().catch(() => {});
  }
}

/** The OS user name (Burr's partition key is "whose conversations"), else `guest`. */
function defaultPartitionKey(env: NodeJS.ProcessEnv): string {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry (some containers): fall back to the environment.
  }
  return env.USER || env.USERNAME || 'guest';
}

function greeting(app: Application, options: ChatOptions, info: SessionInfo, responder: Responder): string {
  const { style } = info;
  const history = chatHistory(app);
  const lines: string[] = [];
  if (app.parentPointer) {
    const { appId, sequenceId } = app.parentPointer;
    lines.push(style.bold(`Forked conversation ${appId} at step #${sequenceId} into a new conversation ${app.uid}.`));
  } else if (app.sequenceId === null) {
    lines.push(style.bold(`New conversation ${app.uid} for ${JSON.stringify(options.partitionKey)}.`));
  } else {
    lines.push(style.bold(`Resuming conversation ${app.uid} of ${JSON.stringify(options.partitionKey)} after step #${app.sequenceId}.`));
  }
  lines.push(style.dim(`Saved in ${info.where}; replies by ${responder.description}.`));
  if (history.length > 0) {
    const recap = history.slice(-6);
    const earlier = history.length - recap.length;
    if (earlier > 0) lines.push(style.dim(`(${earlier} earlier message${earlier === 1 ? '' : 's'}; /history shows all)`));
    lines.push(formatHistory(recap, style));
  }
  lines.push(style.dim('Type a message and press Enter. "exit" ends the conversation; /help lists commands.'));
  return lines.join('\n');
}

function farewell(end: SessionEnd, app: Application, info: SessionInfo): string {
  const parent = app.parentPointer;
  if (parent && app.sequenceId === parent.sequenceId) {
    // A fork is stored with its first step; until then its new app id has nothing to resume.
    return info.style.dim(
      `Nothing saved under ${app.uid} yet (a fork is saved with its first step). Fork again: ${info.baseCommand} --fork-from ${parent.appId} --at ${parent.sequenceId}`,
    );
  }
  const step = app.sequenceId === null ? 'nothing saved yet' : `saved up to step #${app.sequenceId}`;
  const resume = `${info.baseCommand} --app-id ${app.uid}`;
  if (end === 'exit') return info.style.dim(`Conversation ended (${step}). Pick it up again any time: ${resume}`);
  return info.style.dim(`Bye! Conversation ${app.uid} ${step}. Resume: ${resume}`);
}

/**
 * `pnpm chatbot` plus the flags that choose the same storage and partition,
 * for the resume and fork hints. A URL given on the command line is not
 * repeated (it may hold a password).
 */
function baseCommand(argv: readonly string[]): string {
  const parts = ['pnpm chatbot'];
  const keep = new Set(['--backend', '--db', '--partition-key']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--url') parts.push('--url …');
    if (!keep.has(flag)) continue;
    const value = inline ?? argv[++i];
    if (value !== undefined) parts.push(flag, shellQuote(value));
  }
  return parts.join(' ');
}

function reportFailure(error: unknown, err: (text: string) => void, style: Style): number {
  if (error instanceof UsageError || error instanceof InvalidIdentifierError) {
    err(style.error(`chatbot: ${error.message}`));
    err('Run with --help for the options.');
    return EXIT_USAGE;
  }
  if (error instanceof BackendUnavailableError || error instanceof ApplicationBuildError) {
    err(style.error(`chatbot: ${error.message}`));
    return EXIT_FAILURE;
  }
  err(style.error(`chatbot: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  return EXIT_FAILURE;
}
