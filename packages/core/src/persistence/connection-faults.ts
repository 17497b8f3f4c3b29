import { BurrError, InvalidPersistArgumentError, PersisterUnavailableError, type UnavailableReason } from '../errors.js';

/** Default of `connectTimeoutMs` on every server backend: how long to wait for a connection to be accepted and ready. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default of `operationTimeoutMs` on every server backend: how long one call may wait for the server's answer. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 30_000;

/** The timeout options every server persister takes, under the same names. */
export interface ConnectionTimeoutOptions {
  /** Milliseconds to wait for a connection to be accepted and ready. Default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  connectTimeoutMs?: number | undefined;
  /** Milliseconds one call (save, load, list, initialize) may wait for the server. Default {@link DEFAULT_OPERATION_TIMEOUT_MS}. */
  operationTimeoutMs?: number | undefined;
}

/** {@link ConnectionTimeoutOptions} with the defaults filled in and checked. */
export interface ConnectionTimeouts {
  connectTimeoutMs: number;
  operationTimeoutMs: number;
}

/** Options of the guard's timing, read from a persister's options; throws `InvalidPersistArgumentError` for a value that is not a positive number. */
export function readConnectionTimeouts(persister: string, options: ConnectionTimeoutOptions = {}): ConnectionTimeouts {
  const read = (name: keyof ConnectionTimeoutOptions, fallback: number): number => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2 ** 31 - 1) {
      throw new InvalidPersistArgumentError(`${persister}: ${name} must be a positive number of milliseconds (at most 2^31-1), got ${String(value)}`);
    }
    return value;
  };
  return { connectTimeoutMs: read('connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS), operationTimeoutMs: read('operationTimeoutMs', DEFAULT_OPERATION_TIMEOUT_MS) };
}

/**
 * `host:port` of a connection URL, without user, password, path or query, for
 * error messages. `defaultPort` fills in a URL without a port; a string that
 * is no URL gives `"(unparsable address)"` rather than echoing it (it may
 * hold a password).
 */
export function addressOf(target: string | { host?: string | undefined; port?: number | string | undefined }, defaultPort?: number): string {
  let host: string | undefined;
  let port: string | undefined;
  if (typeof target === 'string') {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return '(unparsable address)';
    }
    // "user:secret@host" parses as an opaque URL with scheme "user:": no address in it.
    if (!url.hostname && !/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return '(unparsable address)';
    host = url.hostname;
    port = url.port;
  } else {
    host = target.host;
    port = target.port === undefined ? undefined : String(target.port);
  }
  host ||= 'localhost';
  if (!port && defaultPort !== undefined) port = String(defaultPort);
  // URL keeps IPv6 hosts in brackets; a bare IPv6 host from values gets them here.
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return port ? `${host}:${port}` : host;
}

/** Node errno codes and what they mean for a persister, the same whatever the driver. */
const NODE_ERROR_REASONS: Readonly<Record<string, UnavailableReason>> = {
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EAI_NONAME: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENETDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ECONNRESET: 'disconnected',
  ECONNABORTED: 'disconnected',
  EPIPE: 'disconnected',
  ERR_SOCKET_CLOSED: 'disconnected',
  ERR_STREAM_PREMATURE_CLOSE: 'disconnected',
  UND_ERR_SOCKET: 'disconnected',
  UND_ERR_CLOSED: 'disconnected',
  UND_ERR_CONNECT_TIMEOUT: 'connect-timeout',
  UND_ERR_HEADERS_TIMEOUT: 'operation-timeout',
  UND_ERR_BODY_TIMEOUT: 'operation-timeout',
};

/**
 * The {@link UnavailableReason} a Node network error stands for, looking
 * through `cause` chains and `AggregateError`s (Node reports a refused
 * `localhost` as one error per address), or `undefined` when `error` is no
 * network fault. A persister adds its driver's own errors on top.
 */
export function networkFaultReason(error: unknown): UnavailableReason | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): UnavailableReason | undefined => {
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > 6) return undefined;
    seen.add(value);
    const { code, syscall, cause, errors } = value as { code?: unknown; syscall?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') {
      // ETIMEDOUT while connecting is the kernel giving up on the handshake; on an open socket, a dead peer.
      if (code === 'ETIMEDOUT') return syscall === 'connect' ? 'connect-timeout' : 'disconnected';
      const reason = NODE_ERROR_REASONS[code];
      if (reason) return reason;
    }
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const reason = visit(inner, depth + 1);
        if (reason) return reason;
      }
    }
    return visit(cause, depth + 1);
  };
  return visit(error, 0);
}

/** Classifies a driver's error: its reason when it is a connection fault, otherwise `undefined` (the error passes through). */
export type ConnectionFaultClassifier = (error: unknown) => UnavailableReason | undefined;

/** What a {@link ConnectionGuard} needs to know about its backend. */
export interface ConnectionGuardOptions extends ConnectionTimeouts {
  /** Backend name for messages, e.g. `"PostgreSQL"`. */
  backend: string;
  /** `host:port` without credentials, see {@link addressOf}. */
  address: string;
  /** The driver's own fault errors, asked when the error carries no Node errno code (those are recognized without it). */
  classify?: ConnectionFaultClassifier | undefined;
}

/** The longest delay `setTimeout` takes (2^31-1 ms); a longer one fires after 1 ms. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** A call {@link ConnectionGuard.run} waits for: when its deadline (`performance.now()` time) passes, `expire` rejects it. */
interface WaitingCall {
  readonly deadline: number;
  readonly expire: () => void;
}

/**
 * Runs a persister's calls to its server with a deadline and turns
 * connection faults into {@link PersisterUnavailableError}: the part of fault
 * handling that is the same on every backend. Until a first call has
 * succeeded the deadline also covers connecting (`connectTimeoutMs +
 * operationTimeoutMs`), since drivers that connect lazily do it inside the
 * first call; a deadline missed then is reported as `connect-timeout`.
 */
export class ConnectionGuard {
  readonly backend: string;
  readonly address: string;
  readonly timeouts: ConnectionTimeouts;
  readonly #classify: ConnectionFaultClassifier;
  #answered = false;
  #inFlight = 0;
  readonly #waiting = new Set<WaitingCall>();
  /** One timer for every waiting call, set for the earliest deadline (see {@link ConnectionGuard.run}). */
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(options: ConnectionGuardOptions) {
    this.backend = options.backend;
    this.address = options.address;
    this.timeouts = { connectTimeoutMs: options.connectTimeoutMs, operationTimeoutMs: options.operationTimeoutMs };
    const driverClassify = options.classify;
    // The errno, when there is one, is the most precise; the driver's own errors come next.
    this.#classify = (error) => networkFaultReason(error) ?? driverClassify?.(error);
  }

  /**
   * Calls started by {@link ConnectionGuard.run} whose driver promise has not
   * settled yet, a missed deadline or not: when none, closing the client
   * need not wait for anything.
   */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Calls whose caller still waits for them: started by {@link ConnectionGuard.run},
   * neither settled nor past their deadline. A call past its deadline was
   * already reported as `operation-timeout` (its outcome unknown to the
   * caller), so when this is 0, closing the client may abandon whatever the
   * driver still runs instead of waiting for a server that stopped answering.
   */
  get awaited(): number {
    return this.#waiting.size;
  }

  /**
   * Whether calls are running and every one of them missed its deadline: a
   * polite close would wait for them (on a server that stopped answering, for
   * its whole timeout), and no caller is left to hear how they end.
   */
  get abandonedCallsOnly(): boolean {
    return this.#inFlight > 0 && this.#waiting.size === 0;
  }

  /**
   * Runs `work` under the deadline; a connection fault or a missed deadline
   * rejects with {@link PersisterUnavailableError}. `abandoned` is aborted
   * when the deadline passes, so a driver that queues calls while it
   * reconnects can drop one no caller waits for instead of sending it later.
   * It exists only for a `work` that declares the parameter (`work.length`
   * above 0; not a rest or defaulted one): the calls that ignore it cost no
   * `AbortController`.
   *
   * The calls share one timer, set for the earliest deadline and left set
   * (but not keeping the process alive) when none waits: a call adds itself
   * to a set rather than starting and clearing a timer of its own, which cost
   * a save on Redis about 10 µs of a 200 µs round trip.
   */
  run<T>(work: (abandoned: AbortSignal) => Promise<T>): Promise<T> {
    const connecting = !this.#answered;
    const limit = connecting ? this.timeouts.connectTimeoutMs + this.timeouts.operationTimeoutMs : this.timeouts.operationTimeoutMs;
    const abandoned = work.length > 0 ? new AbortController() : undefined;
    let pending: Promise<T>;
    try {
      // Without the parameter, `work` never reads the signal it is passed.
      pending = work(abandoned?.signal as AbortSignal);
    } catch (error) {
      return Promise.reject(this.translate(error));
    }
    this.#inFlight++;
    return new Promise<T>((resolve, reject) => {
      const call: WaitingCall = {
        deadline: performance.now() + limit,
        expire: () => {
          reject(this.unavailable(connecting ? 'connect-timeout' : 'operation-timeout', undefined, `no answer within ${limit} ms`));
          // After the rejection, so the caller hears the timeout, not the abort error a driver may settle the call with.
          abandoned?.abort();
        },
      };
      this.#watch(call);
      // The driver may still settle a call past its deadline; that outcome has no one left to hear it.
      pending.then(
        (value) => {
          this.#inFlight--;
          if (!this.#unwatch(call)) return;
          this.#answered = true;
          resolve(value);
        },
        (error: unknown) => {
          this.#inFlight--;
          if (this.#unwatch(call)) reject(this.translate(error));
        },
      );
    });
  }

  #watch(call: WaitingCall): void {
    this.#waiting.add(call);
    if (call.deadline < this.#timerAt) this.#setTimer(call.deadline);
    else this.#timer?.ref();
  }

  /** Whether `call` was still waiting (its deadline not passed); it no longer is. */
  #unwatch(call: WaitingCall): boolean {
    if (!this.#waiting.delete(call)) return false;
    if (this.#waiting.size === 0) this.#timer?.unref();
    return true;
  }

  #setTimer(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    // Timers fire at whole milliseconds, possibly a fraction early: a call not yet due sets the timer again. A delay
    // past setTimeout's largest (connect + operation time may be) would fire at once: the timer is set again then.
    this.#timer = setTimeout(() => this.#expireDue(), Math.min(MAX_TIMER_DELAY_MS, Math.max(1, Math.ceil(at - performance.now()))));
  }

  #expireDue(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const call of this.#waiting) {
      if (call.deadline <= now) {
        this.#waiting.delete(call);
        call.expire();
      } else next = Math.min(next, call.deadline);
    }
    if (next !== Number.POSITIVE_INFINITY) this.#setTimer(next);
  }

  /** `error` as a {@link PersisterUnavailableError} when it is a connection fault; otherwise `error` itself. */
  translate(error: unknown): unknown {
    if (error instanceof BurrError) return error;
    const reason = this.#classify(error);
    return reason ? this.unavailable(reason, error) : error;
  }

  /** A {@link PersisterUnavailableError} for this backend and address. */
  unavailable(reason: UnavailableReason, cause?: unknown, detail?: string): PersisterUnavailableError {
    return new PersisterUnavailableError(this.backend, this.address, reason, { cause, detail });
  }
}
