'use strict';
// Queue: a bounded multi-producer multi-consumer typed queue in shared memory,
// the design of crossbeam's ArrayQueue. Control words as in src/ring/mod.rs;
// after them, one i32 stamp per slot, then the slots.
//
// Positions are u32 and carry a lap: position = lap | index, with
// oneLap = 2 * capacity, so index = position & (oneLap - 1) < capacity.
//
//   stamp[i] == position        slot i is free for the producer at `position`
//   stamp[i] == position + 1    slot i holds the value for the consumer at `position`
//
// A producer claims `tail` with a CAS when the slot's stamp says free, writes
// the value, then publishes stamp = tail + 1. A consumer claims `head` when the
// stamp says full, reads, then frees the slot for the next lap:
// stamp = head + oneLap. Every item is delivered exactly once.
//
// Sleepers (src/ring/mod.rs) are woken one item at a time: a publish wakes
// one blocked consumer (and every async one), not all of them, since they
// all want the same next item. The woken one may find nothing (a producer
// that claimed an earlier slot has not published it yet) while later items
// wait; so a consumer that takes an item and sees the next one ready while
// others sleep wakes the next sleeper, and producers pass room on the same
// way. A sleeper also looks at its slot every 20 ms by itself.
//
// A thread terminated between its claim and its stamp store would leave the
// slot claimed for good (termination lands where JS calls a function, and
// the store is an Atomics call). So around that store the thread notes the
// step in its step record (STEP, plain stores, where termination never
// lands); its exit hands an open step to Rust, and a thread that finds the
// slot stuck after its retries has Rust finish it (src/ring/stranded.rs).

const { native, STEP } = require('./runtime.js');
const shared = require('./shared.js');
const errors = require('./errors.js');
const ring = require('./ring-common.js');

const { HEAD, TAIL, STATE, CLOSED, CONSUMERS_WAITING, PRODUCERS_WAITING, DATA_OFFSET } = ring;
const { inspectSymbol, inspected } = require('./inspect.js');
// Bound on retries of one try operation. Retries happen while another thread
// is between its claim and its publish; a thread killed right there, or a
// hostile write, would otherwise make us spin forever.
const MAX_RETRIES = 1 << 16;

/**
 * For a Queue of `capacity`: a function from a position to the word index of
 * the stamp of its slot (what a sleeper watches, see src/ring/mod.rs); word 0
 * (the header's magic, which never moves) if the position is corrupted.
 */
function stampWordOf(capacity) {
  const oneLap = 2 * capacity;
  const stampsAt = DATA_OFFSET / 4;
  return (position) => {
    const index = position & (oneLap - 1);
    return index < capacity ? stampsAt + index : 0;
  };
}

/** A bounded multi-producer, multi-consumer typed queue; capacity rounds up to a power of two. */
class Queue extends ring.TypedRing {
  #c; // Int32Array over the whole object: control words, then stamps
  #stampsAt; // word index of stamp 0
  #data;
  #cap;
  #oneLap;
  #bigint;
  #key; // native.objectKey: names this Queue's memory in the step record
  #creation; // its creation stamp (native.CREATION_WORD), also in the record

  /** Bytes a Queue of `capacity` elements of `Type` occupies. */
  static byteLengthFor(Type, capacity) {
    return native.objectByteLength(native.KIND_QUEUE, ring.capacityOf(capacity), ring.elementCode(Type));
  }

  /** Required alignment of `byteOffset`. */
  static get alignment() {
    return native.OBJECT_ALIGN;
  }

  constructor(Type, capacity, options) {
    super();
    let spec;
    if (!shared.isOpen(options)) {
      const elem = ring.elementCode(Type);
      const cap = ring.capacityOf(capacity);
      spec = { param: cap, elem, byteLength: native.objectByteLength(native.KIND_QUEUE, cap, elem) };
    }
    const { i32, param, elem } = shared.setUpSized(this, Queue, native.KIND_QUEUE, options, spec);
    const T = ring.elementType(elem, 'Queue');
    this.#c = i32;
    this.#cap = param;
    this.#oneLap = 2 * param;
    this.#stampsAt = DATA_OFFSET / 4;
    this.#bigint = T === BigInt64Array || T === BigUint64Array;
    this.#key = native.objectKey(i32);
    this.#creation = Atomics.load(i32, native.CREATION_WORD);
    // Sleepers watch the stamp of the slot they need next (src/ring/mod.rs).
    const stampWord = stampWordOf(param);
    ring.initTypedRing(this, i32, 'Queue', this.#bigint, ring.MPMC, { producers: stampWord, consumers: stampWord });
    const dataAt = DATA_OFFSET + Math.ceil((param * 4) / 8) * 8;
    this.#data = new T(i32.buffer, i32.byteOffset + dataAt, param);
  }

  /** True when the stamp of the slot at `position` reads `stamp` (free for that producer, or full for that consumer). */
  #ready(position, stamp) {
    const index = position & (this.#oneLap - 1);
    return index < this.#cap && Atomics.load(this.#c, this.#stampsAt + index) === stamp;
  }

  /** Reopens a Queue received from another thread (or placed at `{ buffer, byteOffset }`). */
  static from(value) {
    return shared.from(Queue, value, (options) => new Queue(undefined, undefined, options));
  }

  /** Pushes `v` if there is room: true, or false when full. Throws ERR_SHMKIT_CLOSED after close(). */
  tryPush(v) {
    ring.checkValue(this.#bigint, v);
    const c = this.#c;
    if (Atomics.load(c, STATE) & CLOSED) throw ring.closedError('Queue');
    const cap = this.#cap;
    const oneLap = this.#oneLap;
    let tail = Atomics.load(c, TAIL);
    for (let tries = 0; tries < MAX_RETRIES; tries++) {
      const index = tail & (oneLap - 1);
      if (index >= cap) return false; // corrupted position: refuse rather than guess
      const stamp = Atomics.load(c, this.#stampsAt + index);
      if (stamp === tail) {
        const next = index + 1 < cap ? (tail + 1) | 0 : ((tail & ~(oneLap - 1)) + oneLap) | 0;
        const seen = Atomics.compareExchange(c, TAIL, tail, next);
        if (seen === tail) {
          // The step record, written inline (a call would be a place where
          // termination lands), the key last: whole once it names a Queue.
          const word = this.#stampsAt + index;
          STEP[1] = word;
          STEP[2] = tail;
          STEP[3] = (tail + 1) | 0;
          STEP[4] = this.#creation;
          STEP[0] = this.#key;
          this.#data[index] = v;
          Atomics.store(c, word, (tail + 1) | 0);
          STEP[0] = 0; // the step is done
          const state = Atomics.load(c, STATE);
          if (state & CONSUMERS_WAITING) native.ringWakeOne(c, TAIL, CONSUMERS_WAITING);
          if (state & PRODUCERS_WAITING && this.#ready(next, next)) native.ringWakeOne(c, HEAD, PRODUCERS_WAITING); // room for the next producer too
          return true;
        }
        tail = seen;
      } else if (((stamp + oneLap) | 0) === ((tail + 1) | 0)) {
        // The slot still holds last lap's value: full, unless a consumer is mid-pop.
        if (((Atomics.load(c, HEAD) + oneLap) | 0) === tail) return false;
        tail = Atomics.load(c, TAIL);
      } else {
        tail = Atomics.load(c, TAIL); // another producer is mid-push
      }
    }
    // Stuck at the slot at `tail`: a consumer terminated mid-pop may have left it.
    if (this.#rescued(tail)) return this.tryPush(v);
    ring.noteStall();
    return false;
  }

  /** Pops the oldest value, or `undefined` when empty. */
  tryPop() {
    const c = this.#c;
    const cap = this.#cap;
    const oneLap = this.#oneLap;
    let head = Atomics.load(c, HEAD);
    for (let tries = 0; tries < MAX_RETRIES; tries++) {
      const index = head & (oneLap - 1);
      if (index >= cap) return undefined;
      const stamp = Atomics.load(c, this.#stampsAt + index);
      if (stamp === ((head + 1) | 0)) {
        const next = index + 1 < cap ? (head + 1) | 0 : ((head & ~(oneLap - 1)) + oneLap) | 0;
        const seen = Atomics.compareExchange(c, HEAD, head, next);
        if (seen === head) {
          const word = this.#stampsAt + index; // the step record, as in tryPush
          STEP[1] = word;
          STEP[2] = (head + 1) | 0;
          STEP[3] = (head + oneLap) | 0;
          STEP[4] = this.#creation;
          STEP[0] = this.#key;
          const v = this.#data[index];
          Atomics.store(c, word, (head + oneLap) | 0);
          STEP[0] = 0;
          const state = Atomics.load(c, STATE);
          if (state & PRODUCERS_WAITING) native.ringWakeOne(c, HEAD, PRODUCERS_WAITING);
          if (state & CONSUMERS_WAITING && this.#ready(next, (next + 1) | 0)) native.ringWakeOne(c, TAIL, CONSUMERS_WAITING); // the next item is there too
          return v;
        }
        head = seen;
      } else if (stamp === head) {
        if (Atomics.load(c, TAIL) === head) return undefined; // empty
        head = Atomics.load(c, HEAD);
      } else {
        head = Atomics.load(c, HEAD); // another consumer is mid-pop
      }
    }
    // Stuck at the slot at `head`: a producer terminated mid-push may have left it.
    if (this.#rescued(head)) return this.tryPop();
    ring.noteStall();
    return undefined;
  }

  /** True when Rust finished a step a terminated thread left open at the slot of `position` (src/ring/stranded.rs). */
  #rescued(position) {
    const index = position & (this.#oneLap - 1);
    return index < this.#cap && native.queueRescue(this.#c, this.#stampsAt + index);
  }

  /** Pushes as many of `values` as fit now, in order; returns how many. Never blocks. */
  pushMany(values) {
    ring.checkBatch(this.#bigint, values);
    if (Atomics.load(this.#c, STATE) & CLOSED) throw ring.closedError('Queue');
    // Its length read once, through its internal slots (as a RingBuffer's
    // copy does): an own `length` accessor cannot make this read past the
    // end (pushing undefined) or stop short.
    const len = ring.lengthOf(values);
    let n = 0;
    try {
      while (n < len && this.tryPush(values[n])) n++;
    } catch (err) {
      if (n === 0 || !(err instanceof errors.ClosedError)) throw err;
    }
    return n; // if it closed midway, what went in; the next call throws
  }

  /** Pops as many values as are there (up to `target.length`) into `target`; returns how many. Never blocks. */
  popMany(target) {
    ring.checkBatch(this.#bigint, target);
    const len = ring.lengthOf(target); // (as in pushMany: a value popped always has a place)
    let n = 0;
    while (n < len) {
      const v = this.tryPop();
      if (v === undefined) break;
      target[n++] = v;
    }
    return n;
  }

  /** The oldest value without removing it, or `undefined` (a snapshot: others may pop it first). */
  peek() {
    const c = this.#c;
    // The value counts only if the head has not moved while it was read:
    // otherwise another consumer may have taken it and a producer refilled
    // the slot in between, with a value that was never at the front.
    for (let tries = 0; tries < 64; tries++) {
      const head = Atomics.load(c, HEAD);
      const index = head & (this.#oneLap - 1);
      if (index >= this.#cap || Atomics.load(c, this.#stampsAt + index) !== ((head + 1) | 0)) return undefined;
      const v = this.#data[index];
      if (Atomics.load(c, HEAD) === head) return v;
    }
    return undefined; // the front kept moving: as if seen empty
  }

  /** Values in the queue now (a snapshot). */
  get size() {
    const c = this.#c;
    const oneLap = this.#oneLap;
    for (;;) {
      const tail = Atomics.load(c, TAIL);
      const head = Atomics.load(c, HEAD);
      if (Atomics.load(c, TAIL) !== tail) continue;
      const hix = head & (oneLap - 1);
      const tix = tail & (oneLap - 1);
      let n;
      if (hix < tix) n = tix - hix;
      else if (hix > tix) n = this.#cap - hix + tix;
      else n = tail === head ? 0 : this.#cap;
      return Math.max(0, Math.min(n, this.#cap));
    }
  }

  /** How many values fit (a power of two). */
  get capacity() {
    return this.#cap;
  }

  /** The element type. */
  get Type() {
    return this.#data.constructor;
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('Queue', #data in this, depth, options, inspect, () => ({
      type: this.#data.constructor.name,
      size: this.size,
      capacity: this.#cap,
      closed: this.closed,
    }));
  }
}

shared.register(Queue);

module.exports = { Queue, stampWordOf };
