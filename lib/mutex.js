'use strict';
// Mutex: an owner-recording lock in shared memory. The word layout and its
// state table are documented in src/sync/mutex.rs; the fast paths here are
// the two transitions that table gives to JS: CAS 0 -> me, and me -> 0.

const { native, FAST, TID, waitAsync } = require('./runtime.js');
const { timeoutOf, signalOf, func } = require('./validate.js');
const shared = require('./shared.js');
const errors = require('./errors.js');

const { STATUS_OK, STATUS_POISONED, STATUS_WOULD_BLOCK } = native;
const W = native.HEADER_BYTES / 4; // index of the state word
const OWNER = native.MUTEX_OWNER_MASK;
const POISONED = native.MUTEX_POISONED_BIT | 0;
const { inspectSymbol, inspected } = require('./inspect.js');

let unlockMutex; // (mutex) => void, defined inside the class (it reads #i32)
let viewOf; // (mutex) => Int32Array, for the Condvar
let dropGuard; // (guard) => void: the lock is no longer held (Condvar relock failed)
const kGuard = Symbol('shmkit.MutexGuard'); // only this module can make guards

/** Proof that the calling thread holds a Mutex; release it exactly once. */
class MutexGuard {
  #mutex;
  #held = true;
  /** @internal Guards come from Mutex only. */
  constructor(mutex, token) {
    if (token !== kGuard) throw errors.illegalConstructor('MutexGuard', 'a Mutex gives guards: lock(), tryLock(), lockAsync()');
    this.#mutex = mutex;
  }
  /** The mutex this guard holds (or held). */
  get mutex() {
    return this.#mutex;
  }
  /** True until `unlock()`. */
  get locked() {
    return this.#held;
  }
  /** Releases the lock. Throws `ERR_SHMKIT_NOT_OWNER` when already released. */
  unlock() {
    if (!this.#held) throw new errors.NotOwnerError('Mutex: this guard has already been unlocked');
    this.#held = false;
    unlockMutex(this.#mutex);
  }
  /** Releases the lock if still held (for `using`). */
  [Symbol.dispose]() {
    if (this.#held) this.unlock();
  }
  [inspectSymbol](depth, options, inspect) {
    return inspected('MutexGuard', #held in this, depth, options, inspect, () => ({ locked: this.#held }));
  }
  static {
    dropGuard = (guard) => {
      guard.#held = false;
    };
  }
}

/**
 * A mutual-exclusion lock in shared memory that any thread can reopen.
 * Records its owner thread: a dead owner poisons it (OwnerDiedError) instead
 * of leaving waiters hanging, and a deadlock throws instead of blocking.
 */
class Mutex {
  /** Bytes a Mutex occupies in a SharedArrayBuffer. */
  static get byteLength() {
    return native.MUTEX_BYTES;
  }
  /** Required alignment of `byteOffset`. */
  static get alignment() {
    return native.OBJECT_ALIGN;
  }

  #i32;

  constructor(options) {
    this.#i32 = shared.setUp(this, Mutex, native.KIND_MUTEX, options).i32;
  }

  /** Reopens a Mutex received from another thread (or placed at `{ buffer, byteOffset }`). */
  static from(value) {
    return shared.from(Mutex, value);
  }

  #acquired(status, timeout) {
    if (status === STATUS_OK) return new MutexGuard(this, kGuard);
    if (status === STATUS_POISONED) {
      throw new errors.OwnerDiedError(
        'Mutex: a thread died holding this lock; you hold it now (error.guard), and it stays poisoned until clearPoison()',
        new MutexGuard(this, kGuard),
      );
    }
    throw errors.fromStatus(status, 'Mutex', timeout);
  }

  /** Blocks until locked; returns the guard. `{ timeout }` in milliseconds. */
  lock(options) {
    const i32 = this.#i32;
    const timeout = options === undefined ? -1 : timeoutOf(options);
    if (FAST && Atomics.compareExchange(i32, W, 0, TID) === 0) return new MutexGuard(this, kGuard);
    return this.#acquired(native.mutexLock(i32, timeout), timeout);
  }

  /** Locks without waiting: a guard, or `null` when another holder has it. */
  tryLock() {
    const i32 = this.#i32;
    if (FAST && Atomics.compareExchange(i32, W, 0, TID) === 0) return new MutexGuard(this, kGuard);
    const status = native.mutexTryLock(i32);
    return status === STATUS_WOULD_BLOCK ? null : this.#acquired(status);
  }

  /** Resolves with a guard once locked. `{ timeout, signal }`. */
  async lockAsync(options) {
    const i32 = this.#i32;
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    if (signal !== undefined && signal.aborted) throw signal.reason;
    if (FAST && Atomics.compareExchange(i32, W, 0, TID) === 0) return new MutexGuard(this, kGuard);
    return waitAsync(
      'Mutex',
      (id) => native.mutexLockAsync(i32, id),
      (id) => native.mutexCancel(i32, id),
      (status) => this.#acquired(status),
      timeout,
      signal,
    );
  }

  /** Runs `fn()` holding the lock and returns its result. */
  withLock(fn, options) {
    func('fn', fn);
    const i32 = this.#i32;
    if (options !== undefined) timeoutOf(options);
    if (FAST && Atomics.compareExchange(i32, W, 0, TID) === 0) {
      try {
        return shared.syncResult('Mutex.withLock', 'withLockAsync', 'the lock', fn());
      } finally {
        if (Atomics.compareExchange(i32, W, TID, 0) !== TID) unlockMutex(this);
      }
    }
    const guard = shared.releasingOnPoison('Mutex', () => this.lock(options), options);
    try {
      return shared.syncResult('Mutex.withLock', 'withLockAsync', 'the lock', fn());
    } finally {
      guard.unlock();
    }
  }

  /** Runs `await fn()` holding the lock and resolves with its result. */
  async withLockAsync(fn, options) {
    func('fn', fn);
    const guard = await shared.releasingOnPoison('Mutex', () => this.lockAsync(options), options);
    try {
      return await fn();
    } finally {
      guard.unlock();
    }
  }

  /** True while some thread holds the lock. */
  get isLocked() {
    return (Atomics.load(this.#i32, W) & OWNER) !== 0;
  }

  /** True after a holder died, until `clearPoison()`. */
  get isPoisoned() {
    return (Atomics.load(this.#i32, W) & POISONED) !== 0;
  }

  /** Marks the protected data as repaired: later lockers no longer get OwnerDiedError. */
  clearPoison() {
    Atomics.and(this.#i32, W, ~POISONED);
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('Mutex', #i32 in this, depth, options, inspect, () => {
      const s = Atomics.load(this.#i32, W);
      const owner = s & OWNER;
      return {
        locked: owner !== 0,
        owner: owner === 0 ? null : owner - 1,
        waiters: native.waiterCount(this.#i32),
        poisoned: (s & POISONED) !== 0,
      };
    });
  }

  static {
    viewOf = (mutex) => mutex.#i32;
    unlockMutex = (mutex) => {
      const i32 = mutex.#i32;
      if (FAST && Atomics.compareExchange(i32, W, TID, 0) === TID) return;
      const status = native.mutexUnlock(i32);
      if (status !== STATUS_OK) throw errors.fromStatus(status, 'Mutex');
    };
  }
}

shared.register(Mutex);

/**
 * Reacquires `mutex` for a guard that already exists (after a Condvar wait):
 * resolves with the native status (OK or POISONED). `condvar`: the Condvar's
 * view when the wait was notified (the notify travels with the relock).
 */
function relockAsync(mutex, condvar) {
  const i32 = viewOf(mutex);
  if (FAST && Atomics.compareExchange(i32, W, 0, TID) === 0) return Promise.resolve(STATUS_OK);
  return waitAsync(
    'Mutex',
    // `condvar` (a notified wait's): the lot passes its notify on if this
    // thread exits before the lock reaches it.
    (id) => native.mutexLockAsync(i32, id, condvar),
    (id) => native.mutexCancel(i32, id),
    (status) => status,
    -1,
    undefined,
  );
}

module.exports = {
  Mutex,
  MutexGuard,
  internals: { viewOf: (m) => viewOf(m), dropGuard: (g) => dropGuard(g), relockAsync, unlock: (m) => unlockMutex(m) },
};
