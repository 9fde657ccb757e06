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

/** The `timeout` option in milliseconds (>= 0); -1 for none (undefined or Infinity). */
function timeoutOf(opts, name = 'options.timeout') {
  opts = options(opts);
  const t = opts === undefined ? undefined : opts.timeout;
  if (t === undefined || t === Infinity) return -1;
  if (typeof t !== 'number') throw errors.invalidArgType(name, 'a number', t);
  if (!(t >= 0)) throw errors.outOfRange(name, '>= 0', t);
  return t;
}

/** The `signal` option: an AbortSignal or undefined. */
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

module.exports = { integer, func, options, timeoutOf, signalOf, isAbortOf };
