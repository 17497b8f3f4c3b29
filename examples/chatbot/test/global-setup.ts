import { buildChatbot } from './run-built-chatbot.js';

/** Builds the chatbot once, before any test file runs (files run in parallel and must not rebuild dist/ under each other). */
export default function setup(): void {
  buildChatbot();
}
