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

// Async waiters of this thread, by id: id -> callback(status).
const pending = new Map();
let nextId = 0;

function onWake(id, status) {
  const settle = pending.get(id);
  if (settle === undefined) return;
  forget(id);
  try {
    settle(status);
  } catch (err) {
    // settle() never throws; if it ever did, do not lose the error silently.
    process.nextTick(() => {
      throw err;
    });
  }
}

function track(id, settle) {
  if (pending.size === 0) native.wakerRef(true);
  pending.set(id, settle);
}

function forget(id) {
  if (pending.delete(id) && pending.size === 0) native.wakerRef(false);
}

/** This thread's shmkit id (Node `threadId + 1`), the value lock words store. */
const TID = native.registerThread(threadId, onWake, () => {});

/**
 * Runs one async wait on the object named `what`. `start(id)` tries the operation and returns a native
 * status (PENDING when it queued waiter `id`); `cancel(id)` withdraws a queued
 * waiter and says whether it was still queued; `finish(status)` turns a final
 * status into the result (or throws). A RETRY status starts over.
 * A timeout rejects with TimeoutError; an abort rejects with the signal's
 * reason; if the outcome was already decided, it wins over both.
 */
function waitAsync(what, start, cancel, finish, timeout, signal) {
  if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let id = 0;
    let timer;
    let done = false;
    const end = () => {
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== undefined) signal.removeEventListener('abort', onAbort);
    };
    const onStatus = (status) => {
      if (status === STATUS_RETRY) return attempt();
      end();
      try {
        resolve(finish(status));
      } catch (err) {
        reject(err);
      }
    };
    const attempt = () => {
      nextId = (nextId + 1) >>> 0 || 1;
      id = nextId;
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
      if (done || !pending.has(id)) return;
      if (cancel(id)) {
        forget(id);
        end();
        reject(reason());
      }
    };
    const onAbort = () => giveUp(() => signal.reason);
    if (timeout >= 0) timer = setTimeout(() => giveUp(() => errors.fromStatus(native.STATUS_TIMEOUT, what)), timeout);
    if (signal !== undefined) signal.addEventListener('abort', onAbort, { once: true });
    attempt();
  });
}

module.exports = { native, FAST, TID, waitAsync };
