'use strict';
// Semaphore: permits in shared memory, FIFO-fair. The word layout is documented
// in src/sync/semaphore.rs; the fast paths here take or return permits with
// one CAS while the word is non-negative (nobody queued).

const { native, FAST, waitAsync } = require('./runtime.js');
const { timeoutOf, signalOf, func, integer } = require('./validate.js');
const shared = require('./shared.js');
const errors = require('./errors.js');

const { STATUS_OK, STATUS_WOULD_BLOCK, STATUS_OUT_OF_RANGE } = native;
const W = native.HEADER_BYTES / 4; // index of the state word
const AVAILABLE = native.SEMAPHORE_MAX_PERMITS;
const { inspectSymbol, inspected } = require('./inspect.js');

/**
 * A counting semaphore in shared memory that any thread can reopen. Waiters
 * are served in order, so a waiter asking for several permits is never
 * starved by a stream of single-permit waiters.
 */
class Semaphore {
  /** Bytes a Semaphore occupies in a SharedArrayBuffer. */
  static get byteLength() {
    return native.SEMAPHORE_BYTES;
  }
  /** Required alignment of `byteOffset`. */
  static get alignment() {
    return native.OBJECT_ALIGN;
  }
  /** The largest `max` (and number of permits) a Semaphore supports. */
  static get MAX_PERMITS() {
    return AVAILABLE;
  }

  #i32;
  #max;

  constructor(initial, options) {
    let max = AVAILABLE;
    if (!shared.isOpen(options)) {
      if (options === null) options = undefined;
      if (options !== undefined && typeof options !== 'object') {
        throw errors.invalidArgType('options', 'an object', options);
      }
      if (options?.max !== undefined) max = integer('options.max', options.max, 1, AVAILABLE);
      integer('initial', initial, 0, max);
    }
    ({ i32: this.#i32, param: this.#max } = shared.setUp(this, Semaphore, native.KIND_SEMAPHORE, options, max, initial));
  }

  /** Reopens a Semaphore received from another thread (or placed at `{ buffer, byteOffset }`). */
  static from(value) {
    return shared.from(Semaphore, value, (options) => new Semaphore(undefined, options));
  }

  #permits(n) {
    return n === undefined ? 1 : integer('n', n, 1, this.#max);
  }

  #take(n) {
    const s = Atomics.load(this.#i32, W);
    return s >= n && Atomics.compareExchange(this.#i32, W, s, s - n) === s;
  }

  #check(status, timeout) {
    if (status !== STATUS_OK) throw errors.fromStatus(status, 'Semaphore', timeout);
  }

  /** Blocks until `n` permits (default 1) are taken. `{ timeout }` in milliseconds. */
  acquire(n, options) {
    if (typeof n === 'object' && n !== null && options === undefined) [n, options] = [undefined, n];
    n = this.#permits(n);
    const timeout = timeoutOf(options);
    if (FAST && this.#take(n)) return;
    this.#check(native.semaphoreAcquire(this.#i32, n, this.#max, timeout), timeout);
  }

  /** Takes `n` permits (default 1) if that needs no waiting; true when taken. */
  tryAcquire(n) {
    n = this.#permits(n);
    if (FAST && this.#take(n)) return true;
    const status = native.semaphoreTryAcquire(this.#i32, n, this.#max);
    if (status === STATUS_WOULD_BLOCK) return false;
    this.#check(status);
    return true;
  }

  /** Resolves once `n` permits (default 1) are taken. `{ timeout, signal }`. */
  async acquireAsync(n, options) {
    if (typeof n === 'object' && n !== null && options === undefined) [n, options] = [undefined, n];
    n = this.#permits(n);
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    if (signal !== undefined && signal.aborted) throw signal.reason;
    if (FAST && this.#take(n)) return;
    const i32 = this.#i32;
    const max = this.#max;
    return waitAsync(
      'Semaphore',
      (id) => native.semaphoreAcquireAsync(i32, n, max, id),
      (id) => native.semaphoreCancel(i32, id, max),
      (status) => this.#check(status),
      timeout,
      signal,
    );
  }

  /** Returns `n` permits (default 1). More than `max` available is `ERR_OUT_OF_RANGE`. */
  release(n) {
    n = this.#permits(n);
    const i32 = this.#i32;
    if (FAST) {
      const s = Atomics.load(i32, W);
      if (s >= 0 && s + n <= this.#max && Atomics.compareExchange(i32, W, s, s + n) === s) return;
    }
    const status = native.semaphoreRelease(i32, n, this.#max);
    if (status === STATUS_OUT_OF_RANGE) {
      const available = this.available;
      throw errors.outOfRange('n', `at most ${this.#max - available} now (${available} of its max ${this.#max} permits are available)`, n);
    }
    this.#check(status);
  }

  /** Runs `fn()` holding one permit and returns its result. `{ timeout }`. */
  withPermit(fn, options) {
    func('fn', fn);
    this.acquire(1, options);
    try {
      return shared.syncResult('Semaphore.withPermit', 'withPermitAsync', 'the permit', fn());
    } finally {
      this.release(1);
    }
  }

  /** Runs `await fn()` holding one permit. `{ timeout, signal }`. */
  async withPermitAsync(fn, options) {
    func('fn', fn);
    await this.acquireAsync(1, options);
    try {
      return await fn();
    } finally {
      this.release(1);
    }
  }

  /** Permits available now. */
  get available() {
    return Atomics.load(this.#i32, W) & AVAILABLE;
  }

  /** The most permits that can be available. */
  get max() {
    return this.#max;
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('Semaphore', #i32 in this, depth, options, inspect, () => ({
      available: this.available,
      max: this.#max,
      waiters: native.waiterCount(this.#i32),
    }));
  }
}

shared.register(Semaphore);

module.exports = { Semaphore };
