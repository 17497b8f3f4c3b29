import { describe, expect, it } from 'vitest';
import { commandHint } from '../src/resume-command.js';

describe('commandHint', () => {
  it('keeps the storage and partition flags, quoted for the shell', () => {
    expect(commandHint(['--db', 'my chats.db', '--partition-key=ada', '--app-id', 'x'])).toEqual({
      base: "pnpm chatbot --db 'my chats.db' --partition-key ada",
      note: undefined,
    });
  });

  it('repeats a URL without a password as it was given', () => {
    expect(commandHint(['--backend', 'redis', '--url', 'redis://127.0.0.1:6379']).base).toBe('pnpm chatbot --backend redis --url redis://127.0.0.1:6379');
  });

  it('never prints a password: the URL is left out and the note names the variable to put it in', () => {
    const hint = commandHint(['--backend=pg', '--url=postgres://ada:s3cret@db:5432/app', '--partition-key', 'ada']);
    expect(hint.base).toBe('pnpm chatbot --backend pg --partition-key ada');
    expect(hint.note).toContain('set BURR_PG_URL to your URL');
    expect(JSON.stringify(hint)).not.toContain('s3cret');
    expect(commandHint(['--backend', 'libsql', '--url', 'libsql://db.example?authToken=abc']).base).toBe('pnpm chatbot --backend libsql');
  });
});
