'use strict';
// What every shared object has in common: where it lives (placement and
// validation of `{ buffer, byteOffset }`), how it is reopened in another thread
// (`from`, `attach`), and the tag that survives structured cloning.

const { types } = require('node:util');
const { native } = require('./runtime.js');
const errors = require('./errors.js');
const { isAbortOf, knownKeys } = require('./validate.js');

/** Own enumerable property naming the class; it survives postMessage/workerData. */
const TAG = '$shmkit';
/** Internal option key: open existing memory instead of creating an object. */
const kOpen = Symbol('shmkit.open');

/** Class name -> class, for attach(). */
const classes = new Map();

function register(Class) {
  classes.set(Class.name, Class);
}

/**
 * Each constructor's options: where to place the object, and the options of
 * its own that its constructor has read (by class name).
 */
const PLACEMENT = ['buffer', 'byteOffset'];
const OPTION_NAMES = new Map([
  ['Semaphore', ['max', ...PLACEMENT]],
  ['Channel', ['byteCapacity', ...PLACEMENT]],
]);

function isShared(buffer) {
  return types.isSharedArrayBuffer(buffer);
}

/** A new SharedArrayBuffer of `bytes`, or ERR_MEMORY_ALLOCATION_FAILED. */
function allocate(Class, bytes) {
  try {
    return new SharedArrayBuffer(bytes);
  } catch (err) {
    throw errors.allocationFailed(`${Class.name}: cannot allocate a SharedArrayBuffer of ${bytes} bytes (${err.message})`);
  }
}

/**
 * Validates `{ buffer, byteOffset }` for `Class` (creating when `open` is
 * false: a missing buffer is allocated) and returns the object's Int32Array.
 */
function place(Class, options, open, need = Class.byteLength) {
  if (options === undefined || options === null) options = {};
  else if (typeof options !== 'object') throw errors.invalidArgType('options', 'an object', options);
  else if (!open) knownKeys(options, OPTION_NAMES.get(Class.name) ?? PLACEMENT);
  let { buffer, byteOffset } = options;
  const where = open ? 'value' : 'options'; // what the caller passed: Class.from's value, or a constructor's options
  if (buffer === undefined) {
    if (open) throw errors.invalidArgType('value.buffer', 'a SharedArrayBuffer', buffer);
    if (byteOffset !== undefined && byteOffset !== 0) {
      throw errors.invalidArgValue('options.byteOffset', byteOffset, 'needs options.buffer');
    }
    buffer = allocate(Class, need);
    byteOffset = 0;
  } else if (!isShared(buffer)) {
    if (types.isAnyArrayBuffer(buffer) || ArrayBuffer.isView(buffer)) {
      throw new errors.NotSharedError(
        `${Class.name} needs a SharedArrayBuffer; got ${ArrayBuffer.isView(buffer) ? 'a view (pass its .buffer, a SharedArrayBuffer)' : 'a plain ArrayBuffer, which threads cannot share'}`,
      );
    }
    throw errors.invalidArgType(`${where}.buffer`, 'a SharedArrayBuffer', buffer);
  }
  if (byteOffset === undefined) byteOffset = 0;
  if (typeof byteOffset !== 'number') throw errors.invalidArgType(`${where}.byteOffset`, 'a number', byteOffset);
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0) {
    throw errors.outOfRange(`${where}.byteOffset`, 'a non-negative integer', byteOffset);
  }
  const align = native.OBJECT_ALIGN;
  if (byteOffset % align !== 0) {
    const msg = `${Class.name} byteOffset ${byteOffset} is not a multiple of ${align}`;
    if (open) throw new errors.BadLayoutError(msg);
    throw errors.invalidArgValue('options.byteOffset', byteOffset, `must be a multiple of ${align}`);
  }
  if (byteOffset + need > buffer.byteLength) {
    if (open) {
      // Opening reads the header first (then `need` is the header's size),
      // and then the whole object the header describes.
      const what = need === native.HEADER_BYTES ? `at least its ${need}-byte header` : `${need} bytes`;
      throw new errors.BadLayoutError(
        `the buffer is too small: a ${Class.name} at byteOffset ${byteOffset} needs ${what}, ${Math.max(0, buffer.byteLength - byteOffset)} are there`,
      );
    }
    if (buffer.byteLength < need) {
      throw errors.outOfRange('options.buffer.byteLength', `at least ${need} (a ${Class.name} needs ${need} bytes)`, buffer.byteLength);
    }
    throw errors.outOfRange(
      'options.byteOffset',
      `<= ${buffer.byteLength - need} so that ${need} bytes fit in a buffer of ${buffer.byteLength}`,
      byteOffset,
    );
  }
  return new Int32Array(buffer, byteOffset, need / 4);
}

/**
 * Validates the header of an object being opened; throws BadLayoutError.
 * Returns the `{ param, elem }` it validated. `checker` is
 * `native.checkObject` (the whole object, which must fit in `i32`) or
 * `native.checkHeader` (`i32` is the header alone).
 */
function check(Class, i32, kind, checker = native.checkObject) {
  const header = checker(i32, kind);
  if (header.problem !== null && header.problem !== undefined) {
    throw new errors.BadLayoutError(`cannot open a ${Class.name} at byteOffset ${i32.byteOffset}: ${header.problem}`);
  }
  return header;
}

/** Defines the cloneable identity of an instance: tag, buffer, byteOffset. */
function identify(instance, Class, i32) {
  Object.defineProperty(instance, TAG, { value: Class.name, enumerable: true });
  Object.defineProperty(instance, 'buffer', { value: i32.buffer, enumerable: true });
  Object.defineProperty(instance, 'byteOffset', { value: i32.byteOffset, enumerable: true });
}

/** True when `options` asks to open an existing object (`Class.from`). */
function isOpen(options) {
  return options !== null && typeof options === 'object' && options[kOpen] === true;
}

/**
 * Sets up `instance` of `Class` (kind tag `kind`): places it per `options`,
 * then opens and validates the object there (`Class.from`) or creates a fresh
 * one with header parameter `param` and first state word `initial`. Returns
 * the object's Int32Array and its header parameter.
 */
function setUp(instance, Class, kind, options, param = 0, initial = 0) {
  return setUpSized(instance, Class, kind, options, { param, initial, elem: 0, byteLength: Class.byteLength });
}

/**
 * `setUp` for objects whose size depends on their header (rings): `spec` is
 * `{ param, elem, initial, byteLength }` when creating; when opening, the
 * header is read first and `byteLength` follows from it.
 */
function setUpSized(instance, Class, kind, options, spec) {
  const open = isOpen(options);
  let { param, elem, byteLength } = spec ?? {};
  if (open) {
    // The header alone first (all of it but the object's size checked): a
    // header of another kind, or a corrupted one, is named as such here,
    // not measured with this kind's sizes.
    const head = place(Class, options, true, native.HEADER_BYTES);
    ({ param, elem } = check(Class, head, kind, native.checkHeader));
    byteLength = native.objectByteLength(kind, param, elem); // (valid: checked with them)
  }
  const i32 = place(Class, options, open, byteLength);
  if (open) {
    // The header may be written by any thread: keep only values that are
    // the ones validated (read once more, in the same read as the check).
    const checked = check(Class, i32, kind);
    if (checked.param !== param || checked.elem !== elem) {
      throw new errors.BadLayoutError(`cannot open a ${Class.name} at byteOffset ${i32.byteOffset}: its header changed while it was being opened`);
    }
  } else native.createObject(i32, kind, param, elem, spec.initial ?? 0);
  identify(instance, Class, i32);
  return { i32, param, elem };
}

/**
 * `Class.from(value)`: `value` is a live instance (returned as is), or the
 * plain object an instance becomes when it crosses a thread, or any
 * `{ buffer, byteOffset }` where such an object lives. `open(options)`
 * constructs the class in open mode.
 */
function from(Class, value, open = (options) => new Class(options)) {
  if (value instanceof Class) return value;
  if (value === null || typeof value !== 'object') {
    throw errors.invalidArgType('value', `a ${Class.name} or the object one becomes across threads`, value);
  }
  if (isShared(value)) {
    throw errors.invalidArgType('value', `a ${Class.name}, the object one becomes across threads, or { buffer, byteOffset } naming where one is (not the SharedArrayBuffer itself)`, value);
  }
  const tag = value[TAG];
  if (tag !== undefined && tag !== Class.name) {
    throw new errors.BadLayoutError(`this value is a ${tag}, not a ${Class.name}`);
  }
  return open({ buffer: value.buffer, byteOffset: value.byteOffset, [kOpen]: true });
}

function isPlainContainer(value) {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Revives every shmkit object inside `value` (as received through
 * `workerData` or a message) as a live instance of its class. Arrays, plain
 * objects and Map values are walked and updated in place; the (possibly
 * revived) value is returned.
 */
function attach(value) {
  return revive(value, new Map());
}

function revive(value, seen) {
  if (value === null || typeof value !== 'object') return value;
  // Met before in this call (`seen`: each object walked or revived, and what
  // it became): a tagged object sent twice arrives as one object (structured
  // clone keeps identity), and becomes one live object.
  const before = seen.get(value);
  if (before !== undefined) return before;
  const tag = value[TAG];
  if (typeof tag === 'string' && Object.getPrototypeOf(value) === Object.prototype) {
    const Class = classes.get(tag);
    if (Class !== undefined) {
      const live = Class.from(value);
      seen.set(value, live);
      return live;
    }
    // What another version of shmkit (or a typo) calls a shmkit object:
    // left plain, it would fail later as "x.lock is not a function".
    if (isShared(value.buffer)) {
      throw errors.invalidArgValue('value', value, `holds a shmkit object of a class this shmkit does not have (${JSON.stringify(tag)}; sent by another version of shmkit?)`);
    }
  }
  seen.set(value, value);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const r = revive(v, seen);
      if (r !== v) value.set(k, r);
    }
  } else if (isPlainContainer(value)) {
    for (const key of Object.keys(value)) {
      const v = value[key];
      const r = revive(v, seen);
      if (r !== v) value[key] = r;
    }
  }
  return value;
}

const warned = new Set();

/**
 * For the blocking withLock-style helpers: `result` is what their `fn`
 * returned. A Promise means `fn` is async and its work goes on after the
 * helper gave back what it `held`: warn once per helper (Node's process
 * warning, code SHMKIT_ASYNC_CALLBACK) that `asyncForm` is the one to use.
 * Returns `result`.
 */
function syncResult(what, asyncForm, held, result) {
  if (result instanceof Promise && !warned.has(what)) { // (instanceof: no native call on the hot path)
    warned.add(what);
    process.emitWarning(
      `${what}(fn): fn returned a Promise; ${held} was given back when fn returned, not when the Promise settles: use ${asyncForm}(fn) for async work`,
      { type: 'ShmkitWarning', code: 'SHMKIT_ASYNC_CALLBACK' },
    );
  }
  return result;
}

/**
 * For withLock-style helpers: `lock()` (sync, or returning a Promise) gives a
 * guard. If the lock is poisoned, the callback must not run on data a dead
 * owner may have left half-updated: release the guard and throw an
 * OwnerDiedError that says so. `options` are the lock call's: an abort whose
 * reason happens to be an OwnerDiedError is the caller's, and passes as it is.
 */
function releasingOnPoison(what, lock, options) {
  const poisoned = (err) => {
    if (!(err instanceof errors.OwnerDiedError)) throw err;
    if (isAbortOf(options?.signal, err)) throw err; // the caller's abort: no guard of ours
    err.guard.unlock();
    throw new errors.OwnerDiedError(
      `${what}: a thread died holding this lock, so the callback did not run and the lock was released again; ` +
        'repair the data holding the lock directly (the OwnerDiedError carries the guard), then call clearPoison()',
      err.guard,
    );
  };
  try {
    const result = lock();
    return typeof result.then === 'function' ? result.catch(poisoned) : result;
  } catch (err) {
    return poisoned(err);
  }
}

module.exports = { TAG, kOpen, register, isOpen, setUp, setUpSized, from, attach, releasingOnPoison, syncResult };
