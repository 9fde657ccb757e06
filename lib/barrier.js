'use strict';
// Barrier: `parties` threads meet, generation after generation. Layout in
// src/sync/barrier.rs; every arrival goes through Rust (it is a wait anyway).

const { native, waitAsync } = require('./runtime.js');
const { timeoutOf, signalOf, integer } = require('./validate.js');
const shared = require('./shared.js');
const errors = require('./errors.js');

const { STATUS_OK, STATUS_LEADER } = native;
const W = native.HEADER_BYTES / 4; // generation word; W + 1: arrived
const BROKEN = 1 << 31;
const { inspectSymbol, inspected } = require('./inspect.js');
const LEADER = Object.freeze({ isLeader: true });
const FOLLOWER = Object.freeze({ isLeader: false });

function outcome(status, timeout) {
  if (status === STATUS_LEADER) return LEADER;
  if (status === STATUS_OK) return FOLLOWER;
  throw errors.fromStatus(status, 'Barrier', timeout);
}

/**
 * A reusable barrier in shared memory: `wait()` returns once `parties` threads
 * have arrived; exactly one of each generation gets `{ isLeader: true }`.
 */
class Barrier {
  /** Bytes a Barrier occupies in a SharedArrayBuffer. */
  static get byteLength() {
    return native.BARRIER_BYTES;
  }
  /** Required alignment of `byteOffset`. */
  static get alignment() {
    return native.OBJECT_ALIGN;
  }

  #i32;
  #parties;

  constructor(parties, options) {
    if (!shared.isOpen(options)) integer('parties', parties, 1, 0x7fffffff);
    ({ i32: this.#i32, param: this.#parties } = shared.setUp(this, Barrier, native.KIND_BARRIER, options, parties));
    if (this.#parties < 1) throw new errors.BadLayoutError(`Barrier: corrupted header (parties = ${this.#parties})`);
  }

  /** Reopens a Barrier received from another thread (or placed at `{ buffer, byteOffset }`). */
  static from(value) {
    return shared.from(Barrier, value, (options) => new Barrier(undefined, options));
  }

  /**
   * Arrives and blocks until all parties have: `{ isLeader }`. A timeout
   * throws TimeoutError and breaks the barrier for the other waiters
   * (`ERR_SHMKIT_BARRIER_BROKEN`) until `reset()`.
   */
  wait(options) {
    const timeout = timeoutOf(options);
    return outcome(native.barrierWait(this.#i32, this.#parties, timeout), timeout);
  }

  /** The async form of `wait`. `{ timeout, signal }`; a timeout or abort breaks the barrier. */
  async waitAsync(options) {
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    if (signal !== undefined && signal.aborted) throw signal.reason;
    const i32 = this.#i32;
    const parties = this.#parties;
    return waitAsync(
      'Barrier',
      (id) => native.barrierWaitAsync(i32, parties, id),
      (id) => native.barrierCancel(i32, id),
      outcome,
      timeout,
      signal,
    );
  }

  /** Breaks the current generation (its waiters get ERR_SHMKIT_BARRIER_BROKEN) and starts a fresh one. */
  reset() {
    native.barrierReset(this.#i32);
  }

  /** How many threads must arrive for each generation. */
  get parties() {
    return this.#parties;
  }

  /** How many have arrived in the current generation. */
  get waiting() {
    native.barrierSettle(this.#i32); // a party that died waiting broke it
    return Math.max(0, Atomics.load(this.#i32, W + 1));
  }

  /** True once a party gave up (or died waiting), until `reset()`. */
  get isBroken() {
    native.barrierSettle(this.#i32);
    return (Atomics.load(this.#i32, W) & BROKEN) !== 0;
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('Barrier', #i32 in this, depth, options, inspect, () => {
      native.barrierSettle(this.#i32);
      const g = Atomics.load(this.#i32, W);
      return { parties: this.#parties, waiting: this.waiting, generation: g & ~BROKEN, broken: (g & BROKEN) !== 0 };
    });
  }
}

shared.register(Barrier);

module.exports = { Barrier };
