'use strict';
// The built-in functions shmkit relies on where user code must not be able to
// step in, taken once when shmkit loads, as Node's own primordials are.
//
// `fn.call(x)` looks up `Function.prototype.call` at every call, so code that
// replaces it later could answer in the built-in's place: say that a buffer
// is one of a BufferPool's loans, or misstate a message's length. Each
// function here is instead bound, at load, to the `call` that was there then,
// so `lengthOf(view)` always runs the real `length` getter on `view`. (They
// are also a little faster than `.call`.)

const { bind, call } = Function.prototype;
const { getOwnPropertyDescriptor, getPrototypeOf } = Object;

/** `fn` as a plain function of its receiver and arguments: `uncurryThis(fn)(self, ...args)` is `fn.call(self, ...args)`. */
function uncurryThis(fn) {
  return bind.call(call, fn);
}

const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype);
const getterOf = (proto, key) => uncurryThis(getOwnPropertyDescriptor(proto, key).get);
const optionalOf = (proto, key, field) => {
  const fn = getOwnPropertyDescriptor(proto, key)?.[field];
  return typeof fn === 'function' ? uncurryThis(fn) : undefined;
};

module.exports = {
  uncurryThis,
  // TypedArray.prototype: read through internal slots, whatever a subclass or an own property says.
  typedArrayLength: getterOf(TypedArrayPrototype, 'length'),
  typedArrayBuffer: getterOf(TypedArrayPrototype, 'buffer'),
  typedArrayByteOffset: getterOf(TypedArrayPrototype, 'byteOffset'),
  typedArrayByteLength: getterOf(TypedArrayPrototype, 'byteLength'),
  typedArrayTypeName: getterOf(TypedArrayPrototype, Symbol.toStringTag),
  typedArraySet: uncurryThis(TypedArrayPrototype.set),
  typedArrayFill: uncurryThis(TypedArrayPrototype.fill),
  // DataView.prototype: these throw for a view of a detached buffer (or out of a shrunk one's bounds).
  dataViewBuffer: getterOf(DataView.prototype, 'buffer'),
  dataViewByteOffset: getterOf(DataView.prototype, 'byteOffset'),
  dataViewByteLength: getterOf(DataView.prototype, 'byteLength'),
  // ArrayBuffer.prototype: byteLength throws for anything but a real ArrayBuffer (a SharedArrayBuffer too).
  arrayBufferByteLength: getterOf(ArrayBuffer.prototype, 'byteLength'),
  arrayBufferResizable: optionalOf(ArrayBuffer.prototype, 'resizable', 'get'),
  arrayBufferTransfer: optionalOf(ArrayBuffer.prototype, 'transfer', 'value'),
  // FinalizationRegistry.prototype
  registryRegister: uncurryThis(FinalizationRegistry.prototype.register),
  registryUnregister: uncurryThis(FinalizationRegistry.prototype.unregister),
  FinalizationRegistry,
};
