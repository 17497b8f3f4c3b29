import { burrVitestConfig } from '../../vitest.shared.js';

// The second half of the testkit's `typecheck` task (after tsc): the published declarations as users install them.
export default burrVitestConfig({ include: ['declarations/**/*.check.ts'], maxWorkers: 2 });
