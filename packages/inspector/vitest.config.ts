import { burrVitestConfig } from '../../vitest.shared.js';

// One file at a time: the browser tests time page opens, which a browser test running alongside would slow down.
export default burrVitestConfig({ fileParallelism: false });
