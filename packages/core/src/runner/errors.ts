import { ApplicationRunError } from '../errors.js';

/**
 * An action threw, and then a `postRunStep` hook (typically the persister
 * saving the `failed` record) threw too. Both errors are kept: the action's in
 * `actionError`, the hook's in `hookError` (also the `cause`). The
 * application did not move on.
 */
export class StepHookFailedError extends ApplicationRunError {
  /** What the action threw. */
  readonly actionError: unknown;
  /** What the hook threw. */
  readonly hookError: unknown;

  constructor(action: string, actionError: unknown, hookError: unknown) {
    super(`Action ${JSON.stringify(action)} failed (${message(actionError)}), and then a postRunStep hook failed too (${message(hookError)})`, { cause: hookError });
    this.actionError = actionError;
    this.hookError = hookError;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
