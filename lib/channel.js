'use strict';
// Channel: variable-length messages between any number of senders and
// receivers. Layout in src/layout.rs: ring control words (byte positions),
// two embedded Mutex objects, then a byte ring.
//
// A message is [u32 length][payload], the length 4-aligned in the ring and the
// payload padded to 4 bytes; a payload may wrap around the end of the ring.
// Between one sender and one receiver the ring is single-producer single-
// consumer and lock-free; senders take the send lock among themselves and
// receivers the receive lock, so messages never tear or interleave. The tail
// moves only after a whole message is written, so a sender that dies mid-write
// publishes nothing (and the next sender learns of it from the lock).

const v8 = require('node:v8');
const { types } = require('node:util');
const intrinsics = require('./intrinsics.js');
const { native, FAST, TID } = require('./runtime.js');
const { integer, options: optionsOf, isAbortOf } = require('./validate.js');
const { Mutex, internals } = require('./mutex.js');
const shared = require('./shared.js');
const errors = require('./errors.js');
const ring = require('./ring-common.js');
const { Turns } = require('./turns.js');

const { HEAD, TAIL, STATE, CLOSED, INDEX_WAITING, INDEX_MASK, HEAD_TOKEN, TAIL_TOKEN, DATA_OFFSET, RECV_POS } = ring;
const { inspectSymbol, inspected } = require('./inspect.js');
const encoder = new TextEncoder();
const DEFAULT_BYTES = 64 * 1024;
const kEnd = Symbol('shmkit.channelEnd'); // only Channel makes its ends
let ChannelSender; // defined in Channel's static block
let ChannelReceiver;
let endEnter; // End's own helpers for its two subclasses (module-private)
let endLeave;
let endQueue;
const LOCK_W = native.HEADER_BYTES / 4; // the state word inside an embedded Mutex
const MUTEX_OWNER = native.MUTEX_OWNER_MASK; // its owner's thread id
const LOCK_SLICE = 10; // ms: how often a call waiting for its side's lock looks for close()
// x86 CPUs do not make a store visible before the loads that precede it.
const STORES_AFTER_LOADS = process.arch === 'x64' || process.arch === 'ia32';
// Bit 0 of a Channel's tail: set by close(), before the state word's CLOSED
// bit and in the same native call. Positions are 4-aligned, so it is never
// part of one. A sender publishes with a compare-exchange that fails once it
// is set, so no message becomes visible after a receiver may have found the
// channel closed and drained (a send that checked CLOSED just before close()
// throws instead).
const TAIL_CLOSED = 1;
const POSITION = INDEX_MASK & ~3; // the position bits of the head and the tail

/**
 * Stores `value` in word `index` of `c` so that no other thread sees it
 * before this thread's earlier loads and stores (the loads of a message's
 * bytes by the copy just made; the exchange that moved the head). On x86 a
 * plain store is enough: the CPU keeps stores in order and after earlier
 * loads, and V8 does not move a store across a call or an atomic operation;
 * it spares every message the cost of a fenced store. Elsewhere
 * Atomics.store orders it.
 */
function orderedStore(c, index, value) {
  if (STORES_AFTER_LOADS) c[index] = value;
  else Atomics.store(c, index, value);
}

/** One slice of a wait for a side's lock, given what is left of the call's timeout (-1: none). */
function sliceOf(left) {
  return left < 0 ? LOCK_SLICE : Math.min(left, LOCK_SLICE);
}

function padded(n) {
  return (n + 3) & ~3;
}

const NO_BYTES = new Uint8Array(0);
const FRESH = Symbol('a fresh Uint8Array'); // a claimed receiver's receive without a target

// A string sent by a blocking or try form is encoded into this buffer
// (encodeInto) instead of a fresh Uint8Array, which Node allocates outside
// V8's heap (about 1 µs here, more than the rest of a send). Nothing else
// runs between the encoding and the end of such a call (its options are read
// first), so one buffer per thread serves them all; an async send keeps its
// bytes across awaits and encodes its own.
const SCRATCH_BYTES = 16 * 1024;
let scratch; // made at the first such send

/** `s` as UTF-8 in the scratch buffer (valid until the next call), or a fresh array when it may not fit. */
function encodedNow(s) {
  if (s.length > SCRATCH_BYTES / 3) return encoder.encode(s); // 3 bytes per UTF-16 unit at most
  scratch ??= new Uint8Array(SCRATCH_BYTES);
  return scratch.subarray(0, encoder.encodeInto(s, scratch).written);
}

/**
 * The bytes of `view` (an ArrayBuffer view) as a Uint8Array, else
 * ERR_INVALID_ARG_TYPE naming `name`. A view of a detached buffer (or out of
 * a shrunk one's bounds) has none. Read through the intrinsics, from the
 * view's internal slots: a typed array from another realm is one, a Proxy of
 * one is not, and a subclass's getters do not count.
 */
function bytesOf(view, name) {
  const type = intrinsics.typedArrayTypeName(view); // undefined for anything but a TypedArray
  if (type === 'Uint8Array') return view;
  let buffer, offset, length;
  if (type !== undefined) {
    length = intrinsics.typedArrayByteLength(view); // 0 when detached
    if (length === 0) return NO_BYTES; // (a detached buffer cannot take a new view)
    buffer = intrinsics.typedArrayBuffer(view);
    offset = intrinsics.typedArrayByteOffset(view);
  } else if (types.isDataView(view)) {
    try {
      length = intrinsics.dataViewByteLength(view);
    } catch {
      return NO_BYTES; // a DataView's getters throw once its buffer is detached
    }
    if (length === 0) return NO_BYTES;
    buffer = intrinsics.dataViewBuffer(view);
    offset = intrinsics.dataViewByteOffset(view);
  } else {
    throw errors.invalidArgType(name, 'a Uint8Array (or another ArrayBuffer view)', view);
  }
  return new Uint8Array(buffer, offset, length);
}

/**
 * A message's byte length (from bytesOfMessage). A Proxy of a Uint8Array
 * passes its quick `instanceof` check but has no internal slots: the
 * intrinsic throws, and the message is refused as not being bytes.
 */
function messageLength(bytes) {
  try {
    return ring.lengthOf(bytes);
  } catch {
    throw errors.invalidArgType('message', 'a Uint8Array (or another ArrayBuffer view) or a string', bytes);
  }
}

/**
 * An async send's message as it was at the call, `len` bytes, for its turn:
 * a view of exactly those bytes (one that tracks its buffer's length could
 * otherwise grow during the copy, and run past the message's place in the
 * ring), or ERR_INVALID_ARG_VALUE if some are gone (its buffer was detached,
 * by a transfer say, or shrunk): the message is not sent, as a ring's
 * writeAsync does not write what it lost.
 */
function asAtCall(bytes, len) {
  if (ring.lengthOf(bytes) < len) {
    throw errors.invalidArgValue('message', bytes, `lost its bytes (its buffer was detached or shrunk) before its turn to be sent came; it was not sent`);
  }
  return len === 0 ? NO_BYTES : ring.partOf(bytes, 0, len);
}

/**
 * A send's bytes after its options were read (their getters are the
 * caller's code): `len`, their length before, is what is sent; what changed
 * meanwhile goes through asAtCall. -1: no options were read.
 */
function keptAtCall(bytes, len) {
  return len === -1 || ring.lengthOf(bytes) === len ? bytes : asAtCall(bytes, len);
}

/**
 * The bytes of `message` (a Uint8Array, another ArrayBuffer view, or a
 * string, encoded), else ERR_INVALID_ARG_TYPE. Not their length: a call that
 * reads no options and calls #put at once lets #put check that (one read).
 * `now`: as for Channel#payload.
 */
function bytesOfMessage(message, now) {
  if (message instanceof Uint8Array) return message;
  if (typeof message === 'string') return now ? encodedNow(message) : encoder.encode(message);
  if (ArrayBuffer.isView(message)) return bytesOf(message, 'message');
  throw errors.invalidArgType('message', 'a Uint8Array (or another ArrayBuffer view) or a string', message);
}

/** ERR_OUT_OF_RANGE for a message of `len` bytes in a channel of capacity `cap`. */
function tooLong(what, len, cap) {
  return errors.outOfRange(what, `at most ${cap - 4} (the channel's byte capacity less 4)`, len);
}

/** A multi-sender, multi-receiver channel of byte messages (and structured-cloneable values). */
class Channel {
  #c;
  #bytes; // the data ring
  #words; // the same ring as i32 words, for the 4-aligned length prefixes
  #headCache = 0; // senders' view of head
  #tailCache = 0; // receivers' view of tail
  #recvPos = -1; // a claimed receiver's position not yet published in head, or -1
  #lazyHead = false; // true while this object's ChannelReceiver holds the receiving side
  #step; // how far a claimed receiver moves before it publishes (see #take)
  #token = ring.newToken(); // this object's mark beside the indices it moves (see ring-common.js)
  #cap;
  #mask;
  #sendLock;
  #recvLock;
  #sendWord; // the embedded Mutexes' views, for the inline fast path
  #recvWord;
  #sendTurns = new Turns('Channel'); // this object's async sends, in call order (lib/turns.js)
  #recvTurns = new Turns('Channel'); // and its async receives

  /** Bytes a Channel with `byteCapacity` (rounded up to a power of two) occupies. */
  static byteLengthFor(byteCapacity) {
    return native.objectByteLength(native.KIND_CHANNEL, Channel.#capacityOf(byteCapacity), 0);
  }

  /** Required alignment of `byteOffset`. */
  static get alignment() {
    return native.OBJECT_ALIGN;
  }

  static #capacityOf(byteCapacity) {
    const min = native.CHANNEL_MIN_BYTES;
    const max = native.CHANNEL_MAX_BYTES;
    integer('byteCapacity', byteCapacity, 1, max);
    let cap = min;
    while (cap < byteCapacity) cap *= 2;
    return cap;
  }

  /** `{ byteCapacity = 65536, buffer, byteOffset }`; the capacity rounds up to a power of two (at least 64). */
  constructor(options) {
    let spec;
    if (!shared.isOpen(options)) {
      options = optionsOf(options);
      const cap = Channel.#capacityOf(options?.byteCapacity === undefined ? DEFAULT_BYTES : options.byteCapacity);
      spec = { param: cap, elem: 0, byteLength: native.objectByteLength(native.KIND_CHANNEL, cap, 0) };
    }
    const { i32, param } = shared.setUpSized(this, Channel, native.KIND_CHANNEL, options, spec);
    this.#c = i32;
    this.#cap = param;
    this.#mask = param - 1;
    this.#step = param >> 4;
    this.#bytes = new Uint8Array(i32.buffer, i32.byteOffset + DATA_OFFSET, param);
    this.#words = new Int32Array(i32.buffer, i32.byteOffset + DATA_OFFSET, param / 4);
    this.#sendLock = Mutex.from({ buffer: i32.buffer, byteOffset: i32.byteOffset + native.CHANNEL_SEND_LOCK });
    this.#recvLock = Mutex.from({ buffer: i32.buffer, byteOffset: i32.byteOffset + native.CHANNEL_RECV_LOCK });
    this.#sendWord = internals.viewOf(this.#sendLock);
    this.#recvWord = internals.viewOf(this.#recvLock);
    // The caches start where the ring is now (a reopened channel need not be at 0).
    this.#headCache = Atomics.load(i32, HEAD) & INDEX_MASK;
    this.#tailCache = Atomics.load(i32, TAIL) & POSITION;
  }

  /** Reopens a Channel received from another thread (or placed at `{ buffer, byteOffset }`). */
  static from(value) {
    return shared.from(Channel, value);
  }

  /** `#payload(message)` for a message that is not a string (whose checks come before the options'); undefined for a string. */
  #payloadOf(message) {
    return typeof message === 'string' ? undefined : this.#payload(message, true);
  }

  /**
   * The bytes of `message`, checked. `now`: for a call that is done with
   * them before it returns and runs no other code meanwhile (a string may
   * then be encoded into the scratch buffer).
   */
  #payload(message, now) {
    const bytes = bytesOfMessage(message, now);
    const len = messageLength(bytes); // (the intrinsic: a subclass or an own accessor cannot misstate it)
    if (len > this.#cap - 4) throw tooLong('message.byteLength', len, this.#cap);
    return bytes;
  }

  // The internal locks are taken like Mutex.lock(), without a guard object:
  // an inline CAS when free, else the Mutex itself. The ring is consistent
  // whenever no lock is held (positions move only after a whole message), so
  // a lock whose holder died is simply taken over.
  #recovered(err) {
    if (!(err instanceof errors.OwnerDiedError)) throw err;
    err.guard.mutex.clearPoison();
    if (err.guard.mutex === this.#recvLock) this.#recoverHead();
  }

  /**
   * Claims a side for an end (sender() and the like): waits for its lock as
   * a call does, in slices, so that close() reaches the claim too. A sending
   * side cannot be claimed once closed; a receiving side that has to wait
   * gives up once the channel is closed and drained.
   */
  #claim(send, options) {
    const timeout = ring.timeoutOf(options);
    const t0 = ring.now(timeout);
    if (send && this.closed) throw ring.closedError('Channel');
    const word = this.#wordOf(send);
    if (this.#tryLock(this.#lockOf(send), word)) return this.#closedAfterClaim(send);
    if ((Atomics.load(word, LOCK_W) & MUTEX_OWNER) === TID) throw this.#renamed(new errors.DeadlockError(), send); // before close() is looked at
    if (!this.#lockForCall(send, timeout, t0)) throw ring.closedError('Channel');
    this.#closedAfterClaim(send);
  }

  /** A sending side claimed just as (or after) close() came is given back: ERR_SHMKIT_CLOSED. */
  #closedAfterClaim(send) {
    if (!send || !this.closed) return;
    internals.unlock(this.#sendLock);
    throw ring.closedError('Channel');
  }

  async #claimAsync(send, options) {
    const timeout = ring.timeoutOf(options);
    const signal = ring.signalOf(options);
    const t0 = ring.now(timeout);
    if (signal?.aborted) throw signal.reason; // an aborted signal wins, even over a free lock
    if (send && this.closed) throw ring.closedError('Channel');
    if (!this.#tryLock(this.#lockOf(send), this.#wordOf(send)) && !(await this.#lockForCallAsync(send, timeout, t0, signal))) {
      throw ring.closedError('Channel');
    }
    this.#closedAfterClaim(send);
  }

  // A call (send, recv and their async forms) that finds its side's lock
  // taken, by another call or by a claimed end that may hold it for long,
  // waits for it in slices of LOCK_SLICE ms and looks at the ring between
  // them, so that close() reaches it too: a send then throws
  // ERR_SHMKIT_CLOSED, a receive returns undefined once nothing is left.
  // Returns false in that case (the lock is not taken), else true (taken).

  /** True when a call of the sending (`send`) or receiving side has nothing left to wait for. */
  #over(send) {
    const c = this.#c;
    if ((Atomics.load(c, STATE) & CLOSED) === 0) return false;
    return send || (Atomics.load(c, TAIL) & POSITION) === (Atomics.load(c, HEAD) & INDEX_MASK);
  }

  #lockForCall(send, timeout, t0) {
    if (this.#grab(send)) return true;
    const mutex = this.#lockOf(send);
    for (;;) {
      if (this.#over(send)) return false;
      const left = ring.left(timeout, t0);
      try {
        mutex.lock({ timeout: sliceOf(left) });
        return true;
      } catch (err) {
        if (!this.#anotherSlice(err, left, send)) return true;
      }
    }
  }

  async #lockForCallAsync(send, timeout, t0, signal) {
    if (signal?.aborted) throw signal.reason; // an aborted signal wins, even over a free lock
    if (this.#grab(send)) return true;
    const mutex = this.#lockOf(send);
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      if (this.#over(send)) return false;
      const left = ring.left(timeout, t0);
      try {
        await mutex.lockAsync({ timeout: sliceOf(left), signal });
        return true;
      } catch (err) {
        if (!this.#anotherSlice(err, left, send, signal)) return true;
      }
    }
  }

  /** The embedded Mutex of the sending (`send`) or receiving side. */
  #lockOf(send) {
    return send ? this.#sendLock : this.#recvLock;
  }

  /** That Mutex's view, for the inline fast path. */
  #wordOf(send) {
    return send ? this.#sendWord : this.#recvWord;
  }

  /** The inline fast path: true when the side's lock was free and is now taken. */
  #grab(send) {
    return FAST && Atomics.compareExchange(this.#wordOf(send), LOCK_W, 0, TID) === 0;
  }

  /**
   * A slice's lock attempt threw `err` with `left` ms of the call's timeout
   * left (-1: none): true to wait another slice; false when the lock is ours
   * (its dead holder's, taken over); else it throws: the signal's reason
   * (whatever its class), the call's timeout, a deadlock, ...
   */
  #anotherSlice(err, left, send, signal) {
    const mutex = this.#lockOf(send);
    if (err instanceof errors.OwnerDiedError && err.guard?.mutex === mutex) {
      // Ours (nobody else has this internal Mutex): the lock is held now.
      mutex.clearPoison(); // the ring is consistent whenever no lock is held
      if (!send) this.#recoverHead();
      return false;
    }
    if (isAbortOf(signal, err)) throw err; // (a throwing getter throws: nothing is held)
    if (err instanceof errors.TimeoutError && (left < 0 || left > LOCK_SLICE)) return true;
    throw this.#renamed(err, send);
  }

  /** A timeout, or this thread's own hold on the side, said in the Channel's words. */
  #renamed(err, send) {
    const side = send ? 'sending' : 'receiving';
    const word = this.#wordOf(send);
    if (err instanceof errors.DeadlockError && (Atomics.load(word, LOCK_W) & MUTEX_OWNER) === TID) {
      return new errors.DeadlockError(
        `Channel: this thread holds the ${side} side already (a claimed ${send ? 'ChannelSender' : 'ChannelReceiver'}, or an async call of this side in progress), so waiting for it would never end`,
      );
    }
    if (!(err instanceof errors.TimeoutError)) return err; // a cycle with other threads, as the Mutex says
    return new errors.TimeoutError(`Channel: the ${side} side stayed busy (another ${send ? 'sender' : 'receiver'}, or a claimed end) past the timeout`);
  }

  /** True when locked. */
  #tryLock(mutex, word) {
    if (FAST && Atomics.compareExchange(word, LOCK_W, 0, TID) === 0) return true;
    try {
      return mutex.tryLock() !== null;
    } catch (err) {
      this.#recovered(err);
      return true;
    }
  }

  /**
   * Under the send lock: writes `bytes` if they fit now. A claimed receiver
   * may be further on than the head says (see #take): `deep` also reads its
   * position, for the last look before a call gives up or sleeps (a spinning
   * sender leaves that cache line alone).
   */
  #put(bytes, deep) {
    const c = this.#c;
    // Read with the intrinsic, as every part of `bytes` below is: a subclass
    // that misstated its length would have the receiver read the ring's old
    // bytes as part of the message.
    const len = messageLength(bytes);
    if (len > this.#cap - 4) throw tooLong('message.byteLength', len, this.#cap);
    // Plain reads: only the holder of the send lock writes the tail (the lock
    // orders senders; receivers may set its bit 31, hence the mask), and a
    // close() before this send is visible either way.
    if (c[STATE] & CLOSED) throw ring.closedError('Channel');
    const t = c[TAIL] & POSITION;
    const need = 4 + padded(len);
    // Another sender's object sent since this one did: the head cache may be
    // from any time before, so look at the real head as when the cache says
    // full, and mark the tail ours once there is room. (Not a branch of its
    // own: V8 would have no feedback for it when a second object first
    // sends, and would throw the optimized code away.)
    let used = c[TAIL_TOKEN] === this.#token ? (t - this.#headCache) & INDEX_MASK : INDEX_MASK;
    if (used > this.#cap || this.#cap - used < need) {
      this.#headCache = Atomics.load(c, HEAD) & INDEX_MASK;
      used = (t - this.#headCache) & INDEX_MASK;
      if (used > this.#cap || this.#cap - used < need) {
        if (!deep) return undefined;
        const word = Atomics.load(c, RECV_POS); // before the head: see #receivedTo
        this.#headCache = this.#receivedTo(Atomics.load(c, HEAD) & INDEX_MASK, t, word);
        used = (t - this.#headCache) & INDEX_MASK;
        if (used > this.#cap || this.#cap - used < need) return undefined;
      }
      c[TAIL_TOKEN] = this.#token;
    }
    const ring8 = this.#bytes;
    const at = t & this.#mask; // 4-aligned: the length never wraps
    this.#words[at >> 2] = len;
    const p = (at + 4) & this.#mask;
    const first = Math.min(len, this.#cap - p);
    if (first === len) {
      if (len > 0) ring8.set(bytes, p); // (set() throws on a detached view, even an empty one)
    } else {
      ring8.set(ring.partOf(bytes, 0, first), p);
      ring8.set(ring.partOf(bytes, first, len), 0);
    }
    // One compare-exchange publishes the message, unless a receiver has
    // set its waiting bit meanwhile or close() has marked the tail.
    const next = (t + need) & INDEX_MASK;
    const seen = Atomics.compareExchange(c, TAIL, t, next);
    if (seen !== t) this.#publishAfter(seen, next);
    return true;
  }

  /** #put's publish when the tail was not just the position it read: `seen` is what it found. */
  #publishAfter(seen, next) {
    const c = this.#c;
    for (;;) {
      // Closed while this message was being written: it is not published
      // (receivers may have found the channel drained already), and the send
      // throws as one made after close() does.
      if (seen & TAIL_CLOSED) throw ring.closedError('Channel');
      // A receiver sleeps (bit 31): publish and wake it. (Any other change
      // to the tail was a stray write: overwritten, as an exchange would.)
      const now = Atomics.compareExchange(c, TAIL, seen, next);
      if (now === seen) {
        if (seen < 0) native.ringWake(c, TAIL, INDEX_WAITING);
        return;
      }
      seen = now;
    }
  }

  /**
   * Under the receive lock: takes one message if there is one, as a fresh
   * Uint8Array, or, given `into` (a Uint8Array), copies it there and returns
   * its length; a message longer than `into` stays where it is (a RangeError).
   *
   * A claimed receiver (this object's ChannelReceiver) publishes its position
   * in steps: only when it has moved `#step` bytes (1/16 of the ring) past
   * the published head, or has taken every message it knows of, or before
   * it waits or gives the side back, or when a sender sleeps (the head's
   * waiting bit). Every publish takes the head's cache line from a sender
   * that is watching it for room, so one per message would cost a
   * cross-core transfer per message. Meanwhile RECV_POS holds the real
   * position: a sender's last look before it gives up or sleeps reads it
   * (see #put), and so does a receiver that takes over from a dead one.
   */
  #take(into) {
    const c = this.#c;
    const published = c[HEAD] & INDEX_MASK; // only the holder of the receive lock moves it (senders set its waiting bit)
    const h = this.#recvPos < 0 ? published : this.#recvPos;
    // Another receiving object took since this one did: look at the real
    // tail, as in #put.
    let used = c[HEAD_TOKEN] === this.#token ? (this.#tailCache - h) & INDEX_MASK : 0;
    if (used === 0 || used > this.#cap) {
      this.#tailCache = Atomics.load(c, TAIL) & POSITION;
      used = (this.#tailCache - h) & INDEX_MASK;
      if (used === 0 || used > this.#cap) {
        if (this.#recvPos >= 0) this.#publishHead(this.#recvPos); // before anyone waits on it
        return undefined;
      }
      c[HEAD_TOKEN] = this.#token;
    }
    const ring8 = this.#bytes;
    const at = h & this.#mask;
    const len = this.#words[at >> 2] >>> 0;
    const need = 4 + padded(len);
    if (len > this.#cap - 4 || need > used) {
      throw new errors.BadLayoutError('Channel: corrupted message length in shared memory');
    }
    const p = (at + 4) & this.#mask;
    let out;
    if (into === undefined) {
      if (p + len <= this.#cap) {
        out = ring8.slice(p, p + len);
      } else {
        out = new Uint8Array(len);
        const first = this.#cap - p;
        out.set(ring8.subarray(p, this.#cap), 0);
        out.set(ring8.subarray(0, len - first), first);
      }
    } else {
      // Its length now, not at the call: an async call's target may have been detached meanwhile.
      const room = ring.lengthOf(into); // (intrinsics for the target too: see #put)
      if (len > room) {
        const err = errors.outOfRange('target.byteLength', `at least ${len} (the next message's length; it stays in the channel)`, room);
        err.messageLength = len;
        throw err;
      }
      if (len === 0) {
        // nothing to copy (and set() would throw on a detached target)
      } else if (p + len <= this.#cap) {
        ring.copy(into, ring8.subarray(p, p + len), 0);
      } else {
        const first = this.#cap - p;
        ring.copy(into, ring8.subarray(p, this.#cap), 0);
        ring.copy(into, ring8.subarray(0, len - first), first);
      }
      out = len;
    }
    const next = (h + need) & INDEX_MASK;
    // A sender that found no room sets the head's waiting bit and then looks
    // at RECV_POS: at once, again after its spin (about 20 µs), and after
    // short slices when async (src/parking.rs, ring-common.js). Looking for
    // the bit here, after the copy and just before the store, leaves a gap
    // of a few instructions (and of a store on its way to memory), which the
    // sender's looks cover; a look before the copy would leave the whole
    // take, which can be long (a large message, a GC).
    if (this.#lazyHead && next !== this.#tailCache && ((next - published) & INDEX_MASK) < this.#step && c[HEAD] >= 0) {
      this.#recvPos = next;
      // A sender that sees this store may write over the message's bytes, so
      // it must not be seen before the copy has read them.
      orderedStore(c, RECV_POS, next | INDEX_WAITING);
      return out;
    }
    this.#publishHead(next);
    return out;
  }

  /** Under the receive lock: moves the head to `h` (one exchange, which also says whether a sender sleeps). */
  #publishHead(h) {
    const c = this.#c;
    const pending = this.#recvPos >= 0;
    this.#recvPos = -1;
    if (Atomics.exchange(c, HEAD, h) < 0) native.ringWake(c, HEAD, INDEX_WAITING);
    // After the head (a receiver that dies between leaves RECV_POS behind
    // it, so it is ignored), and seen after it.
    if (pending) orderedStore(c, RECV_POS, 0);
  }

  /**
   * The receive lock, just taken over from a holder that died: publishes the
   * position that holder's claimed receiver had reached, so that what it
   * delivered is not delivered again. A value that is not ahead of the head
   * within the ring's messages (stale or forged) is dropped.
   */
  #recoverHead() {
    const c = this.#c;
    const h = Atomics.load(c, HEAD) & INDEX_MASK;
    const to = this.#receivedTo(h, Atomics.load(c, TAIL) & POSITION, Atomics.load(c, RECV_POS));
    if (to !== h && Atomics.exchange(c, HEAD, to) < 0) native.ringWake(c, HEAD, INDEX_WAITING);
    Atomics.store(c, RECV_POS, 0);
  }

  /**
   * How far the receiving side has really got, given head `h` and tail `t`:
   * a claimed receiver's unpublished position (RECV_POS) when that is marked,
   * 4-aligned, between them and at most the capacity behind the tail, else
   * `h` (a stale or forged word is ignored). Senders may have used the room
   * it gives, so the tail can be up to a step more than the capacity past
   * the head while a claimed receiver holds the side. Read `word` before
   * `h`: a publish moves the head and then clears the word, so the other
   * order could miss both.
   */
  #receivedTo(h, t, word) {
    if (word >= 0 || (word & 3) !== 0) return h;
    const pos = word & INDEX_MASK;
    return ((pos - h) & INDEX_MASK) <= ((t - h) & INDEX_MASK) && ((t - pos) & INDEX_MASK) <= this.#cap ? pos : h;
  }

  /** A ChannelReceiver's release: publishes its position, then gives the receiving side back. */
  #releaseReceive() {
    this.#lazyHead = false;
    if (this.#recvPos >= 0) this.#publishHead(this.#recvPos);
    internals.unlock(this.#recvLock);
  }

  // The blocking forms, for a caller that holds the lock of its side (a call
  // of the Channel itself, or the thread's exclusive end). `t0` is when the
  // call began (only read when there is a timeout).

  /** Under the send lock: sends `bytes`, waiting while full. */
  #sendHeld(bytes, timeout, t0) {
    if (this.#put(bytes, false)) return;
    ring.blockUntil('Channel', this.#c, HEAD, INDEX_WAITING, (last) => this.#put(bytes, last), ring.left(timeout, t0), undefined, RECV_POS, timeout);
  }

  /**
   * Under the send lock, for an async send: sends the message as it was at
   * the call (`len` bytes), waiting for room.
   */
  async #sendHeldAsync(bytes, len, timeout, t0, signal) {
    if (this.#put(asAtCall(bytes, len), false)) return;
    await ring.blockUntilAsync('Channel', this.#c, HEAD, INDEX_WAITING, (last) => this.#put(asAtCall(bytes, len), last), ring.left(timeout, t0), signal, RECV_POS, timeout);
  }

  /**
   * Under the receive lock: a message (or, given `into`, its length once
   * copied there; see #take), waiting while empty; `undefined` once closed
   * and drained.
   */
  #recvHeld(timeout, t0, into) {
    const m = this.#take(into);
    if (m !== undefined) return m;
    return ring.blockUntil('Channel', this.#c, TAIL, INDEX_WAITING, () => this.#takeOrEnd(into), ring.left(timeout, t0), undefined, undefined, timeout).m;
  }

  async #recvHeldAsync(timeout, t0, signal, into) {
    const m = this.#take(into);
    if (m !== undefined) return m;
    return (await ring.blockUntilAsync('Channel', this.#c, TAIL, INDEX_WAITING, () => this.#takeOrEnd(into), ring.left(timeout, t0), signal, undefined, timeout)).m;
  }

  #takeOrEnd(into) {
    const m = this.#take(into);
    if (m !== undefined) return { m };
    if (Atomics.load(this.#c, STATE) & CLOSED) return { m: this.#take(into) };
    return undefined;
  }

  /** Sends if that needs no waiting: true, or false (full, or another sender holds the lock). */
  trySend(message) {
    const bytes = this.#payload(message, true);
    if (Atomics.load(this.#c, STATE) & CLOSED) throw ring.closedError('Channel');
    return this.#trySendBytes(bytes);
  }

  /** True when `bytes` went out at once: the send lock was free and there was room. */
  #trySendBytes(bytes) {
    if (!this.#tryLock(this.#sendLock, this.#sendWord)) return false;
    try {
      return this.#put(bytes, true) === true;
    } finally {
      internals.unlock(this.#sendLock);
    }
  }

  /** Sends, blocking while the channel is full. `{ timeout }`. */
  send(message, options) {
    const early = this.#payloadOf(message);
    const len = early === undefined || options === undefined ? -1 : ring.lengthOf(early); // at the call
    const timeout = ring.timeoutOf(options); // (options before a string is encoded: see encodedNow)
    const bytes = early === undefined ? this.#payload(message, true) : keptAtCall(early, len);
    const t0 = ring.now(timeout);
    if (!this.#lockForCall(true, timeout, t0)) throw ring.closedError('Channel');
    try {
      this.#sendHeld(bytes, timeout, t0);
    } finally {
      internals.unlock(this.#sendLock);
    }
  }

  /** Resolves once sent (after this object's earlier async sends). `{ timeout, signal }`. */
  async sendAsync(message, options) {
    const payload = this.#payload(message);
    const len = ring.lengthOf(payload); // at the call, before the options' getters run
    const timeout = ring.timeoutOf(options);
    const signal = ring.signalOf(options);
    const t0 = ring.now(timeout);
    const bytes = keptAtCall(payload, len);
    // Nothing of this object's pending: a send that finds the lock free and room needs no turn.
    if (this.#sendTurns.pending === 0 && !signal?.aborted && this.#trySendBytes(bytes)) return undefined;
    return this.#sendTurns.run(() => this.#sendAsyncInTurn(bytes, len, timeout, t0, signal), timeout, t0, signal);
  }

  async #sendAsyncInTurn(bytes, len, timeout, t0, signal) {
    if (!(await this.#lockForCallAsync(true, timeout, t0, signal))) throw ring.closedError('Channel');
    try {
      await this.#sendHeldAsync(bytes, len, timeout, t0, signal);
    } finally {
      internals.unlock(this.#sendLock);
    }
  }

  /** A message (a fresh Uint8Array) if one is there, else `undefined`. */
  tryRecv() {
    return this.#tryReceive(undefined);
  }

  /** A message, blocking while empty; `undefined` once closed and drained. `{ timeout }`. */
  recv(options) {
    return this.#receive(undefined, options);
  }

  /** Resolves with a message (after this object's earlier async receives); `undefined` once closed and drained. `{ timeout, signal }`. */
  async recvAsync(options) {
    return this.#receiveAsync(undefined, options);
  }

  // The receives of the Channel itself, under the receive lock for each call:
  // a fresh Uint8Array, or with `into` (a recvInto form) its length.

  #tryReceive(into) {
    if (!this.#tryLock(this.#recvLock, this.#recvWord)) return undefined;
    try {
      return this.#take(into);
    } finally {
      internals.unlock(this.#recvLock);
    }
  }

  #receive(into, options) {
    const timeout = ring.timeoutOf(options);
    const t0 = ring.now(timeout);
    if (!this.#lockForCall(false, timeout, t0)) return undefined;
    try {
      return this.#recvHeld(timeout, t0, into);
    } finally {
      internals.unlock(this.#recvLock);
    }
  }

  #receiveAsync(into, options) {
    const timeout = ring.timeoutOf(options);
    const signal = ring.signalOf(options);
    const t0 = ring.now(timeout);
    if (this.#recvTurns.pending === 0 && !signal?.aborted) {
      const m = this.#tryReceive(into); // a message there needs no turn
      if (m !== undefined) return m;
    }
    return this.#recvTurns.run(() => this.#receiveAsyncInTurn(into, timeout, t0, signal), timeout, t0, signal);
  }

  async #receiveAsyncInTurn(into, timeout, t0, signal) {
    if (!(await this.#lockForCallAsync(false, timeout, t0, signal))) return undefined;
    try {
      return await this.#recvHeldAsync(timeout, t0, signal, into);
    } finally {
      internals.unlock(this.#recvLock);
    }
  }

  /**
   * Copies the next message into `target` (any ArrayBuffer view; the bytes go
   * to its start) if one is there, and returns its length; else `undefined`.
   * No array is allocated. A message longer than `target` stays in the
   * channel (ERR_OUT_OF_RANGE).
   */
  tryRecvInto(target) {
    return this.#tryReceive(bytesOf(target, 'target'));
  }

  /** `tryRecvInto`, blocking while empty; `undefined` once closed and drained. `{ timeout }`. */
  recvInto(target, options) {
    return this.#receive(bytesOf(target, 'target'), options);
  }

  /** Resolves with the length of the message copied into `target` (after this object's earlier async receives); `undefined` once closed and drained. `{ timeout, signal }`. */
  async recvIntoAsync(target, options) {
    return this.#receiveAsync(bytesOf(target, 'target'), options);
  }

  /**
   * Claims the sending side for this thread: returns a ChannelSender whose
   * sends skip the send lock (other senders wait, or `trySend` says false,
   * until `release()`). `{ timeout }` bounds the wait for the claim.
   */
  sender(options) {
    this.#claim(true, options);
    return new ChannelSender(kEnd, this);
  }

  /** Resolves with a ChannelSender once the sending side is free. `{ timeout, signal }`. */
  async senderAsync(options) {
    await this.#claimAsync(true, options);
    return new ChannelSender(kEnd, this);
  }

  /** Claims the receiving side for this thread: a ChannelReceiver (see `sender()`). `{ timeout }`. */
  receiver(options) {
    this.#claim(false, options);
    return new ChannelReceiver(kEnd, this);
  }

  /** Resolves with a ChannelReceiver once the receiving side is free. `{ timeout, signal }`. */
  async receiverAsync(options) {
    await this.#claimAsync(false, options);
    return new ChannelReceiver(kEnd, this);
  }

  // The exclusive ends: classes declared in this class body, so that they
  // reach the channel's private members. Each holds its side's lock from its
  // creation to release(). Its async calls run one at a time, in call order
  // (a chain), as the lock would order them; a blocking call while an async
  // one is pending would wait for itself, and throws ERR_SHMKIT_DEADLOCK.
  // Their value forms and iteration are added after the class, as the
  // Channel's own are.
  static {
    /** The base of both ends: the claim, its release, and the chain of async calls. */
    class End {
      #ch;
      #unlock;
      #what;
      #turns;
      #busy = false; // inside a blocking or try call (see #enter)
      #deferred = null; // the unlock of a release() made inside such a call, or while async calls were pending

      constructor(key, ch, unlock, what) {
        if (key !== kEnd) throw errors.illegalConstructor(what, `made by channel.${what === 'ChannelSender' ? 'sender' : 'receiver'}()`);
        this.#ch = ch;
        this.#unlock = unlock;
        this.#what = what;
        this.#turns = new Turns(what);
      }

      /**
       * Begins a blocking or try call: the channel, checking that this end
       * is still claimed and not busy with an async call or with another
       * such call. User code can run inside one (a subclass of the message
       * or target, a getter, a patched method); a call of this end made from
       * there would move the ring under the outer call, so it throws, and a
       * release() made from there waits for the outer call's #leave.
       */
      static #enter(end) {
        if (end.#unlock === null) throw End.#released(end);
        if (end.#turns.pending > 0) {
          throw new errors.DeadlockError(`${end.#what}: a blocking call while an async one of this ${end.#what} is pending would wait for itself`);
        }
        if (end.#busy) {
          throw new errors.DeadlockError(`${end.#what}: called from code that one of its own calls ran (a getter, a subclass, a patched method) before that call returned`);
        }
        end.#busy = true;
        return end.#ch;
      }

      /** Ends what #enter began (in a finally): gives the side back if release() came meanwhile. */
      static #leave(end) {
        end.#busy = false;
        if (end.#turns.pending === 0) End.#unlockDeferred(end);
      }

      /** Gives the side back if a release() is waiting to (see release()). */
      static #unlockDeferred(end) {
        const unlock = end.#deferred;
        if (unlock !== null) {
          end.#deferred = null;
          unlock();
        }
      }

      /**
       * Runs `op(channel)` in its turn, after the async calls of this end
       * made before it (see lib/turns.js); the call's own `timeout` (from
       * `t0`) and `signal` count from now.
       */
      static #queue(end, op, timeout, t0, signal) {
        if (end.#unlock === null) return Promise.reject(End.#released(end));
        // Once settled, and still before its caller resumes: the last call of
        // a released end gives the side back, so that after `p =
        // tx.sendAsync(m); tx.release(); await p` the side is free.
        const handBack = () => {
          if (end.#turns.pending === 0 && !end.#busy) End.#unlockDeferred(end); // (a release() left its unlock there)
        };
        // Made from code that one of this end's blocking or try calls ran (a
        // getter of its options): its turn comes after that call, not in it.
        return end.#turns.run(() => op(end.#ch), timeout, t0, signal, handBack, !end.#busy);
      }

      static {
        endEnter = End.#enter;
        endLeave = End.#leave;
        endQueue = End.#queue;
      }

      static #released(end) {
        return new errors.NotOwnerError(`${end.#what}: released; claim the side again with channel.${end.#what === 'ChannelSender' ? 'sender' : 'receiver'}()`);
      }

      /** The Channel this end belongs to. */
      get channel() {
        return this.#ch;
      }

      /** False once released. */
      get claimed() {
        return this.#unlock !== null;
      }

      /** Gives the side back to every thread; async calls already made finish first, under the claim. */
      release() {
        if (this.#unlock === null) throw End.#released(this);
        const unlock = this.#unlock;
        this.#unlock = null;
        // Async calls pending: when the last settles. From inside one of its
        // own calls: at that call's end.
        if (this.#turns.pending > 0 || this.#busy) this.#deferred = unlock;
        else unlock();
      }

      /** `release()` unless released, for `using tx = channel.sender()`. */
      [Symbol.dispose]() {
        if (this.#unlock !== null) this.release();
      }

      [inspectSymbol](depth, options, inspect) {
        const constructed = #what in this;
        const name = constructed ? this.#what : this instanceof ChannelSender ? 'ChannelSender' : 'ChannelReceiver';
        return inspected(name, constructed, depth, options, inspect, () => ({
          claimed: this.#unlock !== null,
          pendingAsyncCalls: this.#turns.pending,
          channel: this.#ch,
        }));
      }
    }

    ChannelSender = class ChannelSender extends End {
      constructor(key, ch) {
        super(key, ch, () => internals.unlock(ch.#sendLock), 'ChannelSender');
      }

      /** Sends if there is room now: true or false. Never blocks. */
      trySend(message) {
        const ch = endEnter(this);
        try {
          return ch.#put(bytesOfMessage(message, true), true) === true; // (#put checks the length)
        } finally {
          endLeave(this);
        }
      }

      /** Sends, blocking while the channel is full. `{ timeout }`. */
      send(message, options) {
        const ch = endEnter(this);
        try {
          if (options === undefined) {
            // No options to read: the streaming case. #put checks the length.
            const bytes = bytesOfMessage(message, true);
            if (!ch.#put(bytes, false)) ch.#sendHeld(bytes, -1, 0);
            return;
          }
          const early = ch.#payloadOf(message);
          const len = early === undefined ? -1 : ring.lengthOf(early); // at the call
          const timeout = ring.timeoutOf(options); // (options before a string is encoded: see encodedNow)
          ch.#sendHeld(early === undefined ? ch.#payload(message, true) : keptAtCall(early, len), timeout, ring.now(timeout));
        } finally {
          endLeave(this);
        }
      }

      /** Resolves once sent (after this sender's earlier async sends). `{ timeout, signal }`. */
      async sendAsync(message, options) {
        const bytes = this.channel.#payload(message);
        const len = ring.lengthOf(bytes); // at the call, before the options' getters run
        const timeout = ring.timeoutOf(options);
        const signal = ring.signalOf(options);
        const t0 = ring.now(timeout);
        return endQueue(this, (ch) => ch.#sendHeldAsync(bytes, len, timeout, t0, signal), timeout, t0, signal);
      }
    };

    ChannelReceiver = class ChannelReceiver extends End {
      constructor(key, ch) {
        super(key, ch, () => ch.#releaseReceive(), 'ChannelReceiver');
        ch.#lazyHead = true;
      }

      /** A message if one is there, else `undefined`. Never blocks. */
      tryRecv() {
        return ChannelReceiver.#tryReceive(this, FRESH);
      }

      /** A message, blocking while empty; `undefined` once closed and drained. `{ timeout }`. */
      recv(options) {
        return ChannelReceiver.#receive(this, FRESH, options);
      }

      /** Resolves with a message (after this receiver's earlier async receives). `{ timeout, signal }`. */
      async recvAsync(options) {
        return ChannelReceiver.#receiveAsync(this, undefined, options);
      }

      /** Copies the next message into `target` if one is there: its length, else `undefined` (see Channel#tryRecvInto). */
      tryRecvInto(target) {
        return ChannelReceiver.#tryReceive(this, target);
      }

      /** `tryRecvInto`, blocking while empty; `undefined` once closed and drained. `{ timeout }`. */
      recvInto(target, options) {
        return ChannelReceiver.#receive(this, target, options);
      }

      /** Resolves with the length of the message copied into `target` (after this receiver's earlier async receives). `{ timeout, signal }`. */
      async recvIntoAsync(target, options) {
        return ChannelReceiver.#receiveAsync(this, bytesOf(target, 'target'), options);
      }

      // The receives of this end: a fresh Uint8Array (`target` FRESH), or
      // the message copied into `target`, whose type is checked after the
      // claim (as a sender checks its message).

      static #tryReceive(end, target) {
        const ch = endEnter(end);
        try {
          return ch.#take(target === FRESH ? undefined : bytesOf(target, 'target'));
        } finally {
          endLeave(end);
        }
      }

      static #receive(end, target, options) {
        const ch = endEnter(end);
        try {
          const into = target === FRESH ? undefined : bytesOf(target, 'target');
          if (options === undefined) {
            const m = ch.#take(into); // no options to read: the streaming case
            if (m !== undefined) return m;
          }
          const timeout = ring.timeoutOf(options);
          return ch.#recvHeld(timeout, ring.now(timeout), into);
        } finally {
          endLeave(end);
        }
      }

      static #receiveAsync(end, into, options) {
        const timeout = ring.timeoutOf(options);
        const signal = ring.signalOf(options);
        const t0 = ring.now(timeout);
        return endQueue(end, (ch) => ch.#recvHeldAsync(timeout, t0, signal, into), timeout, t0, signal);
      }
    };
  }

  /** Ends the stream: sends throw ERR_SHMKIT_CLOSED; receives drain, then return `undefined`. */
  close() {
    // The tail's mark first, then CLOSED (see TAIL_CLOSED), in one native call.
    native.ringClose(this.#c, INDEX_WAITING, INDEX_WAITING, TAIL_CLOSED);
  }

  /** True after `close()`. */
  get closed() {
    return (Atomics.load(this.#c, STATE) & CLOSED) !== 0;
  }

  /** Bytes in use now (messages plus their 4-byte headers and padding). */
  get byteSize() {
    const c = this.#c;
    const t = Atomics.load(c, TAIL) & POSITION;
    const word = Atomics.load(c, RECV_POS); // before the head: see #receivedTo
    const head = this.#receivedTo(Atomics.load(c, HEAD) & INDEX_MASK, t, word); // a claimed receiver may be further on
    return Math.min(this.#cap, (t - head) & INDEX_MASK);
  }

  /** The ring's size in bytes; one message can be at most `byteCapacity - 4` bytes. */
  get byteCapacity() {
    return this.#cap;
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('Channel', #cap in this, depth, options, inspect, () => ({ byteSize: this.byteSize, byteCapacity: this.#cap, closed: this.closed }));
  }
}

// The value forms and iteration, written once on top of each side's byte
// methods (send / trySend / sendAsync, recv / tryRecv / recvAsync), for the
// Channel and for its claimed ends.
/** True for an error that v8.serialize raises itself about a value it cannot write (not one that the value's own code threw). */
function refusedBySerializer(err) {
  if (err?.constructor === Error) return / could not be cloned\.$/.test(err.message) || /^Unserializable host object/.test(err.message);
  return err?.constructor === TypeError && /detached ArrayBuffer/.test(err.message);
}

/** `value` serialized for a channel of `byteCapacity` (this side's channel), or a RangeError that says so. */
function serialized(side, value) {
  let bytes;
  try {
    bytes = v8.serialize(value);
  } catch (err) {
    // The serializer's own refusal (a function, a symbol, a SharedArrayBuffer
    // and so any shmkit object...; a host object such as a MessagePort,
    // which node:v8 cannot write) is a plain Error without a code, and
    // a view of a detached buffer a TypeError: given one. What a getter of
    // the value threw passes as it is.
    if (refusedBySerializer(err)) {
      const coded = errors.invalidArgValue('value', value, `cannot be serialized: ${err.message} (sendValue carries structured-cloneable values without shared memory)`);
      coded.cause = err;
      throw coded;
    }
    throw err;
  }
  const cap = (side.channel ?? side).byteCapacity;
  if (bytes.length > cap - 4) {
    throw errors.outOfRange(
      'value',
      `at most ${cap - 4} bytes once serialized (the channel's byteCapacity less 4; make the channel larger)`,
      bytes.length,
      `a value of ${bytes.length} bytes serialized`,
    );
  }
  return bytes;
}

/**
 * A message received by a value form, deserialized: when it is no serialized
 * value, a BadValueError (ERR_SHMKIT_BAD_VALUE) that carries the message.
 */
function deserialized(m) {
  if (m === undefined) return undefined;
  try {
    return v8.deserialize(m);
  } catch (err) {
    throw new errors.BadValueError(`Channel: the message is not a value sent with sendValue (${err.message}); its ${m.length} bytes are the error's bytes`, m, { cause: err });
  }
}

const valueSending = {
  /** Sends any structured-cloneable value (node:v8 serialization). `{ timeout }`. */
  sendValue(value, options) {
    this.send(serialized(this, value), options);
  },

  /** Sends a value if that needs no waiting. */
  trySendValue(value) {
    return this.trySend(serialized(this, value));
  },

  /** Resolves once the value is sent. `{ timeout, signal }`. */
  async sendValueAsync(value, options) {
    return this.sendAsync(serialized(this, value), options);
  },
};

const valueReceiving = {
  /** Receives a value, blocking; `undefined` once closed and drained. `{ timeout }`. */
  recvValue(options) {
    return deserialized(this.recv(options));
  },

  /** A value if one is there, else `undefined`. */
  tryRecvValue() {
    return deserialized(this.tryRecv());
  },

  /** Resolves with a value; `undefined` once closed and drained. `{ timeout, signal }`. */
  async recvValueAsync(options) {
    return deserialized(await this.recvAsync(options));
  },

  /**
   * Messages until closed and drained, both ways: `for … of` blocks
   * (workers), `for await` waits. `{ timeout }` bounds each wait;
   * `{ signal }` aborts the async form.
   */
  messages(options) {
    return ring.drain(this, this.recv, this.recvAsync, options);
  },

  /** As `messages()`, with each message deserialized (as `recvValue` does). */
  values(options) {
    return ring.drain(this, this.recv, this.recvAsync, options, deserialized);
  },

  /** Async iteration over messages until closed and drained. */
  [Symbol.asyncIterator]() {
    return ring.drain(this, this.recv, this.recvAsync, undefined)[Symbol.asyncIterator]();
  },

  /** Blocking iteration (for workers). */
  [Symbol.iterator]() {
    return ring.drain(this, this.recv, this.recvAsync, undefined)[Symbol.iterator]();
  },
};

/** Adds `methods` to `Class.prototype` as class methods are (not enumerable). */
function addMethods(Class, methods) {
  for (const key of Reflect.ownKeys(methods)) {
    Object.defineProperty(Class.prototype, key, { value: methods[key], writable: true, configurable: true });
  }
}

addMethods(Channel, valueSending);
addMethods(Channel, valueReceiving);
addMethods(ChannelSender, valueSending);
addMethods(ChannelReceiver, valueReceiving);

shared.register(Channel);

module.exports = { Channel, ChannelSender, ChannelReceiver };
