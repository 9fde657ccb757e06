'use strict';
// RingBuffer: a typed single-producer single-consumer ring in shared memory.
// Control layout in src/layout.rs and src/ring/mod.rs. A push is: read the
// tail, check space against a cached head, write the slot, and publish the
// new tail with one exchange, whose old bit 31 says whether a consumer sleeps;
// a pop mirrors it. Each side caches the other's index and re-reads it only
// when the ring looks full or empty, or when another object moved its own
// index since this one did (the token beside it says so; see ring-common.js).
// Positions are 31 bits and wrap.

const { native } = require('./runtime.js');
const { integer } = require('./validate.js');
const shared = require('./shared.js');
const errors = require('./errors.js');
const ring = require('./ring-common.js');

const { HEAD, TAIL, STATE, CLOSED, INDEX_WAITING, INDEX_MASK, HEAD_TOKEN, TAIL_TOKEN } = ring;
const { inspectSymbol, inspected } = require('./inspect.js');

/**
 * A typed ring buffer for exactly one producer thread and one consumer thread
 * at a time. Capacity is rounded up to a power of two.
 */
class RingBuffer extends ring.TypedRing {
  #c; // Int32Array over the whole object (control words at HEAD/TAIL/STATE)
  #data; // the slots, as the element TypedArray
  #cap;
  #mask;
  #bigint;
  #headCache = 0; // producer's view of head
  #tailCache = 0; // consumer's view of tail
  #token = ring.newToken(); // this object's mark beside the indices it moves (see ring-common.js)
  #lastMiss = -Infinity; // performance.now() of the last try-call that found nothing to do

  /** Bytes a RingBuffer of `capacity` elements of `Type` occupies. */
  static byteLengthFor(Type, capacity) {
    return native.objectByteLength(native.KIND_RING, ring.capacityOf(capacity), ring.elementCode(Type));
  }

  /** Required alignment of `byteOffset`. */
  static get alignment() {
    return native.OBJECT_ALIGN;
  }

  constructor(Type, capacity, options) {
    super();
    const open = shared.isOpen(options);
    let spec;
    if (!open) {
      const elem = ring.elementCode(Type);
      const cap = ring.capacityOf(capacity);
      spec = { param: cap, elem, byteLength: native.objectByteLength(native.KIND_RING, cap, elem) };
    }
    const { i32, param, elem } = shared.setUpSized(this, RingBuffer, native.KIND_RING, options, spec);
    const T = ring.elementType(elem, 'RingBuffer');
    this.#c = i32;
    this.#cap = param;
    this.#mask = param - 1;
    this.#bigint = T === BigInt64Array || T === BigUint64Array;
    ring.initTypedRing(this, i32, 'RingBuffer', this.#bigint, ring.SPSC);
    this.#data = new T(i32.buffer, i32.byteOffset + ring.DATA_OFFSET, param);
    // The caches start where the ring is now (a reopened ring need not be at 0).
    this.#headCache = Atomics.load(i32, HEAD) & INDEX_MASK;
    this.#tailCache = Atomics.load(i32, TAIL) & INDEX_MASK;
  }

  /** Reopens a RingBuffer received from another thread (or placed at `{ buffer, byteOffset }`). */
  static from(value) {
    return shared.from(RingBuffer, value, (options) => new RingBuffer(undefined, undefined, options));
  }

  /** Pushes `v` if there is room: true, or false when full. Throws ERR_SHMKIT_CLOSED after close(). */
  tryPush(v) {
    ring.checkValue(this.#bigint, v);
    const c = this.#c;
    // Plain reads: the tail is written only by this (the one) producer (the
    // consumer may set its bit 31, hence the mask), and a close() that
    // happened before this push is visible either way.
    if (c[STATE] & CLOSED) throw ring.closedError('RingBuffer');
    const t = c[TAIL] & INDEX_MASK;
    // Another object produced since this one last did: its head cache may be
    // from any time before. Refresh it as when the cache says full, and mark
    // the tail as this object's once there is room. (Not a branch of its
    // own: V8 would have no feedback for it when a second object first
    // pushes, and would throw the optimized code away.)
    if (c[TAIL_TOKEN] !== this.#token || ((t - this.#headCache) & INDEX_MASK) >= this.#cap) {
      this.#headCache = Atomics.load(c, HEAD) & INDEX_MASK;
      if (((t - this.#headCache) & INDEX_MASK) >= this.#cap) {
        this.#lastMiss = ring.missed(this.#lastMiss); // full (a polling loop backs off: ring-common.js)
        return false;
      }
      c[TAIL_TOKEN] = this.#token;
    }
    this.#data[t & this.#mask] = v;
    // One exchange publishes the value and says whether a consumer sleeps.
    if (Atomics.exchange(c, TAIL, (t + 1) & INDEX_MASK) < 0) native.ringWake(c, TAIL, INDEX_WAITING);
    return true;
  }

  /** Pops the oldest value, or `undefined` when empty. */
  tryPop() {
    const c = this.#c;
    const h = c[HEAD] & INDEX_MASK; // written only by this (the one) consumer
    let avail = (this.#tailCache - h) & INDEX_MASK;
    if (c[HEAD_TOKEN] !== this.#token || avail === 0 || avail > this.#cap) {
      // Looks empty, the cache is stale, or another object consumed since
      // this one did (see tryPush): look at the real tail.
      this.#tailCache = Atomics.load(c, TAIL) & INDEX_MASK;
      avail = (this.#tailCache - h) & INDEX_MASK;
      if (avail === 0 || avail > this.#cap) {
        this.#lastMiss = ring.missed(this.#lastMiss); // empty
        return undefined;
      }
      c[HEAD_TOKEN] = this.#token;
    }
    const v = this.#data[h & this.#mask];
    if (Atomics.exchange(c, HEAD, (h + 1) & INDEX_MASK) < 0) native.ringWake(c, HEAD, INDEX_WAITING);
    return v;
  }

  /** The oldest value without removing it, or `undefined` when empty. */
  peek() {
    const c = this.#c;
    const h = Atomics.load(c, HEAD) & INDEX_MASK;
    const avail = ((Atomics.load(c, TAIL) & INDEX_MASK) - h) & INDEX_MASK;
    if (avail === 0 || avail > this.#cap) {
      this.#lastMiss = ring.missed(this.#lastMiss);
      return undefined;
    }
    return this.#data[h & this.#mask];
  }

  /** Writes as many of `values` as fit now; returns how many. Never blocks (a polling loop's misses pause briefly). */
  pushMany(values) {
    ring.checkBatch(this.#bigint, values);
    const len = ring.lengthOf(values); // (no code of the caller's array runs between the index reads and the publish: see ring-common.js)
    const c = this.#c;
    if (Atomics.load(c, STATE) & CLOSED) throw ring.closedError('RingBuffer');
    const t = Atomics.load(c, TAIL) & INDEX_MASK;
    const h = (this.#headCache = Atomics.load(c, HEAD) & INDEX_MASK);
    const used = (t - h) & INDEX_MASK;
    const n = Math.min(len, used >= this.#cap ? 0 : this.#cap - used);
    if (n === 0) {
      if (len !== 0) this.#lastMiss = ring.missed(this.#lastMiss); // full
      return 0;
    }
    c[TAIL_TOKEN] = this.#token; // its head cache was refreshed right here
    const at = t & this.#mask;
    const first = Math.min(n, this.#cap - at);
    // The ring's own array's set() is TypedArray's (or whatever replaced it
    // on the prototype, which gets nothing it could not reach through
    // ring.buffer); the source's parts need partOf. set() copies the
    // source's length at the copy: more than `len` if another thread has
    // grown the growable SharedArrayBuffer under it since. Whole, it may
    // only reach free slots: when no unread value lies after `at`, the rest
    // of the ring (set() stops at its end).
    if (first === len && used <= at) {
      try {
        this.#data.set(values, at);
      } catch {
        this.#data.set(ring.partOf(values, 0, first), at); // grown past the end of the ring
      }
    } else this.#data.set(ring.partOf(values, 0, first), at);
    if (n > first) this.#data.set(ring.partOf(values, first, n), 0);
    if (Atomics.exchange(c, TAIL, (t + n) & INDEX_MASK) < 0) native.ringWake(c, TAIL, INDEX_WAITING);
    return n;
  }

  /** Reads as many values as are there (up to `target.length`) into `target`; returns how many. Never blocks (a polling loop's misses pause briefly). */
  popMany(target) {
    ring.checkBatch(this.#bigint, target);
    const len = ring.lengthOf(target); // (as in pushMany)
    const c = this.#c;
    const h = Atomics.load(c, HEAD) & INDEX_MASK;
    const t = (this.#tailCache = Atomics.load(c, TAIL) & INDEX_MASK);
    const used = (t - h) & INDEX_MASK;
    const n = Math.min(len, used > this.#cap ? 0 : used);
    if (n === 0) {
      if (len !== 0) this.#lastMiss = ring.missed(this.#lastMiss); // empty
      return 0;
    }
    c[HEAD_TOKEN] = this.#token; // its tail cache was refreshed right here
    const at = h & this.#mask;
    const first = Math.min(n, this.#cap - at);
    ring.copy(target, this.#data.subarray(at, at + first), 0);
    if (n > first) ring.copy(target, this.#data.subarray(0, n - first), first);
    if (Atomics.exchange(c, HEAD, (h + n) & INDEX_MASK) < 0) native.ringWake(c, HEAD, INDEX_WAITING);
    return n;
  }

  /**
   * Zero-copy write: up to `n` free slots as one or two views straight into
   * the ring (two when they wrap). Fill them, then `commit(count)` publishes
   * the first `count` values.
   */
  writeRegion(n) {
    integer('n', n, 0, this.#cap);
    const c = this.#c;
    if (Atomics.load(c, STATE) & CLOSED) throw ring.closedError('RingBuffer');
    const t = Atomics.load(c, TAIL) & INDEX_MASK;
    const used = (t - (Atomics.load(c, HEAD) & INDEX_MASK)) & INDEX_MASK;
    const size = Math.min(n, used >= this.#cap ? 0 : this.#cap - used);
    return this.#region(t, size, TAIL);
  }

  /**
   * Zero-copy read: up to `n` available values as one or two views straight
   * into the ring. Parse them, then `commit(count)` frees the first `count`.
   */
  readRegion(n) {
    integer('n', n, 0, this.#cap);
    const c = this.#c;
    const h = Atomics.load(c, HEAD) & INDEX_MASK;
    const used = ((Atomics.load(c, TAIL) & INDEX_MASK) - h) & INDEX_MASK;
    const size = Math.min(n, used > this.#cap ? 0 : used);
    return this.#region(h, size, HEAD);
  }

  #region(pos, size, index) {
    const at = pos & this.#mask;
    const first = Math.min(size, this.#cap - at);
    const views = [this.#data.subarray(at, at + first)];
    if (size > first) views.push(this.#data.subarray(0, size - first));
    const c = this.#c;
    let committed = false;
    return {
      views,
      length: size,
      commit: (count = size) => {
        if (committed) throw new errors.NotOwnerError('RingBuffer: this region was already committed');
        integer('count', count, 0, size);
        if ((Atomics.load(c, index) & INDEX_MASK) !== pos) {
          throw new errors.NotOwnerError('RingBuffer: the ring moved since this region was taken (two producers or consumers?)');
        }
        committed = true;
        c[index === TAIL ? TAIL_TOKEN : HEAD_TOKEN] = 0; // moved by no object: whoever comes next refreshes
        if (Atomics.exchange(c, index, (pos + count) & INDEX_MASK) < 0) native.ringWake(c, index, INDEX_WAITING);
      },
    };
  }

  /** Values in the ring now. */
  get size() {
    const c = this.#c;
    // The head, then the tail, then the head again, until the head stayed
    // put: the two are then from one moment. (Read once each, from a thread
    // that moves neither, a push and a pop in between could put the head
    // past the tail read, which reads as a full ring.) Bounded: a head that
    // never rests (a hostile writer) gives the last reading, clamped.
    let h = Atomics.load(c, HEAD) & INDEX_MASK;
    let used = 0;
    for (let tries = 0; tries < 64; tries++) {
      used = ((Atomics.load(c, TAIL) & INDEX_MASK) - h) & INDEX_MASK;
      const again = Atomics.load(c, HEAD) & INDEX_MASK;
      if (again === h) break;
      h = again;
    }
    return Math.min(used, this.#cap);
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
    return inspected('RingBuffer', #data in this, depth, options, inspect, () => ({
      type: this.#data.constructor.name,
      size: this.size,
      capacity: this.#cap,
      closed: this.closed,
    }));
  }
}

shared.register(RingBuffer);

module.exports = { RingBuffer };
