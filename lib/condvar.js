'use strict';
// Condvar: a condition variable for a shmkit Mutex. Layout and the no-lost-
// wake-up argument are in src/sync/condvar.rs. JS skips the native notify when
// the shared waiter count says nobody waits.

const { native, FAST, waitAsync } = require('./runtime.js');
const { timeoutOf, signalOf, func, isAbortOf } = require('./validate.js');
const { MutexGuard, internals } = require('./mutex.js');
const shared = require('./shared.js');
const errors = require('./errors.js');

const { STATUS_OK, STATUS_TIMEOUT, STATUS_POISONED } = native;
const W = native.HEADER_BYTES / 4; // the waiter count
const { inspectSymbol, inspected } = require('./inspect.js');

function heldGuard(guard) {
  if (!(guard instanceof MutexGuard)) throw errors.invalidArgType('guard', 'a MutexGuard', guard);
  if (!guard.locked) throw new errors.NotOwnerError('Condvar: the guard has been unlocked; wait needs the mutex held');
  return guard;
}

function poisoned(guard) {
  return new errors.OwnerDiedError(
    'Condvar: a thread died holding the mutex; you hold it again (error.guard, the same guard), and it stays poisoned until clearPoison()',
    guard,
  );
}

/**
 * A condition variable in shared memory, used with a Mutex: wait for a
 * predicate on shared data to change, without polling.
 */
class Condvar {
  /** Bytes a Condvar occupies in a SharedArrayBuffer. */
  static get byteLength() {
    return native.CONDVAR_BYTES;
  }
  /** Required alignment of `byteOffset`. */
  static get alignment() {
    return native.OBJECT_ALIGN;
  }

  #i32;

  constructor(options) {
    this.#i32 = shared.setUp(this, Condvar, native.KIND_CONDVAR, options).i32;
  }

  /** Reopens a Condvar received from another thread (or placed at `{ buffer, byteOffset }`). */
  static from(value) {
    return shared.from(Condvar, value);
  }

  /**
   * Releases the guard's mutex, sleeps until notified (or `timeout`), and
   * reacquires the mutex before returning: true when notified, false on timeout.
   */
  wait(guard, options) {
    heldGuard(guard);
    const status = native.condvarWait(this.#i32, internals.viewOf(guard.mutex), timeoutOf(options));
    if (status === STATUS_OK) return true;
    if (status === STATUS_TIMEOUT) return false;
    if (status === STATUS_POISONED) throw poisoned(guard);
    if (status !== native.STATUS_NOT_OWNER) internals.dropGuard(guard); // not relocked
    throw errors.fromStatus(status, 'Condvar');
  }

  /**
   * The async form of `wait`: resolves true when notified, false on timeout;
   * an abort rejects with the signal's reason. The mutex is held again
   * whenever the Promise settles (except for argument errors).
   */
  async waitAsync(guard, options) {
    heldGuard(guard);
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    if (signal !== undefined && signal.aborted) throw signal.reason;
    const cv = this.#i32;
    const mutex = guard.mutex;
    const m = internals.viewOf(mutex);
    let outcome;
    let released = false; // the native wait queued us and released the mutex: relock, whatever the outcome
    try {
      await waitAsync(
        'Condvar',
        (id) => {
          // A second start (after a RETRY) would find the mutex released
          // already: take it as a spurious wake-up, which a condvar may have.
          if (released) return native.STATUS_OK;
          const status = native.condvarWaitAsync(cv, m, id);
          if (status === native.STATUS_PENDING) released = true;
          return status;
        },
        (id) => native.condvarCancel(cv, id),
        (status) => {
          if (status === native.STATUS_NOT_OWNER) throw errors.fromStatus(status, 'Condvar');
          return status;
        },
        timeout,
        signal,
      );
      outcome = true;
    } catch (err) {
      if (!released) throw err; // the guard is still held as it was (NOT_OWNER, or a signal that failed before the wait)
      outcome = err;
    }
    // A notified wait's relock carries the notify: if this thread is
    // terminated before the lock reaches it, the lot passes the notify on.
    if ((await internals.relockAsync(mutex, outcome === true ? cv : undefined)) === STATUS_POISONED) throw poisoned(guard);
    if (outcome === true) return true;
    if (outcome instanceof errors.TimeoutError && !isAbortOf(signal, outcome)) return false;
    throw outcome;
  }

  /**
   * Waits while `predicate()` is true (checked under the lock, so spurious
   * wake-ups are hidden): true once it is false, false if `timeout` passed first.
   */
  waitWhile(guard, predicate, options) {
    heldGuard(guard);
    func('predicate', predicate);
    const timeout = timeoutOf(options);
    const deadline = timeout < 0 ? Infinity : performance.now() + timeout;
    while (predicate()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      this.wait(guard, left === Infinity ? undefined : { timeout: left });
    }
    return true;
  }

  /** The async form of `waitWhile`. `{ timeout, signal }`. */
  async waitWhileAsync(guard, predicate, options) {
    heldGuard(guard);
    func('predicate', predicate);
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    if (signal !== undefined && signal.aborted) throw signal.reason; // as every async wait: before anything else
    const deadline = timeout < 0 ? Infinity : performance.now() + timeout;
    while (await predicate()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await this.waitAsync(guard, { timeout: left === Infinity ? undefined : left, signal });
    }
    return true;
  }

  /** Wakes one waiter; returns how many were woken (0 or 1). */
  notifyOne() {
    if (FAST && Atomics.load(this.#i32, W) === 0) return 0;
    return native.condvarNotify(this.#i32, false);
  }

  /** Wakes every waiter; returns how many were woken. */
  notifyAll() {
    if (FAST && Atomics.load(this.#i32, W) === 0) return 0;
    return native.condvarNotify(this.#i32, true);
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('Condvar', #i32 in this, depth, options, inspect, () => ({ waiters: native.waiterCount(this.#i32) }));
  }
}

shared.register(Condvar);

module.exports = { Condvar };
