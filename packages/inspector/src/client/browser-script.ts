/**
 * The page's script. It runs in the browser, served as the source of this
 * one function (`assets.ts`), so it must not use anything from outside its
 * own body. Everything from a state or an id reaches the page through
 * `textContent`, never as markup.
 */
export function inspectorBrowserScript(): void {
  // Must match BROWSER_MARK in state-view.ts: a string standing for a number JSON cannot carry, or escaping a stored NUL.
  const MARK = '\u0000';
  const CHILDREN_PER_BATCH = 100;
  const STRING_PREVIEW_CHARS = 400;
  const SERDE_KEY = '__burr_serde__';

  type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

  const element = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const meta = (name: string): string | null => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? null;
  const base = meta('burr-inspector-base') ?? '';

  // --- The state tree: a level is built when it is opened, and long levels a batch at a time. ---

  const isContainer = (value: Value): value is Value[] | { [key: string]: Value } => typeof value === 'object' && value !== null;

  const scalar = (value: Value): { text: string; kind: string } => {
    if (value === null) return { text: 'null', kind: 'null' };
    if (typeof value === 'boolean') return { text: String(value), kind: 'boolean' };
    if (typeof value === 'number') return { text: String(value), kind: 'number' };
    const text = String(value);
    if (text.startsWith(MARK)) {
      if (text.startsWith(`${MARK}n:`)) return { text: text.slice(3), kind: 'number' };
      return { text: JSON.stringify(text.slice(1)), kind: 'string' };
    }
    return { text: JSON.stringify(text), kind: 'string' };
  };

  const summaryOf = (value: Value[] | { [key: string]: Value }): string => {
    if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
    const tag = value[SERDE_KEY];
    if (typeof tag === 'string') {
      const inner = value.value;
      return `‹${tag}›${inner !== undefined && !isContainer(inner) ? ` ${scalar(inner).text}` : ''}`;
    }
    const count = Object.keys(value).length;
    return `{${count} key${count === 1 ? '' : 's'}}`;
  };

  const appendEntries = (list: HTMLElement, entries: Array<[string, Value]>, from: number): void => {
    const end = Math.min(entries.length, from + CHILDREN_PER_BATCH);
    for (let index = from; index < end; index++) list.append(node(entries[index]![0], entries[index]![1]));
    if (end < entries.length) {
      const item = element('li', 'more');
      const button = element('button', 'link', `show ${Math.min(CHILDREN_PER_BATCH, entries.length - end)} more (${entries.length - end} left)`);
      button.type = 'button';
      button.addEventListener('click', () => {
        item.remove();
        appendEntries(list, entries, end);
      });
      item.append(button);
      list.append(item);
    }
  };

  const entriesOf = (value: Value[] | { [key: string]: Value }): Array<[string, Value]> =>
    Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value);

  const node = (key: string, value: Value): HTMLLIElement => {
    const item = element('li');
    if (isContainer(value)) {
      const details = element('details');
      const summary = element('summary');
      summary.append(element('span', 'key', key), element('span', 'kind', ` ${summaryOf(value)}`));
      details.append(summary);
      details.addEventListener(
        'toggle',
        () => {
          if (!details.open || details.dataset.built) return;
          details.dataset.built = '1';
          const list = element('ul');
          details.append(list);
          appendEntries(list, entriesOf(value), 0);
        },
        { passive: true },
      );
      item.append(details);
      return item;
    }
    const { text, kind } = scalar(value);
    item.append(element('span', 'key', key), document.createTextNode(': '));
    const shown = element('span', `v ${kind}`, text.length > STRING_PREVIEW_CHARS ? `${text.slice(0, STRING_PREVIEW_CHARS)}…` : text);
    item.append(shown);
    if (text.length > STRING_PREVIEW_CHARS) {
      const button = element('button', 'link', ` show all ${text.length.toLocaleString('en')} characters`);
      button.type = 'button';
      button.addEventListener('click', () => {
        shown.textContent = text;
        button.remove();
      });
      item.append(button);
    }
    return item;
  };

  const tree = document.getElementById('state-tree');
  if (tree?.dataset.src) {
    fetch(tree.dataset.src, { credentials: 'same-origin' })
      .then(async (response) => {
        if (!response.ok) throw new Error(((await response.json()) as { error?: string }).error ?? `HTTP ${response.status}`);
        return (await response.json()) as { [key: string]: Value };
      })
      .then((state) => {
        const list = element('ul', 'root');
        appendEntries(list, Object.entries(state), 0);
        tree.replaceChildren(list);
        tree.dataset.ready = '1';
      })
      .catch((error: unknown) => {
        tree.replaceChildren(element('p', 'error', `Could not load the state: ${error instanceof Error ? error.message : String(error)}`));
        tree.dataset.ready = 'error';
      });
  }

  // --- Fork: the shown code follows the new app id typed in. ---

  const forkInput = document.getElementById('fork-app-id') as HTMLInputElement | null;
  const forkCode = document.getElementById('fork-code');
  if (forkInput && forkCode) {
    forkInput.addEventListener('input', () => {
      const previous = forkCode.dataset.appId ?? '';
      const text = forkCode.textContent ?? '';
      // A function, so "$&" or "$'" typed in the id are not replacement patterns.
      forkCode.textContent = text.replace(`appId: ${JSON.stringify(previous)}`, () => `appId: ${JSON.stringify(forkInput.value)}`);
      forkCode.dataset.appId = forkInput.value;
    });
  }

  // --- Writes (delete, fork): asked in a dialog, sent with this page's token; the server decides. ---

  const result = document.getElementById('write-result');
  const report = (message: string, ok: boolean, link?: { href: string; label: string }): void => {
    if (!result) return;
    const paragraph = element('p', ok ? 'ok' : 'error', message);
    if (link) {
      const anchor = element('a', undefined, link.label);
      anchor.href = link.href;
      paragraph.append(' ', anchor);
    }
    result.replaceChildren(paragraph);
  };

  const confirmWith = (question: string, confirmLabel: string): Promise<boolean> =>
    new Promise((resolve) => {
      const dialog = element('dialog', 'confirm');
      const text = element('p', undefined, question);
      const cancel = element('button', undefined, 'Cancel');
      cancel.type = 'button';
      const ok = element('button', 'danger', confirmLabel);
      ok.type = 'button';
      const close = (answer: boolean): void => {
        dialog.close();
        dialog.remove();
        resolve(answer);
      };
      cancel.addEventListener('click', () => close(false));
      ok.addEventListener('click', () => close(true));
      dialog.addEventListener('cancel', () => close(false));
      const buttons = element('div', 'buttons');
      buttons.append(cancel, ok);
      dialog.append(text, buttons);
      document.body.append(dialog);
      dialog.showModal();
    });

  const post = async (action: string, body: Record<string, unknown>): Promise<{ ok: boolean; data: Record<string, unknown> }> => {
    const response = await fetch(`${base}/api/${action}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-burr-inspector-token': meta('burr-inspector-write-token') ?? '' },
      body: JSON.stringify(body),
    });
    const data = (await response.json().catch(() => ({ error: `HTTP ${response.status}` }))) as Record<string, unknown>;
    return { ok: response.ok, data };
  };

  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-write]')) {
    button.addEventListener('click', async () => {
      const action = button.dataset.write ?? '';
      const partitionKey = button.dataset.partition ?? '';
      const appId = button.dataset.app ?? '';
      const body: Record<string, unknown> = { partitionKey, appId };
      let question = button.dataset.confirm ?? 'Are you sure?';
      if (action === 'fork') {
        body.sequenceId = Number(button.dataset.seq);
        body.newAppId = forkInput?.value.trim() ?? '';
        question = `${question} New app id: ${String(body.newAppId)}`;
      }
      if (!(await confirmWith(question, action === 'delete' ? 'Delete' : 'Create fork'))) return;
      button.disabled = true;
      try {
        const { ok, data } = await post(action, body);
        if (!ok) {
          report(String(data.error ?? 'refused'), false);
          return;
        }
        if (action === 'delete') window.location.assign(String(data.href));
        else report(`Created app ${String(data.appId)} from step #${String(data.sequenceId)}.`, true, { href: String(data.href), label: 'Open it' });
      } catch (error) {
        report(`The request failed: ${error instanceof Error ? error.message : String(error)}`, false);
      } finally {
        button.disabled = false;
      }
    });
  }
}
