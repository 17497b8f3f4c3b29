import { burrVitestConfig } from '../../vitest.shared.js';

// Two files at a time even on two cores (Vitest's default is one fewer than the cores): the packed-install and README
// files each spend minutes in child processes (npm, tsc, node), and in a full run they are the last tasks left.
export default burrVitestConfig({ maxWorkers: 2 });
