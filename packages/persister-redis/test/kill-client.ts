import type { testClient } from './helpers.js';

/** Kills the connections whose CLIENT SETNAME is `name` (ours only); returns how many. */
export async function killByName(admin: Awaited<ReturnType<typeof testClient>>, name: string): Promise<number> {
  const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
  const ids = list
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
    .filter((id): id is string => id !== undefined);
  let killed = 0;
  for (const id of ids) killed += Number(await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]).catch(() => 0));
  return killed;
}
