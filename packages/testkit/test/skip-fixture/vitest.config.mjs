// The repository's shared config, so the skip reporter runs as in every package
// (JavaScript: the package typecheck would otherwise pull in vitest.shared.ts).
import { burrVitestConfig } from '../../../../vitest.shared.js';

export default burrVitestConfig({ include: ['*.fixture.ts'] });
