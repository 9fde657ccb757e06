'use strict';
// RwLock: many readers or one writer. The word layout and state table are in
// src/sync/rwlock.rs; the fast paths here are the four transitions it gives to
// JS (reader count +1 / -1 with no flag set, 0 <-> WRITE_LOCKED|me).

const { native, FAST, TID, READ_HOLDS: readHolds, HOLD_TABLE: holdTable, THREAD_STATE: thread, waitAsync } = require('./runtime.js');
const { timeoutOf, signalOf, func } = require('./validate.js');
const shared = require('./shared.js');
const errors = require('./errors.js');

const { STATUS_OK, STATUS_POISONED, STATUS_WOULD_BLOCK } = native;
const W = native.HEADER_BYTES / 4; // index of the state word
const FLAGS = native.RWLOCK_FLAGS_MASK | 0;
const LOW = ~FLAGS;
const WRITE_LOCKED = native.RWLOCK_WRITE_LOCKED_BIT | 0;
const POISONED = native.RWLOCK_POISONED_BIT | 0;
const { inspectSymbol, inspected } = require('./inspect.js');
const kGuard = Symbol('shmkit.RwLockGuard');

let release; // (rwlock, write) => void, defined inside RwLock (it reads #i32)

// How many read locks this thread holds on each RwLock, whichever object
// over its memory took them: two objects reopening one lock in one thread
// (attach() twice, RwLock.from() of a value that came again) share the
// count, so a recursive read() or a write() after read() is refused through
// either, and through every copy of this module loaded in the thread (the map
// is in the thread's runtime state). Keyed by the memory (native.objectKey):
// objectKey -> WeakRef<{ key, creation, reads, entry }>; an entry lives while
// some object over that memory does. `creation` is the lock's creation stamp
// (native.CREATION_WORD): a new lock in memory an old one had (freed and
// reused) starts from a record of its own, whatever the old one left.
//
// While a record counts read locks, it also counts them in this thread's
// hold table (src/sync/read_holds.rs has its layout: [objectKey, creation,
// count] per entry; `entry` is the record's index there, or -1), which Rust
// reads when the thread exits, so that read locks a thread still holds then
// are given back. The count there goes up only once a lock is taken and down
// before it is released, with plain stores (which worker.terminate() cannot
// cut in two), so it never counts a read lock the thread does not hold. An
// entry is freed when its count is back to 0 (a record collected while it
// counts read locks keeps its entry: no guard can release them any more, and
// the exit gives them back).
const forgetHolds = new FinalizationRegistry((key) => {
  if (readHolds.get(key)?.deref() === undefined) readHolds.delete(key);
});
const ACCEPTED = native.RWLOCK_HOLD_ACCEPTED; // the table's word for an async wait's id

/** The read-hold count this thread keeps for the RwLock in `i32`. */
function holdsOf(i32) {
  const key = native.objectKey(i32);
  const creation = Atomics.load(i32, native.CREATION_WORD);
  let holds = readHolds.get(key)?.deref();
  if (holds === undefined || holds.creation !== creation) {
    holds = { key, creation, reads: 0, entry: -1 };
    readHolds.set(key, new WeakRef(holds));
    forgetHolds.register(holds, key);
  }
  return holds;
}

/** One more read lock counted in `holds` (just taken). */
function countRead(holds) {
  const at = holds.entry >= 0 ? holds.entry : entryFor(holds);
  const reads = ++holds.reads;
  if (at >= 0) {
    // With the count, in one run of plain stores: the async wait whose
    // outcome (this read lock) is being delivered, if so (see
    // src/sync/read_holds.rs: a delivery cut short after this point leaves
    // the lock to the table, before it to the lot).
    holdTable[ACCEPTED] = thread.delivering;
    holdTable[at + 2] = reads;
  }
}

/** One read lock fewer counted in `holds` (about to be released). */
function uncountRead(holds) {
  const reads = --holds.reads;
  const at = holds.entry;
  if (at < 0) return;
  holdTable[at + 2] = reads;
  if (reads === 0) {
    holdTable[at] = 0; // free again
    holds.entry = -1;
  }
}

/** A free entry of the hold table, now `holds`'s; -1 when all are taken (these read locks are then not given back if the thread exits holding them). */
function entryFor(holds) {
  for (let at = 0; at < ACCEPTED; at += 3) {
    if (holdTable[at] === 0) {
      holdTable[at + 1] = holds.creation;
      holdTable[at + 2] = 0;
      holdTable[at] = holds.key;
      holds.entry = at;
      return at;
    }
  }
  return -1;
}

/** Shared part of the two guard classes. */
class RwLockGuard {
  #rwlock;
  #held = true;
  #write;
  constructor(rwlock, write, token) {
    if (token !== kGuard) throw errors.illegalConstructor(new.target.name, 'an RwLock gives guards: read(), write() and their forms');
    this.#rwlock = rwlock;
    this.#write = write;
  }
  /** The RwLock this guard holds (or held). */
  get rwlock() {
    return this.#rwlock;
  }
  /** True until `unlock()`. */
  get locked() {
    return this.#held;
  }
  /** Releases the lock. Throws `ERR_SHMKIT_NOT_OWNER` when already released. */
  unlock() {
    if (!this.#held) throw new errors.NotOwnerError('RwLock: this guard has already been unlocked');
    this.#held = false;
    release(this.#rwlock, this.#write);
  }
  /** Releases the lock if still held (for `using`). */
  [Symbol.dispose]() {
    if (this.#held) this.unlock();
  }
  [inspectSymbol](depth, options, inspect) {
    return inspected(this.constructor.name, #held in this, depth, options, inspect, () => ({ locked: this.#held }));
  }
}

/** Proof that the calling thread holds a read lock. */
class RwLockReadGuard extends RwLockGuard {}
/** Proof that the calling thread holds the write lock. */
class RwLockWriteGuard extends RwLockGuard {}

function poisonedError(guard) {
  return new errors.OwnerDiedError(
    'RwLock: a writer died holding this lock; you hold it now (error.guard), and it stays poisoned until clearPoison()',
    guard,
  );
}

/**
 * A readers-writer lock in shared memory that any thread can reopen.
 * Writer-preferring (a waiting writer stops new readers) and phase-fair (a
 * writer's unlock lets all waiting readers in), so neither side starves.
 */
class RwLock {
  /** Bytes an RwLock occupies in a SharedArrayBuffer. */
  static get byteLength() {
    return native.RWLOCK_BYTES;
  }
  /** Required alignment of `byteOffset`. */
  static get alignment() {
    return native.OBJECT_ALIGN;
  }

  #i32;
  #holds; // the read locks this thread holds on this lock, through any object (holdsOf)

  constructor(options) {
    this.#i32 = shared.setUp(this, RwLock, native.KIND_RWLOCK, options).i32;
    this.#holds = holdsOf(this.#i32);
  }

  /** Reopens an RwLock received from another thread (or placed at `{ buffer, byteOffset }`). */
  static from(value) {
    return shared.from(RwLock, value);
  }

  #guard(write) {
    if (!write) countRead(this.#holds);
    return write ? new RwLockWriteGuard(this, true, kGuard) : new RwLockReadGuard(this, false, kGuard);
  }

  #acquired(status, write, timeout) {
    if (status === STATUS_OK) return this.#guard(write);
    if (status === STATUS_POISONED) throw poisonedError(this.#guard(write));
    throw errors.fromStatus(status, 'RwLock', timeout);
  }

  #fastRead() {
    const i32 = this.#i32;
    const s = Atomics.load(i32, W);
    return FAST && (s & FLAGS) === 0 && s !== LOW && Atomics.compareExchange(i32, W, s, s + 1) === s;
  }

  #fastWrite() {
    return FAST && Atomics.compareExchange(this.#i32, W, 0, WRITE_LOCKED | TID) === 0;
  }

  /** Blocks until read-locked; returns a read guard. `{ timeout }`. */
  read(options) {
    const timeout = timeoutOf(options);
    if (this.#fastRead()) return this.#guard(false);
    if (this.#holds.reads > 0) {
      // A recursive read that cannot be granted at once would wait behind a
      // writer that waits for this very read lock.
      const status = native.rwlockTryLock(this.#i32, false);
      if (status === STATUS_WOULD_BLOCK) {
        throw new errors.DeadlockError('RwLock: a recursive read() behind a waiting writer would deadlock (this thread already holds a read lock)');
      }
      return this.#acquired(status, false);
    }
    return this.#acquired(native.rwlockLock(this.#i32, false, timeout), false, timeout);
  }

  /** Read-locks without waiting: a read guard, or `null`. */
  tryRead() {
    if (this.#fastRead()) return this.#guard(false);
    const status = native.rwlockTryLock(this.#i32, false);
    return status === STATUS_WOULD_BLOCK ? null : this.#acquired(status, false);
  }

  /** Resolves with a read guard. `{ timeout, signal }`. */
  async readAsync(options) {
    return this.#lockAsync(false, options);
  }

  /** Blocks until write-locked; returns a write guard. `{ timeout }`. */
  write(options) {
    const timeout = timeoutOf(options);
    if (this.#holds.reads > 0) {
      throw new errors.DeadlockError('RwLock: write() while this thread holds a read lock would deadlock (no upgrades)');
    }
    if (this.#fastWrite()) return this.#guard(true);
    return this.#acquired(native.rwlockLock(this.#i32, true, timeout), true, timeout);
  }

  /** Write-locks without waiting: a write guard, or `null`. */
  tryWrite() {
    if (this.#fastWrite()) return this.#guard(true);
    const status = native.rwlockTryLock(this.#i32, true);
    return status === STATUS_WOULD_BLOCK ? null : this.#acquired(status, true);
  }

  /** Resolves with a write guard. `{ timeout, signal }`. */
  async writeAsync(options) {
    return this.#lockAsync(true, options);
  }

  async #lockAsync(write, options) {
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    if (signal !== undefined && signal.aborted) throw signal.reason;
    if (write ? this.#fastWrite() : this.#fastRead()) return this.#guard(write);
    const i32 = this.#i32;
    return waitAsync(
      'RwLock',
      (id) => native.rwlockLockAsync(i32, write, id),
      (id) => native.rwlockCancel(i32, write, id),
      (status) => this.#acquired(status, write),
      timeout,
      signal,
    );
  }

  /** Runs `fn()` holding a read lock and returns its result. */
  withRead(fn, options) {
    func('fn', fn);
    return shared.syncResult('RwLock.withRead', 'withReadAsync', 'the read lock', withGuard(shared.releasingOnPoison('RwLock', () => this.read(options), options), fn));
  }

  /** Runs `fn()` holding the write lock and returns its result. */
  withWrite(fn, options) {
    func('fn', fn);
    return shared.syncResult('RwLock.withWrite', 'withWriteAsync', 'the write lock', withGuard(shared.releasingOnPoison('RwLock', () => this.write(options), options), fn));
  }

  /** Runs `await fn()` holding a read lock. `{ timeout, signal }`. */
  async withReadAsync(fn, options) {
    func('fn', fn);
    return withGuardAsync(await shared.releasingOnPoison('RwLock', () => this.readAsync(options), options), fn);
  }

  /** Runs `await fn()` holding the write lock. `{ timeout, signal }`. */
  async withWriteAsync(fn, options) {
    func('fn', fn);
    return withGuardAsync(await shared.releasingOnPoison('RwLock', () => this.writeAsync(options), options), fn);
  }

  /** Read locks held now (a thread holding two counts twice). */
  get readers() {
    const s = Atomics.load(this.#i32, W);
    return s & WRITE_LOCKED ? 0 : s & LOW;
  }

  /** True while a writer holds the lock. */
  get isWriteLocked() {
    return (Atomics.load(this.#i32, W) & WRITE_LOCKED) !== 0;
  }

  /** True after a writer died holding the lock, until `clearPoison()`. */
  get isPoisoned() {
    return (Atomics.load(this.#i32, W) & POISONED) !== 0;
  }

  /** Marks the protected data as repaired. */
  clearPoison() {
    Atomics.and(this.#i32, W, ~POISONED);
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('RwLock', #i32 in this, depth, options, inspect, () => {
      const s = Atomics.load(this.#i32, W);
      const [readersWaiting, writersWaiting] = native.rwlockWaiters(this.#i32);
      return {
        readers: s & WRITE_LOCKED ? 0 : s & LOW,
        writer: s & WRITE_LOCKED ? (s & LOW) - 1 : null,
        readersWaiting,
        writersWaiting,
        poisoned: (s & POISONED) !== 0,
      };
    });
  }

  static {
    release = (rwlock, write) => {
      const i32 = rwlock.#i32;
      if (!write) uncountRead(rwlock.#holds);
      if (FAST) {
        if (write) {
          if (Atomics.compareExchange(i32, W, WRITE_LOCKED | TID, 0) === (WRITE_LOCKED | TID)) return;
        } else {
          const s = Atomics.load(i32, W);
          if (s > 0 && (s & FLAGS) === 0 && Atomics.compareExchange(i32, W, s, s - 1) === s) return;
        }
      }
      const status = native.rwlockUnlock(i32, write);
      if (status !== STATUS_OK) throw errors.fromStatus(status, 'RwLock');
    };
  }
}

function withGuard(guard, fn) {
  try {
    return fn();
  } finally {
    guard.unlock();
  }
}

async function withGuardAsync(guard, fn) {
  try {
    return await fn();
  } finally {
    guard.unlock();
  }
}

shared.register(RwLock);

module.exports = { RwLock, RwLockReadGuard, RwLockWriteGuard };
