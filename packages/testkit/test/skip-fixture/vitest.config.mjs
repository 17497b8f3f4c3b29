// The repository's shared config, so the skip reporter runs as in every package
// (JavaScript: the package typecheck would otherwise pull in vitest.shared.ts).
// FIXTURE_INCLUDE picks the failing fixture instead, for the failure summary's test.
import { burrVitestConfig } from '../../../../vitest.shared.js';

export default burrVitestConfig({ include: [process.env.FIXTURE_INCLUDE ?? '*.fixture.ts'] });
