import { burrVitestConfig } from '../vitest.shared.js';

export default burrVitestConfig({ testTimeout: 300_000 });
