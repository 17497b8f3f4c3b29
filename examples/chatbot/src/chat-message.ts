/** One line of the conversation, as stored in state `chat_history` (the shape chat APIs use). */
export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** Reads `chat_history` defensively: a state written by another program may hold anything. */
export function asChatHistory(value: unknown): ChatMessage[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is ChatMessage => typeof item === 'object' && item !== null && (item.role === 'user' || item.role === 'assistant') && typeof item.content === 'string',
  );
}
