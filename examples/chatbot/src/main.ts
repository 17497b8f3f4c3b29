import { fileURLToPath } from 'node:url';
import { runChatbot } from './run-chatbot.js';

/** The example folder (this file runs as dist/main.js): default databases live in its `.burr/`. */
const exampleDir = fileURLToPath(new URL('..', import.meta.url));

const code = await runChatbot({
  argv: process.argv.slice(2),
  env: process.env,
  exampleDir,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signals: process,
  forceExit: (code) => process.exit(code),
});
process.exitCode = code;
// A database driver that keeps a socket open must not keep the chat from ending.
setTimeout(() => process.exit(code), 3000).unref();
