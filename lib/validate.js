'use strict';
// Argument checks shared by every class; each throws Node's own error codes.

const errors = require('./errors.js');

/** An integer `value` in `min..max`, or throws (ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE). */
function integer(name, value, min, max) {
  if (typeof value !== 'number') throw errors.invalidArgType(name, 'a number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw errors.outOfRange(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** A function, or throws ERR_INVALID_ARG_TYPE. */
function func(name, value) {
  if (typeof value !== 'function') throw errors.invalidArgType(name, 'a function', value);
  return value;
}

/** Options object (or undefined/null), or throws ERR_INVALID_ARG_TYPE. */
function options(value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw errors.invalidArgType('options', 'an object', value);
  return value;
}

/**
 * Throws ERR_INVALID_ARG_VALUE when the options object `opts`, a plain
 * object (an object literal, or one with a null prototype), has an own
 * enumerable string key that is not one of `names`: a misspelt option
 * (`timeOut`) would otherwise be ignored, and a wait meant to be bounded
 * would not be. An instance of a class is not checked: its fields are its
 * class's, not a typo.
 */
function knownKeys(opts, names, name = 'options') {
  const proto = Object.getPrototypeOf(opts);
  if (proto !== Object.prototype && proto !== null) return;
  // (for-in: the cheapest walk of a literal's keys; an inherited key, one an
  // extension put on Object.prototype, is not the caller's.)
  for (const key in opts) {
    if (!names.includes(key) && Object.hasOwn(opts, key)) {
      const revive = key === '$shmkit' ? '; an object received from another thread is revived with Class.from(value) or attach()' : '';
      throw errors.invalidArgValue(name, opts, `has no option ${JSON.stringify(key)} (its options are ${names.join(', ')}${revive})`);
    }
  }
}

/**
 * Wait options shmkit builds from options it has checked already (a loop's
 * options, passed to each of its waits): an instance of a class, so that
 * `knownKeys` does not walk them again on every wait.
 */
class CheckedWaitOptions {
  constructor(timeout, signal) {
    this.timeout = timeout;
    this.signal = signal;
  }
}

// The options of every wait, blocking or async: a blocking wait ignores a
// `signal` (nothing can abort it), so one options object serves both forms.
const WAIT_OPTIONS = ['timeout', 'signal'];

/**
 * The `timeout` option in milliseconds (>= 0); -1 for none (undefined or
 * Infinity). The options' keys are checked here (every wait reads its
 * options through this, an async one before `signalOf`).
 */
function timeoutOf(opts, name = 'options.timeout') {
  opts = options(opts);
  if (opts === undefined) return -1;
  knownKeys(opts, WAIT_OPTIONS);
  const t = opts.timeout;
  if (t === undefined || t === Infinity) return -1;
  if (typeof t !== 'number') throw errors.invalidArgType(name, 'a number', t);
  if (!(t >= 0)) throw errors.outOfRange(name, '>= 0', t);
  return t;
}

/** The `signal` option: an AbortSignal or undefined (the keys: see `timeoutOf`). */
function signalOf(opts) {
  opts = options(opts);
  const signal = opts === undefined ? undefined : opts.signal;
  if (signal === undefined || signal === null) return undefined;
  // What shmkit uses of it: `aborted`, `reason`, and the two listener methods.
  if (
    typeof signal !== 'object' ||
    typeof signal.aborted !== 'boolean' ||
    typeof signal.addEventListener !== 'function' ||
    typeof signal.removeEventListener !== 'function'
  ) {
    throw errors.invalidArgType('options.signal', 'an AbortSignal (or an object with a boolean `aborted` and the methods addEventListener and removeEventListener)', signal);
  }
  return signal;
}

/**
 * True when `err` is `signal`'s abort reason. Every async wait passes that
 * reason on as it is, whatever its class (a shmkit TimeoutError, an
 * OwnerDiedError...): it is the caller's object, not an outcome of the wait.
 * A signal-like object whose getters throw makes this throw.
 */
function isAbortOf(signal, err) {
  return signal !== undefined && signal !== null && signal.aborted === true && err === signal.reason;
}

module.exports = { integer, func, options, knownKeys, CheckedWaitOptions, timeoutOf, signalOf, isAbortOf };
