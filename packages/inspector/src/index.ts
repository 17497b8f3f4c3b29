/**
 * @packageDocumentation
 * A local web inspector for saved Burr runs on any backend: a partition's
 * apps, an app's steps as a timeline, a step's state as a tree with a diff
 * against another step, the application's graph, and (when allowed) fork
 * and delete. `burr-inspect <URL or folder>` starts it; `createInspector`
 * gives the request handler to mount in your own server.
 */
export { createInspector, type InspectorOptions, type InspectorHandler, type InspectorGraphSource, type InspectedApp } from './inspector.js';
export { startInspectorServer, DEFAULT_INSPECTOR_PORT, type InspectorServerOptions, type RunningInspector } from './server.js';
export type { InspectorStore } from './store.js';
export { TrackingFolderStore } from './tracking-store.js';
export { InspectorOptionsError } from './errors.js';
export { diffStates, type DiffEntry, type StateDiff, type DiffOptions, type PathSegment } from './diff.js';
