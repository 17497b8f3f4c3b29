import { burrVitestConfig } from '../../vitest.shared.js';

// The tests drive the built dist/main.js: build it (and the packages it uses) once, first.
export default burrVitestConfig({ globalSetup: ['./test/global-setup.ts'] });
