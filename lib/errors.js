'use strict';
// Every error shmkit throws is made here: one class per shmkit outcome, Node's
// own codes for argument mistakes, and one table from native status codes to
// errors (`fromStatus`).

const { inspect, types } = require('node:util');
// The addon's status codes, read when a status needs an error (lib/binding.js
// uses this module to report an addon that does not load).
let native;

/** Base class of shmkit's own errors; `code` starts with `ERR_SHMKIT_`. */
class ShmkitError extends Error {
  constructor(message, code, options) {
    super(message, options);
    this.code = code;
  }
  get name() {
    return this.constructor.name;
  }
}

/** A wait ran out of time. */
class TimeoutError extends ShmkitError {
  constructor(message = 'the wait timed out') {
    super(message, 'ERR_SHMKIT_TIMEOUT');
  }
}

/**
 * The thread holding a lock died. The lock is now held by the caller anyway:
 * `error.guard` holds it and must be released.
 */
class OwnerDiedError extends ShmkitError {
  constructor(message, guard) {
    super(message, 'ERR_SHMKIT_OWNER_DIED');
    this.guard = guard;
  }
}

/** Blocking would never end: the thread (or a cycle of threads) holds what it waits for. */
class DeadlockError extends ShmkitError {
  constructor(message) {
    super(message, 'ERR_SHMKIT_DEADLOCK');
  }
}

/** The memory does not hold a valid shmkit object of the expected kind. */
class BadLayoutError extends ShmkitError {
  constructor(message) {
    super(message, 'ERR_SHMKIT_BAD_LAYOUT');
  }
}

/** A plain ArrayBuffer (or something else) where a SharedArrayBuffer is needed. */
class NotSharedError extends ShmkitError {
  constructor(message) {
    super(message, 'ERR_SHMKIT_NOT_SHARED');
  }
}

/** The calling thread does not hold what it tried to release. */
class NotOwnerError extends ShmkitError {
  constructor(message) {
    super(message, 'ERR_SHMKIT_NOT_OWNER');
  }
}

/** A party of the barrier's generation gave up (timeout, abort) or it was reset. */
class BarrierBrokenError extends ShmkitError {
  constructor(message = 'Barrier: the barrier is broken (a party timed out or aborted, or it was reset)') {
    super(message, 'ERR_SHMKIT_BARRIER_BROKEN');
  }
}

/** The ring or channel is closed: no more pushes or sends. */
class ClosedError extends ShmkitError {
  constructor(message = 'closed') {
    super(message, 'ERR_SHMKIT_CLOSED');
  }
}

/** A SlabPool block id that names no live hand-off or ownership (released, reused since, or forged). */
class StaleBlockError extends ShmkitError {
  constructor(message = 'stale block id') {
    super(message, 'ERR_SHMKIT_STALE_BLOCK');
  }
}

/**
 * A Channel's value form took a message that is not a serialized value;
 * `bytes` is that message, so nothing is lost.
 */
class BadValueError extends ShmkitError {
  constructor(message, bytes, options) {
    super(message, 'ERR_SHMKIT_BAD_VALUE', options);
    this.bytes = bytes;
  }
}

/** The thread is being terminated; its wait was abandoned. */
class TerminatedError extends ShmkitError {
  constructor(message = 'the thread is being terminated') {
    super(message, 'ERR_SHMKIT_TERMINATED');
  }
}

// How a value is shown in a message: one level deep, and without running
// the value's own [util.inspect.custom] (an error being built must not run,
// or throw, the caller's code).
const SHOWN = { depth: 0, customInspect: false };

function describe(value) {
  if (value === null || value === undefined) return String(value);
  if (types.isProxy(value)) return `a Proxy (of ${typeof value === 'function' ? 'a function' : 'an object'})`; // (its traps are not run)
  try {
    if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
    if (typeof value === 'object') {
      const name = value.constructor && value.constructor.name;
      return name ? `an instance of ${name}` : inspect(value, SHOWN);
    }
  } catch {
    return `${typeof value === 'function' ? 'a function' : 'an object'} (whose getters threw)`;
  }
  return `type ${typeof value} (${inspect(value, SHOWN)})`;
}

function withCode(error, code) {
  error.code = code;
  return error;
}

/** `TypeError [ERR_INVALID_ARG_TYPE]`, worded like Node's own. */
function invalidArgType(name, expected, actual) {
  return withCode(
    new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(actual)}`),
    'ERR_INVALID_ARG_TYPE',
  );
}

/**
 * `value` for an error message. Buffers and typed arrays by their kind and
 * size only: their bytes may be anyone's data (the pool behind small
 * Buffers), which has no business in a log.
 */
function shown(value) {
  if (types.isProxy(value)) return describe(value);
  try {
    if (types.isAnyArrayBuffer(value)) return `${types.isSharedArrayBuffer(value) ? 'SharedArrayBuffer' : 'ArrayBuffer'} { byteLength: ${value.byteLength} }`;
    if (ArrayBuffer.isView(value)) return `${value.constructor?.name ?? 'ArrayBufferView'} { byteLength: ${value.byteLength} }`;
  } catch {
    // A DataView of a detached buffer throws on byteLength; so may a subclass's getter.
    return `${types.isDataView(value) ? 'a DataView' : 'a view'} (its buffer detached, or its getters threw)`;
  }
  return inspect(value, SHOWN);
}

/** `TypeError [ERR_INVALID_ARG_VALUE]`, worded like Node's own. */
function invalidArgValue(name, value, reason) {
  return withCode(new TypeError(`The argument '${name}' ${reason}. Received ${shown(value)}`), 'ERR_INVALID_ARG_VALUE');
}

/** `RangeError [ERR_OUT_OF_RANGE]`, worded like Node's own; `received` says what was received, when not `value` itself. */
function outOfRange(name, range, value, received = inspect(value, SHOWN)) {
  return withCode(
    new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${received}`),
    'ERR_OUT_OF_RANGE',
  );
}

/** `RangeError [ERR_MEMORY_ALLOCATION_FAILED]`: the memory could not be had. */
function allocationFailed(message) {
  return withCode(new RangeError(message), 'ERR_MEMORY_ALLOCATION_FAILED');
}

/** `TypeError [ERR_ILLEGAL_CONSTRUCTOR]` for classes users do not construct. */
function illegalConstructor(name, hint) {
  return withCode(new TypeError(`Illegal constructor: ${name} (${hint})`), 'ERR_ILLEGAL_CONSTRUCTOR');
}

/**
 * The error for a native status code that is not a success. `what` names the
 * object for the message ("Mutex", "Semaphore"); `timeout`, the caller's
 * timeout in ms, goes into a timeout's message, as the async forms say it.
 */
function fromStatus(status, what, timeout = -1) {
  native ??= require('./binding.js');
  switch (status) {
    case native.STATUS_TIMEOUT:
      return new TimeoutError(timeout >= 0 ? `${what}: the wait timed out after ${timeout} ms` : `${what}: the wait timed out`);
    case native.STATUS_DEADLOCK:
      return new DeadlockError(
        `${what}: waiting would deadlock (this thread, or a cycle of threads, holds the lock it waits for)`,
      );
    case native.STATUS_NOT_OWNER:
      return new NotOwnerError(`${what}: this thread does not hold the lock`);
    case native.STATUS_BROKEN:
      return new BarrierBrokenError(`${what}: the barrier is broken (a party timed out or aborted, or it was reset)`);
    case native.STATUS_TERMINATED:
      return new TerminatedError();
    case native.STATUS_STALE:
      return new StaleBlockError(`${what}: the id is stale (the block was released or reused since) or was never handed out`);
    case native.STATUS_BAD_LAYOUT:
      return new BadLayoutError(`${what}: shared memory holds what no shmkit operation writes (corrupted)`);
    default:
      return new ShmkitError(`${what}: unexpected native status ${status}`, 'ERR_SHMKIT_INTERNAL');
  }
}

module.exports = {
  ShmkitError,
  TimeoutError,
  OwnerDiedError,
  DeadlockError,
  BadLayoutError,
  NotSharedError,
  NotOwnerError,
  TerminatedError,
  BarrierBrokenError,
  ClosedError,
  StaleBlockError,
  BadValueError,
  invalidArgType,
  invalidArgValue,
  outOfRange,
  allocationFailed,
  illegalConstructor,
  fromStatus,
};
