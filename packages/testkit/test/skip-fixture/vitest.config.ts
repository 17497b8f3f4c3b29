// The repository's shared config, so the skip reporter runs as in every package.
import { burrVitestConfig } from '../../../../vitest.shared.js';

export default burrVitestConfig({ include: ['*.fixture.ts'] });
