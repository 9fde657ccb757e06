'use strict';
// What RingBuffer and Queue share: element types, the control-word layout
// (exported by Rust), argument checks, and the blocking loops that spin
// briefly in JS and then sleep in Rust until the other side moves.

const { native, FAST, waitAsync } = require('./runtime.js');
const { timeoutOf, signalOf, isAbortOf, CheckedWaitOptions } = require('./validate.js');
const errors = require('./errors.js');
const { Turns } = require('./turns.js');
const intrinsics = require('./intrinsics.js');

const HEAD = native.RING_HEAD_WORD;
const TAIL = native.RING_TAIL_WORD;
const STATE = native.RING_STATE_WORD;
const CLOSED = native.RING_CLOSED_BIT;
const CONSUMERS_WAITING = native.RING_CONSUMERS_WAITING_BIT;
const PRODUCERS_WAITING = native.RING_PRODUCERS_WAITING_BIT;
// RingBuffer and Channel: a side's waiting bit is bit 31 of the index word it
// waits on (negative as an int32); the other 31 bits are the position.
const INDEX_WAITING = native.RING_INDEX_WAITING_BIT;
const INDEX_MASK = native.RING_INDEX_MASK;
// RingBuffer and Channel: beside each index, on its cache line, the token of
// the object that last moved it. An object whose token is not there any more
// refreshes its cache of the other side's index before it trusts it: other
// objects (threads) may have moved the ring on by any distance meanwhile,
// even a whole number of laps of the 31-bit positions.
const HEAD_TOKEN = native.RING_HEAD_TOKEN_WORD;
const RECV_POS = native.RING_RECV_POS_WORD; // a Channel's claimed receiver's unpublished position
const TAIL_TOKEN = native.RING_TAIL_TOKEN_WORD;

/** A token for one RingBuffer or Channel object: nonzero, and unique in the process (Rust counts them). */
function newToken() {
  return native.ringToken();
}
const DATA_OFFSET = native.RING_DATA_OFFSET;
// Re-checks in JS before sleeping: a few microseconds at most. JS cannot
// yield the CPU, so a longer spin only keeps a partner that shares the core
// from running; Rust's wait polls with yields before it parks. With the fast
// paths switched off, every wait goes straight to Rust (the tests do both).
const SPINS = FAST ? 100 : 0;
// About the same few microseconds for a ring whose failed try-calls back off (RingBuffer).
const SPINS_WITH_BACKOFF = FAST ? 6 : 0;

/**
 * How a ring's blocking forms sleep: the waiting bits its waits pass to Rust
 * (src/ring/mod.rs has both layouts) and how many try-calls they make first.
 */
const MPMC = { producersFlag: PRODUCERS_WAITING, consumersFlag: CONSUMERS_WAITING, spins: SPINS };
const SPSC = { producersFlag: INDEX_WAITING, consumersFlag: INDEX_WAITING, spins: SPINS_WITH_BACKOFF };
// Sleeps are cut into slices of at most this many ms, after each of which the
// ring is checked again. Wake-ups are rarely missed (a Queue's sleepers watch
// the stamp of the slot they need, so a mover paused between its claim and
// its publish still wakes them when it publishes; a Queue wakes one blocked
// sleeper per item, and one woken as its thread is terminated passes the wake
// on); a thread terminated between its publish and its wake call can still
// miss one. A parked thread re-checks its condition every 20 ms in Rust, and
// the slice bounds an async wait the same way: any miss becomes latency,
// never a hang.
const SLICE = 50;

// Back-off for polling loops. A try-call that finds the ring full (or empty)
// even after re-reading the other side's index, within POLL_GAP_MS of its
// previous miss on the same object (so: in a loop like
// `while (!ring.tryPush(v));`), pauses before it returns false (undefined,
// 0). Such a loop then reads the other side's cache line a few million times
// a second instead of tens of millions, so the other side keeps that line
// and runs at full speed: the ring fills (or drains) by a run of values,
// which then move with one index read between them, instead of every value
// dragging two cache lines between the cores. A miss after a quiet spell
// (an occasional poll) returns at once.
// The pause is BACKOFF Atomics loads of a word of this thread's own (about
// 0.6-0.8 µs on Node 20 to 26, none of which inlines them: each is a
// builtin call): a load the compiler cannot drop, touching no shared line. Longer
// pauses make longer runs (measured here: 64 loads ~55 M values/s, 128 ~60,
// 256 ~65) but add their length to the latency of a polling consumer.
const BACKOFF = 128;
const POLL_GAP_MS = 0.002;
const idle = new Int32Array(1);

/**
 * Called on a miss: pauses when the object's previous miss (`lastMiss`, a
 * `performance.now()` time) was within POLL_GAP_MS; returns the time of this
 * one, to keep for the next.
 */
function missed(lastMiss) {
  const now = performance.now();
  if (now - lastMiss < POLL_GAP_MS) {
    for (let i = 0; i < BACKOFF; i++) Atomics.load(idle, 0);
  }
  return now;
}

// Float16Array (ES2025) is a global from Node 24 on; where the runtime has
// none, its code names no type here, and a ring of it cannot be opened.
const Float16 = typeof globalThis.Float16Array === 'function' ? globalThis.Float16Array : null;

/** Element type codes, as the header stores them (index = code); src/layout.rs `elem_size` has their sizes. */
const ELEMENT_TYPES = [
  null,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  Float16,
];

const TYPE_NAMES = `a TypedArray constructor (Int8Array ... BigUint64Array${Float16 === null ? '' : ', Float16Array'})`;

/** The header code of a TypedArray constructor, or throws ERR_INVALID_ARG_TYPE. */
function elementCode(Type) {
  const code = Type === null ? -1 : ELEMENT_TYPES.indexOf(Type);
  if (code <= 0) throw errors.invalidArgType('Type', TYPE_NAMES, Type);
  return code;
}

/**
 * The TypedArray constructor of header code `elem` (one the native layout
 * check accepted), or throws ERR_SHMKIT_BAD_LAYOUT for a type this runtime
 * does not have (a Float16Array ring in memory that a newer Node wrote).
 */
function elementType(elem, what) {
  const T = ELEMENT_TYPES[elem];
  if (typeof T !== 'function') throw new errors.BadLayoutError(`${what}: element type ${elem} (Float16Array) is not available on this runtime`);
  return T;
}

/** `capacity` rounded up to a power of two, or throws. */
function capacityOf(capacity) {
  if (typeof capacity !== 'number') throw errors.invalidArgType('capacity', 'a number', capacity);
  const max = native.RING_MAX_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > max) {
    throw errors.outOfRange('capacity', `an integer from 1 to ${max}`, capacity);
  }
  let cap = 2;
  while (cap < capacity) cap *= 2;
  return cap;
}

function closedError(what) {
  return new errors.ClosedError(`${what}: closed`);
}

/**
 * Tells how many values a failed `write` had written, on shmkit's own errors
 * only: an AbortSignal's reason is the caller's object (even a shmkit error),
 * often shared by every call the signal stops, and is passed on unmodified
 * (the async form checks for it first).
 */
function withWritten(err, written) {
  if (err instanceof errors.ShmkitError) err.written = written;
  return err;
}

/** A deadline for a `timeout` (ms; -1 = none). */
function deadlineOf(timeout) {
  return timeout < 0 ? Infinity : performance.now() + timeout;
}

/** The start of a call with `timeout` (ms; -1 = none): `performance.now()`, read only when needed. */
function now(timeout) {
  return timeout < 0 ? 0 : performance.now();
}

/** What is left of `timeout` (-1 = none) for a call that began at `t0` (from `now`). */
function left(timeout, t0) {
  return timeout < 0 ? -1 : Math.max(0, t0 + timeout - performance.now());
}

function remaining(deadline) {
  if (deadline === Infinity) return -1;
  return Math.max(0, deadline - performance.now());
}

// Set by a Queue try-call that gave up its bounded retries because another
// thread stayed paused between claiming a slot and publishing it (preempted,
// terminated right there, or a stray write). A blocking form that sees it
// stops spinning and sleeps a slice: each such try-call costs milliseconds.
let stalled = false;

/** Called by a try-call that ran out of retries (see `stalled`). */
function noteStall() {
  stalled = true;
}

/**
 * What a sleeper on ring word `index` watches, as ringWait's
 * `[watch, expected, own]` (see `words` in src/ring/mod.rs): `index` itself
 * (`watch` undefined); a Channel sender's head and the claimed receiver's
 * unpublished position (`watch` = RECV_POS); or a Queue's stamp of the slot
 * at its own index (`watch(position)` names it: read the index, then the stamp).
 */
function watchOf(ctrl, index, watch) {
  if (watch === undefined) return [index, Atomics.load(ctrl, index), 0];
  if (watch === RECV_POS) {
    const own = Atomics.load(ctrl, RECV_POS);
    return [RECV_POS, Atomics.load(ctrl, index), own];
  }
  const own = Atomics.load(ctrl, index === HEAD ? TAIL : HEAD);
  const watched = watch(own);
  return [watched, Atomics.load(ctrl, watched), own];
}

/**
 * Blocks until `attempt(last)` returns something other than `undefined`:
 * spins re-trying, then sleeps in Rust until ring word `index` moves away
 * from the value it had. `last` is true for the look just before each sleep
 * (a Channel sender then also reads the receiver's unpublished position). A
 * Queue passes `watch(position)`, which names the stamp of the slot at
 * `position` of the sleeper's own index (the other of head and tail): it
 * sleeps until that stamp or its own index moves, since a mover paused
 * between its claim and its publish has moved `index` already; a Channel
 * sender passes RECV_POS (see `watchOf`). `attempt` also decides about
 * closing (it throws, or returns a final value). Throws TimeoutError when
 * `timeout` passes; its message names `stated`, the caller's own timeout,
 * where `timeout` is what is left of it.
 */
function blockUntil(what, ctrl, index, flag, attempt, timeout, spins = SPINS, watch = undefined, stated = timeout) {
  const deadline = deadlineOf(timeout);
  let spin = timeout !== 0;
  for (;;) {
    stalled = false;
    for (let i = spin ? 0 : spins; i < spins; i++) {
      const result = attempt(false);
      if (result !== undefined) return result;
      if (stalled) break; // another thread is paused mid-operation: sleep a slice rather than spin
    }
    const [watched, seen, own] = watchOf(ctrl, index, watch);
    stalled = false;
    const result = attempt(true);
    if (result !== undefined) return result;
    spin = !stalled; // still paused: after the slice, look once more before spinning again
    const left = remaining(deadline);
    if (left === 0) throw errors.fromStatus(native.STATUS_TIMEOUT, what, stated);
    const status = native.ringWait(ctrl, index, flag, watched, seen, own, left === -1 ? SLICE : Math.min(left, SLICE));
    if (status !== native.STATUS_OK && status !== native.STATUS_TIMEOUT) throw errors.fromStatus(status, what);
  }
}

/** The async form of `blockUntil`. `{ timeout, signal }` validated by the caller. */
async function blockUntilAsync(what, ctrl, index, flag, attempt, timeout, signal, watch = undefined, stated = timeout) {
  const deadline = deadlineOf(timeout);
  // A Channel sender's sleeps are short (1 ms) until one times out: a
  // receiver may have looked for the sender's waiting bit just before the
  // sender set it, and stored its position just after the sender looked
  // (see #take in channel.js); the next slice sees that store.
  const short = watch === RECV_POS ? 1 : SLICE;
  let slice = short;
  for (;;) {
    if (signal !== undefined && signal.aborted) throw signal.reason;
    const [watched, seen, own] = watchOf(ctrl, index, watch);
    const result = attempt(true);
    if (result !== undefined) return result;
    const left = remaining(deadline);
    if (left === 0) throw errors.fromStatus(native.STATUS_TIMEOUT, what, stated);
    try {
      await waitAsync(
        what,
        (id) => native.ringWaitAsync(ctrl, index, flag, watched, seen, own, id),
        (id) => native.ringCancel(ctrl, index, flag, id),
        () => undefined,
        left === -1 ? slice : Math.min(left, slice),
        signal,
      );
      slice = short; // woken: the next sleep is short again
    } catch (err) {
      // The end of a slice: look again (the overall deadline is checked above).
      if (!(err instanceof errors.TimeoutError)) throw err;
      slice = SLICE;
    }
  }
}

/** Throws ERR_INVALID_ARG_TYPE unless `v` fits a ring of numbers (or of bigints). */
function checkValue(bigint, v) {
  if (bigint ? typeof v !== 'bigint' : typeof v !== 'number') {
    throw errors.invalidArgType('value', bigint ? 'a bigint' : 'a number', v);
  }
}

// The TypedArray intrinsics a batch copy uses, taken once. The caller's
// array may be a subclass, or carry an own `length` accessor: what such code
// runs must not run in the middle of a copy, between reading the ring's
// indices and publishing the new one, where a call it made on the same ring
// would move it under the copy. `set` reads its source through internal
// slots; `subarray` would look up the subclass's species, so a part of the
// caller's array is made with the intrinsic constructor of its type. They
// come from lib/intrinsics.js, bound at load, so a replaced
// Function.prototype.call cannot answer for them either.
const VIEW_TYPES = Object.fromEntries(
  ELEMENT_TYPES.filter((T) => T !== null).map((T) => [T.name, T]),
);

/** A typed array's length, whatever it overrides. */
const lengthOf = intrinsics.typedArrayLength;

/** Elements [start, end) of `view` as a plain array of its own type over the same memory. */
function partOf(view, start, end) {
  const Type = VIEW_TYPES[intrinsics.typedArrayTypeName(view)];
  return new Type(intrinsics.typedArrayBuffer(view), intrinsics.typedArrayByteOffset(view) + start * Type.BYTES_PER_ELEMENT, end - start);
}

/**
 * A batch being written had `total` values at the call, `written` of them
 * written so far. Its buffer detached meanwhile (transferred, say) or
 * shrunk, what is left of it cannot be written: ERR_INVALID_ARG_VALUE
 * carrying `written`.
 */
function checkValuesLeft(values, written, total) {
  if (lengthOf(values) < total) {
    const err = errors.invalidArgValue('values', values, `lost its bytes (its buffer was detached or shrunk) after ${written} of its ${total} values were written`);
    err.written = written;
    throw err;
  }
}

/** `target.set(source, offset)`, whatever `target` overrides. */
const copy = intrinsics.typedArraySet;

/**
 * Throws ERR_INVALID_ARG_TYPE unless `src` is a TypedArray of the ring's kind
 * (numbers or bigints). Its kind from its internal slots, not `instanceof`:
 * an array made in another realm (a `vm` context) is one too, and a Proxy
 * of one is not (the intrinsics that copy it would throw on it).
 */
function checkBatch(bigint, src) {
  const type = intrinsics.typedArrayTypeName(src); // undefined for anything but a TypedArray
  if (type === undefined) throw errors.invalidArgType('values', 'a TypedArray', src);
  const isBig = type === 'BigInt64Array' || type === 'BigUint64Array';
  if (isBig !== bigint) {
    throw errors.invalidArgType('values', bigint ? 'a BigInt64Array or BigUint64Array' : 'a TypedArray of numbers', src);
  }
  return src;
}

/** TypedRing's set-up, for its subclasses' constructors (not a public static). */
let initTypedRing;

/**
 * What RingBuffer and Queue share: the blocking and async forms, the batch
 * forms that wait, close and the iterators, written once on top of each
 * subclass's non-blocking `tryPush`, `tryPop`, `pushMany` and `popMany`.
 */
class TypedRing {
  #c;
  #what;
  #bigint;
  #pf; // producers' waiting bit
  #cf; // consumers' waiting bit
  #spins;
  #pw; // what producers' sleeps watch (see blockUntil): undefined for the head itself
  #cw; // and consumers': undefined for the tail
  #pushTurns; // this object's async pushes and writes, in call order (lib/turns.js)
  #popTurns; // and its async pops and reads

  /**
   * Called by the subclass constructor once its memory is set up. `protocol`:
   * MPMC (Queue) or SPSC (RingBuffer, whose failed try-calls back off).
   * `watch`, for a Queue: `{ producers, consumers }`, each mapping the
   * sleeper's own position (tail, head) to the word it watches: the stamp
   * of the slot there.
   */
  static {
    initTypedRing = (ring, c, what, bigint, protocol, watch) => {
      ring.#c = c;
      ring.#what = what;
      ring.#bigint = bigint;
      ring.#pf = protocol.producersFlag;
      ring.#cf = protocol.consumersFlag;
      ring.#spins = protocol.spins;
      ring.#pw = watch?.producers;
      ring.#cw = watch?.consumers;
      ring.#pushTurns = new Turns(what);
      ring.#popTurns = new Turns(what);
    };
  }

  #pushOrNothing(v) {
    return this.tryPush(v) ? true : undefined;
  }

  #popOrEnd() {
    const v = this.tryPop();
    if (v !== undefined) return { v };
    if (Atomics.load(this.#c, STATE) & CLOSED) return { v: this.tryPop() }; // pushed just before close
    return undefined;
  }

  /**
   * Values into `target` if there are any (how many), 0 once closed and
   * drained, else undefined. `total`: the target's length at the call. A
   * target whose buffer was detached (transferred, say) or
   * shrunk meanwhile has no room for what it waited for: ERR_INVALID_ARG_VALUE,
   * nothing read (not a wait for values that could never land).
   */
  #readOrEnd(target, total) {
    if (total !== undefined && lengthOf(target) < total) {
      throw errors.invalidArgValue('target', target, 'lost its room (its buffer was detached or shrunk) while it waited for values; nothing was read');
    }
    const n = this.popMany(target);
    if (n > 0) return n;
    if (Atomics.load(this.#c, STATE) & CLOSED) return this.popMany(target);
    return undefined;
  }

  /** Pushes `v`, blocking while full. `{ timeout }`. */
  push(v, options) {
    checkValue(this.#bigint, v);
    const timeout = timeoutOf(options);
    if (this.tryPush(v)) return;
    blockUntil(this.#what, this.#c, HEAD, this.#pf, () => this.#pushOrNothing(v), timeout, this.#spins, this.#pw);
  }

  /** Resolves once `v` is pushed (after this object's earlier async pushes and writes). `{ timeout, signal }`. */
  async pushAsync(v, options) {
    checkValue(this.#bigint, v);
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    // Nothing of this object's pending: a push that finds room needs no turn.
    if (this.#pushTurns.pending === 0 && !signal?.aborted && this.tryPush(v)) return;
    await this.#pushTurns.run(
      (_, t0) => blockUntilAsync(this.#what, this.#c, HEAD, this.#pf, () => this.#pushOrNothing(v), left(timeout, t0), signal, this.#pw, timeout),
      timeout,
      now(timeout),
      signal,
    );
  }

  /** Pops a value, blocking while empty; `undefined` once closed and drained. `{ timeout }`. */
  pop(options) {
    const timeout = timeoutOf(options);
    const v = this.tryPop();
    if (v !== undefined) return v;
    return blockUntil(this.#what, this.#c, TAIL, this.#cf, () => this.#popOrEnd(), timeout, this.#spins, this.#cw).v;
  }

  /** Resolves with a value (after this object's earlier async pops and reads); `undefined` once closed and drained. `{ timeout, signal }`. */
  async popAsync(options) {
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    if (this.#popTurns.pending === 0 && !signal?.aborted) {
      const v = this.tryPop(); // a value there needs no turn
      if (v !== undefined) return v;
    }
    const got = await this.#popTurns.run(
      (_, t0) => blockUntilAsync(this.#what, this.#c, TAIL, this.#cf, () => this.#popOrEnd(), left(timeout, t0), signal, this.#cw, timeout),
      timeout,
      now(timeout),
      signal,
    );
    return got.v;
  }

  /** Writes all of `values`, blocking while full. `{ timeout }`: a shmkit error carries `written`. */
  write(values, options) {
    checkBatch(this.#bigint, values);
    // Its length at the call (before the options' getters run), read once
    // (an own `length` accessor could say anything), and what is left of it
    // as a part of that length: a view that tracks a growable buffer which
    // grows meanwhile writes no more than that.
    const total = lengthOf(values);
    const timeout = timeoutOf(options);
    let written = 0;
    try {
      checkValuesLeft(values, written, total);
      written = this.pushMany(lengthOf(values) === total ? values : partOf(values, 0, total));
      if (written === total) return written;
      blockUntil(this.#what, this.#c, HEAD, this.#pf, () => {
        checkValuesLeft(values, written, total);
        written += this.pushMany(partOf(values, written, total));
        return written === total ? written : undefined;
      }, timeout, this.#spins, this.#pw);
    } catch (err) {
      throw withWritten(err, written);
    }
    return written;
  }

  /** Resolves once all of `values` are written (after this object's earlier async pushes and writes). `{ timeout, signal }`. */
  async writeAsync(values, options) {
    checkBatch(this.#bigint, values);
    const total = lengthOf(values); // at the call, before the options' getters run
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    let written = 0;
    const writeAll = (_, t0) =>
      blockUntilAsync(this.#what, this.#c, HEAD, this.#pf, () => {
        checkValuesLeft(values, written, total);
        // (To the length at the call: a length-tracking view over a buffer
        // that grows meanwhile would go on past it.)
        written += this.pushMany(partOf(values, written, total));
        return written === total ? written : undefined;
      }, left(timeout, t0), signal, this.#pw, timeout);
    try {
      await this.#pushTurns.run(writeAll, timeout, now(timeout), signal);
    } catch (err) {
      if (isAbortOf(signal, err)) throw err; // the caller's reason: left as it is
      throw withWritten(err, written);
    }
    return written;
  }

  /** Reads at least one value into `target`, blocking while empty; 0 once closed and drained. `{ timeout }`. */
  read(target, options) {
    checkBatch(this.#bigint, target);
    const total = lengthOf(target); // at the call, before the options' getters run
    const timeout = timeoutOf(options);
    if (total === 0) return 0;
    const n = this.#readOrEnd(target, total);
    if (n !== undefined) return n;
    return blockUntil(this.#what, this.#c, TAIL, this.#cf, () => this.#readOrEnd(target, total), timeout, this.#spins, this.#cw);
  }

  /** Resolves with how many values were read into `target` (at least one; 0 once closed and drained; after this object's earlier async pops and reads). */
  async readAsync(target, options) {
    checkBatch(this.#bigint, target);
    const total = lengthOf(target); // at the call, before the options' getters run
    const timeout = timeoutOf(options);
    const signal = signalOf(options);
    if (signal?.aborted) throw signal.reason; // as every async wait, even one with nothing to wait for
    if (total === 0) return 0;
    return this.#popTurns.run(
      (_, t0) => blockUntilAsync(this.#what, this.#c, TAIL, this.#cf, () => this.#readOrEnd(target, total), left(timeout, t0), signal, this.#cw, timeout),
      timeout,
      now(timeout),
      signal,
    );
  }

  /** Ends the stream: pushes throw ERR_SHMKIT_CLOSED; pops drain, then return `undefined`; sleepers wake. */
  close() {
    native.ringClose(this.#c, this.#pf, this.#cf, 0);
  }

  /** True after `close()`. */
  get closed() {
    return (Atomics.load(this.#c, STATE) & CLOSED) !== 0;
  }

  /** True when there is nothing to pop (a snapshot). */
  get isEmpty() {
    return this.size === 0;
  }

  /** True when there is no room to push (a snapshot). */
  get isFull() {
    return this.size === this.capacity;
  }

  /**
   * Every value until closed and drained, both ways: `for … of` blocks
   * (workers), `for await` waits. `{ timeout }` bounds each wait;
   * `{ signal }` aborts the async form.
   */
  values(options) {
    return drain(this, this.pop, this.popAsync, options);
  }

  /** Async iteration: every value until closed and drained. */
  [Symbol.asyncIterator]() {
    return drain(this, this.pop, this.popAsync, undefined)[Symbol.asyncIterator]();
  }

  /** Blocking iteration (for workers): every value until closed and drained. */
  [Symbol.iterator]() {
    return drain(this, this.pop, this.popAsync, undefined)[Symbol.iterator]();
  }
}

/**
 * What `values()` and a Channel's `messages()` return: an iterable both
 * ways over what `take` (blocking) or `takeAsync` (async), called on
 * `self`, return until `undefined` (closed and drained), each item passed
 * through `map` (a Channel's `values()` deserializes: a sent `undefined`
 * must not end the loop, so the end is seen on the bytes). Every wait gets
 * the `timeout` of `options`; the async ones also its `signal`, whose abort
 * ends the loop by throwing its reason. The blocking form cannot see an
 * abort while it waits, but looks before each item. The options are
 * checked here, once.
 */
function drain(self, take, takeAsync, options, map = undefined) {
  const timeout = timeoutOf(options);
  const signal = signalOf(options);
  const each = timeout === -1 ? undefined : new CheckedWaitOptions(timeout, undefined);
  const eachAsync = timeout === -1 && signal === undefined ? undefined : new CheckedWaitOptions(timeout === -1 ? undefined : timeout, signal);
  return {
    *[Symbol.iterator]() {
      for (;;) {
        if (signal !== undefined && signal.aborted) throw signal.reason;
        const v = take.call(self, each);
        if (v === undefined) return;
        yield map === undefined ? v : map(v);
      }
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const v = await takeAsync.call(self, eachAsync);
        if (v === undefined) return;
        yield map === undefined ? v : map(v);
      }
    },
  };
}

module.exports = {
  drain,
  now,
  left,
  HEAD,
  TAIL,
  STATE,
  CLOSED,
  CONSUMERS_WAITING,
  PRODUCERS_WAITING,
  INDEX_WAITING,
  INDEX_MASK,
  HEAD_TOKEN,
  RECV_POS,
  TAIL_TOKEN,
  newToken,
  MPMC,
  SPSC,
  DATA_OFFSET,
  ELEMENT_TYPES,
  elementType,
  elementCode,
  capacityOf,
  closedError,
  withWritten,
  checkValue,
  checkBatch,
  lengthOf,
  partOf,
  copy,
  missed,
  noteStall,
  TypedRing,
  initTypedRing,
  blockUntil,
  blockUntilAsync,
  timeoutOf,
  signalOf,
};
