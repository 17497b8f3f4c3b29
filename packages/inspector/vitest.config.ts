import { burrVitestConfig } from '../../vitest.shared.js';

export default burrVitestConfig();
