'use strict';
// The async calls one object makes on one side of a ring or channel (its
// pushes, its pops; a Channel's sends, its receives; a claimed end's calls),
// served in the order they were made, as `postMessage` keeps its order. Each
// such call waits for shared memory in slices and looks again after each, so
// several calls of one thread left to race would be served in whatever order
// their slices happened to end.
//
// A call made while none of the object's calls of that side is pending runs
// at once (a push into a ring with room resolves without a detour). A call
// made while some are pending waits for its turn: it starts when every
// earlier one has settled. While it waits, its own `timeout` (counted from
// the call) and `signal` can end it, and its turn is then skipped. Once its
// turn has come it is its operation's to end, which gets the same timeout,
// start time and signal.

const errors = require('./errors.js');

const ignore = () => {};

class Turns {
  #last = Promise.resolve(); // settles once every call given a turn so far has run (never rejects)
  #pending = 0; // calls not settled yet: running or waiting for their turn
  #what;

  /** `what` names the object in a timeout's message ("Channel", "ChannelSender"...). */
  constructor(what) {
    this.#what = what;
  }

  /** How many calls have not settled yet. */
  get pending() {
    return this.#pending;
  }

  /**
   * Runs `op(timeout, t0, signal)` (which returns a value or a promise) in
   * its turn; resolves or rejects as it does. `after()`, if given, runs once
   * the call has settled and stopped counting as pending, before its caller
   * resumes. `atOnce` false: not at once even when nothing is pending (its
   * turn comes after the current job, as a later call's would).
   */
  run(op, timeout, t0, signal, after = ignore, atOnce = true) {
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    this.#pending++;
    if (this.#pending === 1 && atOnce) {
      let result;
      try {
        result = Promise.resolve(op(timeout, t0, signal));
      } catch (err) {
        result = Promise.reject(err);
      }
      const settled = result.then(
        (value) => {
          this.#settled(after);
          return value;
        },
        (err) => {
          this.#settled(after);
          throw err;
        },
      );
      this.#last = settled.catch(ignore); // (a rejection is the caller's to see, through `settled`)
      return settled;
    }
    return new Promise((resolve, reject) => {
      // Once its turn has come, the call is no longer the timer's or the
      // signal's to end (even if a signal-like object keeps calling its
      // listener): its operation has them.
      let started = false;
      let settled = false;
      let timer;
      const onAbort = () => giveUp(() => signal.reason);
      const stopWatching = () => {
        clearTimeout(timer);
        try {
          signal?.removeEventListener('abort', onAbort);
        } catch {
          // A signal-like object that throws here must not strand the call (or the calls after it).
        }
      };
      // The call stops counting as pending before its caller hears of it.
      const settle = () => {
        if (settled) return false;
        settled = true;
        this.#pending--;
        return true;
      };
      const giveUp = (reason) => {
        if (started || !settle()) return;
        stopWatching();
        let err;
        try {
          err = reason();
        } catch (thrown) {
          err = thrown; // a signal-like object's reason getter that throws
        }
        reject(err);
        after();
      };
      try {
        signal?.addEventListener('abort', onAbort, { once: true });
      } catch (err) {
        giveUp(() => err); // a signal-like object that throws here: the call ends, the object stays usable
        return;
      }
      // `aborted` read safely: a signal-like object's getter may throw (that ends the call too).
      const abortedNow = () => {
        try {
          return signal !== undefined && signal.aborted === true;
        } catch (err) {
          giveUp(() => err);
          return false;
        }
      };
      if (!settled && abortedNow()) giveUp(() => signal.reason); // aborted from inside addEventListener
      if (settled) return;
      if (timeout >= 0 && timeout < 2 ** 31) {
        timer = setTimeout(() => giveUp(() => new errors.TimeoutError(`${this.#what}: the wait timed out after ${timeout} ms`)), timeout);
      }
      const turn = async () => {
        if (!settled && abortedNow()) giveUp(() => signal.reason); // a signal that aborted without telling its listeners
        if (settled) return; // it gave up while waiting
        started = true;
        stopWatching();
        let value;
        try {
          value = await op(timeout, t0, signal);
        } catch (err) {
          settle();
          reject(err);
          after();
          return;
        }
        settle();
        resolve(value);
        after();
      };
      // A turn never rejects (it settles its own call), and the chain must
      // never break: every later call waits on it.
      this.#last = this.#last.then(turn).catch(ignore);
    });
  }

  #settled(after) {
    this.#pending--;
    after();
  }
}

module.exports = { Turns };
