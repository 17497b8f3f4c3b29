import { userInfo } from 'node:os';
import {
  ApplicationBuildError,
  InvalidIdentifierError,
  PersisterUnavailableError,
  StepHookFailedError,
  StorageModeMismatchError,
  type Application,
  type BaseStatePersister,
  type PersistedStateData,
} from '@burr/core';
import { buildChatApplication, type ChatApplication } from './app-graph.js';
import { BackendUnavailableError, openBackend } from './backends.js';
import { DEFAULT_LIST_LIMIT, USAGE, UsageError, parseCommandLine, type ChatOptions } from './cli-args.js';
import { chatHistory, type SessionInfo } from './commands.js';
import { runChatSession, type SessionEnd } from './chat-session.js';
import { listConversationPage } from './conversations.js';
import { deleteConversation, type DeleteOutcome } from './delete-conversation.js';
import { checkForkSource } from './fork-check.js';
import { LineReader } from './line-reader.js';
import { chooseResponder, type Responder } from './responders/index.js';
import { commandHint, type CommandHint } from './resume-command.js';
import { formatConversationList, formatHistory, makeStyle, type Style } from './transcript.js';

/**
 * Exit codes: 0 fine, 1 something failed (database, reply, `--delete` of an
 * unknown id), 2 the command line cannot work, 130 Ctrl+C cancelled a reply
 * or a `--delete`.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** Everything the chatbot touches in the outside world. */
export interface ChatbotEnvironment {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  exampleDir: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** Where SIGINT arrives (`process`): Ctrl+C when the terminal sends a signal, or `kill -INT`. */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  /** Leaves at once; called for a second Ctrl+C while the first one is still being handled. */
  forceExit?: (code: number) => void;
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

  const hint = commandHint(world.argv);
  let persister: BaseStatePersister | undefined;
  try {
    const access = options.list ? 'read-only' : options.deleteAppId !== undefined ? 'existing' : 'read-write';
    const backend = await openBackend(options, world.env, world.exampleDir, access);
    persister = backend.persister;
    if (options.list) {
      out(await listPage(persister, options, hint, style));
      return EXIT_OK;
    }
    if (options.deleteAppId !== undefined) {
      const request = { partitionKey: options.partitionKey, appId: options.deleteAppId, assumeYes: options.assumeYes };
      const outcome = await deleteConversation(persister, request, { stdin: world.stdin, stdout: world.stdout, out, err, signals: world.signals, style });
      return DELETE_EXIT_CODES[outcome];
    }
    const store = persister;
    if (options.forkFrom !== undefined) {
      if (options.appId !== undefined && (await store.load(options.partitionKey, options.appId)) !== null) {
        throw new UsageError(`Conversation ${options.appId} already exists; a fork goes into a new app id (leave out --app-id to get one).`);
      }
      await checkForkSource(store, options.partitionKey, options.forkFrom, options.forkAt);
    }
    // Saved with the other --storage, the load refuses it: said now, before any message is sent.
    const existing = options.forkFrom === undefined && options.appId !== undefined ? await latestOrRefusal(store, options.partitionKey, options.appId) : undefined;
    if (existing instanceof StorageModeMismatchError) {
      err(style.error(`chatbot: conversation ${options.appId} is not stored with --storage ${options.storage}.`));
      err(storedWithHint(existing.storedMode));
      return EXIT_FAILURE;
    }
    const unknownAppId = existing === null;
    const responder = chooseResponder(world.env);
    const interrupt = new AbortController();
    const app = await buildChatApplication(store, responder, options, interrupt.signal);
    const info: SessionInfo = {
      app,
      reload: () => buildChatApplication(store, responder, { appId: info.app.uid, partitionKey: options.partitionKey }, interrupt.signal),
      store,
      where: backend.where,
      responder: responder.description,
      baseCommand: hint.base,
      commandNote: hint.note,
      style,
    };
    const onCtrlC = () => {
      if (interrupt.signal.aborted) return world.forceExit?.(EXIT_INTERRUPTED);
      interrupt.abort();
      reader.close();
    };
    const reader = new LineReader(world.stdin, world.stdout, onCtrlC);
    world.signals?.on('SIGINT', onCtrlC);
    try {
      if (unknownAppId) out(style.bold(`No conversation ${options.appId} in partition ${JSON.stringify(options.partitionKey)}; starting a new one under that id.`));
      out(greeting(info.app, options, info, responder));
      const end = await runChatSession(info, { reader, out, err, interrupted: interrupt.signal });
      if (reader.interactive && end === 'end-of-input') out('');
      out(farewell(end, info.app, info));
      if (hint.note) out(style.dim(hint.note));
      return end === 'reply-failed' || end === 'save-failed' ? EXIT_FAILURE : end === 'reply-cancelled' ? EXIT_INTERRUPTED : EXIT_OK;
    } finally {
      world.signals?.off('SIGINT', onCtrlC);
      reader.close();
    }
  } catch (error) {
    return reportFailure(error, err, style);
  } finally {
    await persister?.cleanup().catch(() => {});
  }
}

/** `--delete`: done or declined is fine; an unknown id is a failure; a refusal to delete unasked is a command line that cannot work. */
const DELETE_EXIT_CODES: Readonly<Record<DeleteOutcome, number>> = {
  deleted: EXIT_OK,
  kept: EXIT_OK,
  unknown: EXIT_FAILURE,
  refused: EXIT_USAGE,
  cancelled: EXIT_INTERRUPTED,
};

/** One `--list` page, with the command for the next one. */
async function listPage(persister: BaseStatePersister, options: ChatOptions, hint: CommandHint, style: Style): Promise<string> {
  const { partitionKey, listLimit, listCursor } = options;
  const page = await listConversationPage(persister, partitionKey, listLimit, listCursor);
  const limit = listLimit === DEFAULT_LIST_LIMIT ? '' : ` --limit ${listLimit}`;
  const nextPageCommand = page.nextCursor === undefined ? undefined : `${hint.base} --list${limit} --more ${page.nextCursor}`;
  const text = formatConversationList(page.conversations, { partitionKey, continued: listCursor !== undefined, nextPageCommand, startCommand: hint.base }, style);
  return nextPageCommand && hint.note ? `${text}\n${style.dim(hint.note)}` : text;
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

function greeting(app: ChatApplication, options: ChatOptions, info: SessionInfo, responder: Responder): string {
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
    if (earlier > 0) lines.push(style.dim(`(${earlier} earlier message${earlier === 1 ? '' : 's'}; /history all shows them)`));
    lines.push(formatHistory(recap, style));
  }
  lines.push(style.dim('Type a message and press Enter. "exit" ends the conversation; /help lists commands.'));
  return lines.join('\n');
}

function farewell(end: SessionEnd, app: Application, info: SessionInfo): string {
  if (end === 'deleted') return info.style.dim(`Nothing of it is left to resume. Start a new conversation: ${info.baseCommand}`);
  const parent = app.parentPointer;
  if (parent && app.sequenceId === parent.sequenceId) {
    // A fork is stored with its first step; until then its new app id has nothing to resume.
    return info.style.dim(
      `Nothing saved under ${app.uid} yet (a fork is saved with its first step). Fork again: ${info.baseCommand} --fork-from ${parent.appId} --at ${parent.sequenceId}`,
    );
  }
  const step = app.sequenceId === null ? 'nothing saved yet' : `saved up to step #${app.sequenceId}`;
  const resume = `${info.baseCommand} --app-id ${app.uid}`;
  if (end === 'reply-cancelled') {
    return info.style.dim(`Reply cancelled (Ctrl+C). Conversation ${app.uid} ${step}; your last message is kept, and resuming answers it first: ${resume}`);
  }
  if (end === 'exit') return info.style.dim(`Conversation ended (${step}). Pick it up again any time: ${resume}`);
  return info.style.dim(`Bye! Conversation ${app.uid} ${step}. Resume: ${resume}`);
}

/** A conversation's latest step, `null` when none, or the refusal when it is stored with the other --storage. */
async function latestOrRefusal(store: BaseStatePersister, partitionKey: string, appId: string): Promise<PersistedStateData | null | StorageModeMismatchError> {
  try {
    return await store.load(partitionKey, appId);
  } catch (error) {
    if (error instanceof StorageModeMismatchError) return error;
    throw error;
  }
}

/** What to add to reach a conversation stored in `mode`. */
function storedWithHint(mode: 'full' | 'incremental'): string {
  return `This conversation is stored with --storage ${mode}: add that option (or move it with burr convert).`;
}

function reportFailure(error: unknown, err: (text: string) => void, style: Style): number {
  if (error instanceof UsageError || error instanceof InvalidIdentifierError) {
    err(style.error(`chatbot: ${error.message}`));
    err('Run with --help for the options.');
    return EXIT_USAGE;
  }
  // Raised by the save after a step (wrapped when it was the save of a failed step).
  const mismatch = error instanceof StepHookFailedError ? error.hookError : error;
  if (mismatch instanceof StorageModeMismatchError) {
    err(style.error(`chatbot: ${mismatch.message}`));
    err(storedWithHint(mismatch.storedMode));
    return EXIT_FAILURE;
  }
  if (error instanceof BackendUnavailableError || error instanceof ApplicationBuildError || error instanceof PersisterUnavailableError) {
    err(style.error(`chatbot: ${error.message}`));
    return EXIT_FAILURE;
  }
  err(style.error(`chatbot: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  return EXIT_FAILURE;
}
