import { burrVitestConfig } from '../vitest.shared.js';

// Each case starts a Python process (about half a second) and talks to a real server.
export default burrVitestConfig({ testTimeout: 120_000 });
