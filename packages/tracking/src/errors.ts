import { InvalidIdentifierError } from '@burr/core';

/**
 * A tracking project name that cannot be a folder under the storage
 * directory. Python Burr and its UI accept only letters, digits, `_`, `-`
 * and (except on Windows) `:`, so names outside that set are refused here
 * too: no path separators, no `.` or `..`.
 */
export class InvalidProjectNameError extends InvalidIdentifierError {
  constructor(project: unknown, rule: string) {
    super('tracking project name', project, rule);
  }
}
