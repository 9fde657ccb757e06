'use strict';
// Per-thread runtime: registers this thread with the native parking lot, and
// runs async waits (Promises whose outcome the native side posts back to this
// thread's event loop).

const { threadId } = require('node:worker_threads');
const native = require('./binding.js');
const errors = require('./errors.js');

const { STATUS_PENDING, STATUS_RETRY } = native;

/**
 * Whether the JS fast paths (one CAS on the shared word) are used. Set
 * `SHMKIT_NO_FAST_PATH=1` to route every operation through Rust; the test
 * suite runs both ways so the two paths cannot drift apart.
 */
const FAST = !/^(1|true|yes)$/i.test(process.env.SHMKIT_NO_FAST_PATH || '');

// One copy of the native addon per process (two would run two parking lots):
// a second copy, e.g. a second install of the package, refuses to load here,
// even on a thread that the first copy registered already.
try {
  native.claimKernel();
} catch (err) {
  throw new errors.ShmkitError(`shmkit cannot load: ${err.message}`, 'ERR_SHMKIT_LOAD');
}

// One state per thread, shared by every copy of this module loaded in it (a
// test runner that resets its module registry loads shmkit's JS again, with
// the same addon): the thread registers with Rust once, and all copies share
// its waker and ids.
const kState = Symbol.for('shmkit.runtime.v1');
const state =
  globalThis[kState] ??
  (globalThis[kState] = (() => {
    const pending = new Map(); // async waiter id -> settle(status)
    // readHolds: RwLock read locks per lock (lib/rwlock.js), shared by every copy too.
    // delivering: the id of the async wait whose outcome is being settled now, else 0.
    const s = { pending, nextId: 0, tid: 0, step: null, readHolds: new Map(), holdTable: null, delivering: 0 };
    const onWake = (id, status) => {
      const settle = pending.get(id);
      if (settle === undefined) return;
      forgetIn(s, id);
      s.delivering = id;
      try {
        settle(status);
      } catch (err) {
        // settle() never throws; if it ever did, do not lose the error silently.
        process.nextTick(() => {
          throw err;
        });
      } finally {
        s.delivering = 0;
      }
    };
    s.tid = loading(() => native.registerThread(threadId, onWake));
    // The thread's Queue step record (src/ring/stranded.rs) and RwLock hold
    // table (src/sync/read_holds.rs): buffers this thread writes with plain
    // stores and Rust reads at its exit, kept alive by Rust until then.
    s.step = new Float64Array(loading(native.queueStepRecord));
    s.holdTable = new Float64Array(loading(native.rwlockHoldTable));
    return s;
  })());

/** What `call()` returns; a failure means shmkit cannot load on this thread (ERR_SHMKIT_LOAD). */
function loading(call) {
  try {
    return call();
  } catch (err) {
    throw new errors.ShmkitError(`shmkit cannot load on this thread: ${err.message}`, 'ERR_SHMKIT_LOAD');
  }
}

function forgetIn(s, id) {
  if (s.pending.delete(id) && s.pending.size === 0) native.wakerRef(false);
}

function track(id, settle) {
  if (state.pending.size === 0) native.wakerRef(true);
  state.pending.set(id, settle);
}

/** This thread's shmkit id (Node `threadId + 1`), the value lock words store. */
const TID = state.tid;
/** This thread's Queue step record (see lib/queue.js). */
const STEP = state.step;

// setTimeout takes at most 2^31 - 1 ms; longer timeouts are chained.
const MAX_TIMER = 0x7fffffff;
function longTimeout(ms, fn) {
  const handle = { timer: undefined };
  const deadline = performance.now() + ms;
  const arm = () => {
    const left = deadline - performance.now();
    handle.timer = setTimeout(left > MAX_TIMER ? arm : fn, Math.max(0, Math.min(left, MAX_TIMER)));
  };
  arm();
  return handle;
}

/** `reason()`, or what it threw (a signal-like object's `reason` getter may throw). */
function reasonOf(reason) {
  try {
    return reason();
  } catch (err) {
    return err;
  }
}

/**
 * Runs one async wait on the object named `what`. `start(id)` tries the
 * operation and returns a native status (PENDING when it queued waiter `id`);
 * `cancel(id)` withdraws a queued waiter and says whether it was still
 * queued; `finish(status)` turns a final status into the result (or throws).
 * A RETRY status starts over. A timeout rejects with TimeoutError; an abort
 * rejects with the signal's reason; if the outcome was already decided, it
 * wins over both (but a RETRY after a timeout or abort does not start over).
 */
function waitAsync(what, start, cancel, finish, timeout, signal) {
  if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let id = 0;
    let timer;
    let done = false;
    let expired = null; // the rejection a timeout or abort asked for while an outcome was in flight
    const end = () => {
      done = true;
      if (timer !== undefined) clearTimeout(timer.timer);
      if (signal !== undefined) {
        try {
          signal.removeEventListener('abort', onAbort);
        } catch {
          // A signal-like object that throws here must not keep the outcome from its caller.
        }
      }
    };
    const onStatus = (status) => {
      if (status === STATUS_RETRY) {
        if (expired === null) return attempt();
        end();
        reject(reasonOf(expired));
        return;
      }
      end();
      try {
        resolve(finish(status));
      } catch (err) {
        reject(err);
      }
    };
    const attempt = () => {
      state.nextId = (state.nextId + 1) >>> 0 || 1;
      id = state.nextId;
      let status;
      try {
        status = start(id);
      } catch (err) {
        end();
        reject(err);
        return;
      }
      if (status === STATUS_PENDING) track(id, onStatus);
      else onStatus(status);
    };
    const giveUp = (reason) => {
      if (done) return;
      if (state.pending.has(id) && cancel(id)) {
        forgetIn(state, id);
        end();
        reject(reasonOf(reason));
      } else if (expired === null) {
        expired = reason; // an outcome is on its way: a RETRY must not start over
      }
    };
    const onAbort = () => giveUp(() => signal.reason);
    if (signal !== undefined) {
      try {
        signal.addEventListener('abort', onAbort, { once: true });
      } catch (err) {
        done = true; // nothing started, no timer: a signal-like object that throws here ends the call
        reject(err);
        return;
      }
      if (signal.aborted || expired !== null) {
        // Aborted from inside addEventListener (a lazily evaluated signal): before anything started.
        end();
        reject(expired !== null ? reasonOf(expired) : reasonOf(() => signal.reason));
        return;
      }
    }
    if (timeout >= 0) timer = longTimeout(timeout, () => giveUp(() => new errors.TimeoutError(`${what}: the wait timed out after ${timeout} ms`)));
    attempt();
  });
}

/** This thread's RwLock read-lock counts by lock (see lib/rwlock.js). */
const READ_HOLDS = state.readHolds;
/** This thread's RwLock hold table (see lib/rwlock.js). */
const HOLD_TABLE = state.holdTable;
/** This thread's runtime state, for what changes: `delivering` (see lib/rwlock.js). */
const THREAD_STATE = state;

module.exports = { native, FAST, TID, STEP, READ_HOLDS, HOLD_TABLE, THREAD_STATE, waitAsync };
