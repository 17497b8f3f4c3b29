import { BurrError } from '@burr/core';

/** Options of `createInspector` or `startInspectorServer` that cannot work (a short token, a non-loopback bind without one...). */
export class InspectorOptionsError extends BurrError {
  constructor(message: string) {
    super('BURR_INSPECTOR_OPTIONS', message);
  }
}
