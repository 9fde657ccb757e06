'use strict';
// Latch: a one-shot countdown. Layout and the no-lost-wake-up argument are in
// src/sync/latch.rs; counting down is a CAS loop in JS, and only reaching zero
// with waiters queued calls Rust.

const { native, FAST, waitAsync } = require('./runtime.js');
const { timeoutOf, signalOf, integer } = require('./validate.js');
const shared = require('./shared.js');
const errors = require('./errors.js');

const { STATUS_OK } = native;
const W = native.HEADER_BYTES / 4; // count; W + 1: waiting flag
const MAX = 0x7fffffff;
const { inspectSymbol, inspected } = require('./inspect.js');

/** A countdown latch in shared memory: waiters are released when the count reaches zero. */
class Latch {
  /** Bytes a Latch occupies in a SharedArrayBuffer. */
  static get byteLength() {
    return native.LATCH_BYTES;
  }
  /** Required alignment of `byteOffset`. */
  static get alignment() {
    return native.OBJECT_ALIGN;
  }

  #i32;

  constructor(count, options) {
    if (!shared.isOpen(options)) integer('count', count, 0, MAX);
    this.#i32 = shared.setUp(this, Latch, native.KIND_LATCH, options, count, count).i32;
  }

  /** Reopens a Latch received from another thread (or placed at `{ buffer, byteOffset }`). */
  static from(value) {
    return shared.from(Latch, value, (options) => new Latch(undefined, options));
  }

  /** Counts down by `n` (default 1). Below zero is ERR_OUT_OF_RANGE and changes nothing. */
  countDown(n = 1) {
    integer('n', n, 0, MAX);
    const i32 = this.#i32;
    if (FAST) {
      for (;;) {
        const c = Atomics.load(i32, W);
        if (c < n) break; // includes a negative (hostile) count
        if (Atomics.compareExchange(i32, W, c, c - n) !== c) continue;
        if (c - n === 0 && n > 0 && Atomics.load(i32, W + 1) !== 0) native.latchRelease(i32);
        return;
      }
    }
    const status = native.latchCountDown(i32, n);
    if (status !== STATUS_OK) {
      throw errors.outOfRange('n', `at most the remaining count (${this.count})`, n);
    }
  }

  /** What is left to count down. */
  get count() {
    return Math.max(0, Atomics.load(this.#i32, W));
  }

  /** True once the count is zero (never blocks). */
  tryWait() {
    return Atomics.load(this.#i32, W) <= 0;
  }

  /** Blocks until the count is zero. `{ timeout }`: TimeoutError when it passes. */
  wait(options) {
    const timeout = timeoutOf(options);
    if (FAST && Atomics.load(this.#i32, W) <= 0) return;
    const status = native.latchWait(this.#i32, timeout);
    if (status !== STATUS_OK) throw errors.fromStatus(status, 'Latch', timeout);
  }

  /** Resolves once the count is zero. `{ timeout, signal }`. */
  async waitAsync(options) {
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    if (signal !== undefined && signal.aborted) throw signal.reason;
    if (FAST && Atomics.load(this.#i32, W) <= 0) return;
    const i32 = this.#i32;
    return waitAsync(
      'Latch',
      (id) => native.latchWaitAsync(i32, id),
      (id) => native.latchCancel(i32, id),
      (status) => {
        if (status !== STATUS_OK) throw errors.fromStatus(status, 'Latch');
      },
      timeout,
      signal,
    );
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('Latch', #i32 in this, depth, options, inspect, () => ({ count: this.count, waiters: native.waiterCount(this.#i32) }));
  }
}

shared.register(Latch);

module.exports = { Latch };
