import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../src/chat-message.js';
import { offlineReply } from '../src/responders/index.js';

const user = (content: string): ChatMessage => ({ role: 'user', content });
const bot = (content: string): ChatMessage => ({ role: 'assistant', content });

describe('the offline bot', () => {
  it('remembers a name only from the conversation it is given', () => {
    expect(offlineReply([user('my name is grace')])).toContain('Nice to meet you, Grace!');
    expect(offlineReply([user('call me Ada'), bot('...'), user("what's my name?")])).toContain("You're Ada.");
    expect(offlineReply([user('hello'), bot('...'), user('what is my name')])).toBe("You haven't told me your name in this conversation yet.");
    // The latest name wins.
    expect(offlineReply([user('my name is Ada'), bot('.'), user('my name is Grace'), bot('.'), user('hi')])).toBe('Hello again, Grace! This is turn 3 of our conversation.');
  });

  it('does arithmetic and counts turns', () => {
    expect(offlineReply([user('what is 6 * 7?')])).toBe('6 * 7 = 42');
    expect(offlineReply([user('0.1 + 0.2')])).toBe('0.1 + 0.2 = 0.3');
    expect(offlineReply([user('1 / 0')])).toContain('Dividing by zero');
    expect(offlineReply([user('a'), bot('b'), user('how many messages so far?')])).toBe("You've sent 2 messages in this conversation, and I've answered 1 so far.");
  });

  it('answers the same conversation the same way every time', () => {
    const history = [user('will it rain tomorrow?')];
    const first = offlineReply(history);
    expect(offlineReply(history)).toBe(first);
    expect(first.endsWith('.')).toBe(true);
    expect(offlineReply([user('tell me something')])).toBe('Turn 1: you said "tell me something" (3 words). Tell me more.');
    expect(offlineReply([user('reverse burr')])).toBe('rrub');
  });
});
