import { defineConfig } from 'tsup';
import { nodePackageBuild } from '../../tsup.shared.js';

export default defineConfig(nodePackageBuild(['src/index.ts'], ['esm', 'cjs']));
