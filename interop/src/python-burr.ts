import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Python Burr's `burr/` package (and its `.dist-info`); unset, the interop tests skip. */
export const PYTHON_BURR_PATH_VAR = 'BURR_TEST_PYTHON_BURR_PATH';
/** The Python interpreter to run; default `python3`. */
export const PYTHON_VAR = 'BURR_TEST_PYTHON';

const OPS_SCRIPT = fileURLToPath(new URL('../python/burr_ops.py', import.meta.url));
const SERDE_OPS_SCRIPT = fileURLToPath(new URL('../python/serde_ops.py', import.meta.url));
const TRACKING_OPS_SCRIPT = fileURLToPath(new URL('../python/tracking_ops.py', import.meta.url));
/** The folder holding `burr_ts_serde.py`, the registration module this repository ships. */
export const TS_SERDE_MODULE_DIR = fileURLToPath(new URL('../../python/', import.meta.url));

/** Where Python Burr's persisters find the store: its fields are read by `python/burr_ops.py`. */
export type PythonStore =
  | { backend: 'sqlite'; db_path: string; table_name: string }
  | { backend: 'postgres'; url: string; table_name: string }
  | { backend: 'redis'; url: string; namespace: string };

/** One call on a Python Burr persister (`initialize`, `save`, `load`, `list_app_ids`), with Python's argument names. */
export type PythonOp =
  | { op: 'initialize' }
  | { op: 'save'; partition_key: string | null; app_id: string; sequence_id: number; position: string; state: Record<string, unknown>; status: 'completed' | 'failed' }
  | { op: 'load'; partition_key: string | null; app_id: string; sequence_id?: number | null }
  | { op: 'list_app_ids'; partition_key: string | null };

/**
 * A value as `python/serde_ops.py` describes what Python holds: `str`, `bool`
 * and `None` as they are, anything else as its Python type name and a payload
 * (`{ t: 'float', v: '2.0' }`, `{ t: 'TsMap', v: [[key, value], ...] }`).
 */
export type PythonValue = string | boolean | null | { t: string; v: unknown };

/** One call on a Python Burr persister through `python/serde_ops.py`; `state` values may use its `$py` notation for Python types. */
export type PythonSerdeOp =
  | { op: 'save'; partition_key: string; app_id: string; sequence_id: number; position: string; state: Record<string, unknown> }
  | { op: 'load'; partition_key: string; app_id: string; sequence_id: number }
  | { op: 'load_error'; partition_key: string; app_id: string; sequence_id: number }
  | { op: 'resave'; partition_key: string; app_id: string; sequence_id: number; to_sequence_id: number };

/**
 * One call through `python/tracking_ops.py` on Python Burr's `LocalTrackingClient`
 * (`load`, `list_app_ids`), on what Burr's UI reads of an app (`ui_read`), or a
 * run of its tracked app (`run`: `steps` are each step's inputs, `$py` notation
 * allowed; `resume` builds it with `initialize_from(tracker, resume_at_next_action=True)`,
 * else it starts at `start` with `state`).
 */
export type PythonTrackingOp =
  | { op: 'load'; partition_key: string | null; app_id: string; sequence_id?: number | null }
  | { op: 'list_app_ids'; partition_key: string | null }
  | { op: 'ui_read'; app_id: string }
  | { op: 'run'; app_id: string; partition_key: string | null; steps: Array<Record<string, unknown>>; resume?: boolean; state?: Record<string, unknown> };

/** Where `python/tracking_ops.py` finds the tracker's files: `<storage_dir>/<project>/<app id>/`. */
export interface PythonTrackingStore {
  storage_dir: string;
  project: string;
}

/** A step as Python's `load()` returned it (the state is `State.get_all()`). */
export interface PythonLoadedStep {
  partition_key: string;
  app_id: string;
  sequence_id: number;
  position: string;
  status: 'completed' | 'failed';
  created_at: string;
  state: Record<string, unknown>;
}

/** Runs Python Burr's persisters, or says why it cannot. */
export type PythonBurr =
  | {
      /** Python Burr's version, as its `.dist-info` declares it. */
      version: string;
      /** Why `backend` cannot be driven from Python here (a missing driver module), or `undefined`. */
      missingDriver(backend: PythonStore['backend']): string | undefined;
      /** Opens `store` with Python Burr's persister, runs `ops` in order in one process, returns each op's result. */
      run(store: PythonStore, ops: PythonOp[]): Promise<unknown[]>;
      /**
       * Like `run`, for typed values (`python/serde_ops.py`): with `register`,
       * Python first calls `burr_ts_serde.register()` from {@link TS_SERDE_MODULE_DIR};
       * without it, Python Burr runs stock.
       */
      runSerde(store: PythonStore, ops: PythonSerdeOp[], options: { register: boolean }): Promise<unknown[]>;
      /** Why Python Burr's tracker cannot run here (it needs pydantic 2), or `undefined`. */
      missingTracker(): string | undefined;
      /** Runs `ops` on Python Burr's local tracker (`python/tracking_ops.py`), `register` as for {@link runSerde}. */
      runTracking(store: PythonTrackingStore, ops: PythonTrackingOp[], options: { register: boolean }): Promise<unknown[]>;
    }
  | { skip: string };

const DRIVER_MODULES: Record<PythonStore['backend'], { module: string; hint: string } | undefined> = {
  sqlite: undefined,
  postgres: { module: 'psycopg2', hint: 'apt-get install python3-psycopg2, or pip install psycopg2-binary' },
  redis: { module: 'redis', hint: 'apt-get install python3-redis, or pip install redis' },
};

/**
 * Finds Python Burr through {@link PYTHON_BURR_PATH_VAR}. Python runs with
 * that folder on `PYTHONPATH`, telemetry off and a scratch `HOME`, so it
 * neither phones home nor writes into the user's `~/.burr`.
 */
export function findPythonBurr(): PythonBurr {
  const burrPath = process.env[PYTHON_BURR_PATH_VAR];
  if (!burrPath) return { skip: `set ${PYTHON_BURR_PATH_VAR} to a folder holding Python Burr's burr/ package (see interop/README.md)` };
  if (!existsSync(join(burrPath, 'burr', 'core', 'persistence.py'))) {
    return { skip: `${PYTHON_BURR_PATH_VAR}=${burrPath} holds no burr/core/persistence.py` };
  }
  const python = process.env[PYTHON_VAR] || 'python3';
  // No __pycache__ folders in the repository's python/ and interop/python/.
  const env = { ...process.env, PYTHONPATH: burrPath, BURR_TELEMETRY_ENABLED: 'false', PYTHONDONTWRITEBYTECODE: '1' };
  const probe = (code: string) => withScratchHome((home) => spawnSync(python, ['-c', code], { env: { ...env, HOME: home }, encoding: 'utf8', timeout: 60_000 }));
  const found = probe('from importlib.metadata import version; import burr.core.persistence; print(version("burr"))');
  if (found.error || found.status !== 0) {
    return { skip: `${python} cannot import Python Burr from ${PYTHON_BURR_PATH_VAR}=${burrPath}: ${found.error?.message ?? found.stderr.trim().split('\n').at(-1)}` };
  }
  const missing = new Map<string, string | undefined>();
  let trackerMissing: string | undefined | null = null;
  return {
    version: found.stdout.trim(),
    missingDriver(backend) {
      const driver = DRIVER_MODULES[backend];
      if (!driver) return undefined;
      if (!missing.has(backend)) {
        const imported = probe(`import ${driver.module}`);
        missing.set(backend, imported.status === 0 ? undefined : `Python Burr's ${backend} persister needs the Python module ${driver.module} (${driver.hint})`);
      }
      return missing.get(backend);
    },
    run: (store, ops) => withScratchHome((home) => runScript(python, OPS_SCRIPT, { ...env, HOME: home }, { store, ops })),
    runSerde: (store, ops, { register }) =>
      withScratchHome((home) => runScript(python, SERDE_OPS_SCRIPT, { ...env, HOME: home }, { store, ops, register_from: register ? TS_SERDE_MODULE_DIR : null })),
    missingTracker() {
      if (trackerMissing === null) {
        // Python Burr's tracker writes with pydantic 2's model_dump_json(); Debian 12's python3-pydantic is 1.10.
        const imported = probe('import pydantic, sys; sys.exit(0 if int(pydantic.VERSION.split(".")[0]) >= 2 else 3)');
        trackerMissing =
          imported.status === 0
            ? undefined
            : `Python Burr's LocalTrackingClient needs pydantic 2 in ${python} (pip install "pydantic>=2"; ${imported.status === 3 ? 'found 1.x' : 'none found'})`;
      }
      return trackerMissing;
    },
    runTracking: (store, ops, { register }) =>
      withScratchHome((home) => runScript(python, TRACKING_OPS_SCRIPT, { ...env, HOME: home }, { ...store, ops, register_from: register ? TS_SERDE_MODULE_DIR : null })),
  };
}

/** Runs `body` with a fresh folder for Python's `HOME`, removed when `body` (or the promise it returns) settles. */
function withScratchHome<T>(body: (home: string) => T): T {
  const home = mkdtempSync(join(tmpdir(), 'burr-interop-home-'));
  const remove = () => rmSync(home, { recursive: true, force: true });
  let result: T;
  try {
    result = body(home);
  } catch (error) {
    remove();
    throw error;
  }
  if (result instanceof Promise) return result.finally(remove) as T;
  remove();
  return result;
}

/** Runs one of our Python scripts with `request` (holding `ops`) on stdin; resolves to its `results`. */
function runScript(python: string, script: string, env: NodeJS.ProcessEnv, request: { ops: Array<{ op: string }> } & Record<string, unknown>): Promise<unknown[]> {
  const { ops } = request;
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`Python Burr exited with ${code} on ${ops.map((op) => op.op).join(', ')}:\n${stderr}`));
        return;
      }
      try {
        resolve((JSON.parse(stdout) as { results: unknown[] }).results);
      } catch (error) {
        reject(new Error(`Python Burr printed no JSON (${String(error)}):\n${stdout}\n${stderr}`));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
