// index.d.ts against the runtime, mechanically: every export, every member
// of every class (statics, prototype chain, an instance's own properties) and
// of the plain objects the API returns, each a method or not (a declared
// getter or property may be either a getter or a value at runtime: users
// read both alike) and, for methods, async or not against a declared
// Promise. The TypeScript checker reads the declarations, as a user's
// compiler would.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const shmkit = require('../index.js');
const dtsPath = fileURLToPath(new URL('../index.d.ts', import.meta.url));

// Runtime symbol keys by their name in the declarations (Node 20's
// Symbol.dispose is described as 'nodejs.dispose', hence by identity).
const SYMBOLS = new Map([
  [Symbol.for('nodejs.util.inspect.custom'), '[inspect.custom]'],
  ...['dispose', 'asyncDispose', 'iterator', 'asyncIterator', 'toStringTag'].filter((n) => Symbol[n]).map((n) => [Symbol[n], `[Symbol.${n}]`]),
]);
const keyName = (k) => (typeof k !== 'symbol' ? k : (SYMBOLS.get(k) ?? `[${String(k)}]`));

/** The declarations' view: exports, and a reader of a type's members. */
function declarations() {
  const program = ts.createProgram([dtsPath], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.esnext.d.ts'],
    types: ['node'],
    strict: true,
    noEmit: true,
  });
  // The declarations compile as they are (their imports resolve).
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(diagnostics, [], 'index.d.ts compiles');
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(dtsPath);
  const mod = checker.getSymbolAtLocation(file);
  // Values only: the interfaces and type aliases exist for the compiler alone.
  const exports = new Map(checker.getExportsOfModule(mod).filter((s) => s.flags & ts.SymbolFlags.Value).map((s) => [s.getName(), s]));
  const types = new Map(checker.getExportsOfModule(mod).map((s) => [s.getName(), s]));

  const nameOf = (sym) => {
    const decl = sym.declarations?.[0];
    const n = decl && ts.getNameOfDeclaration(decl);
    return n && ts.isComputedPropertyName(n) ? `[${n.expression.getText()}]` : sym.getName();
  };
  const kindOf = (sym) => {
    if (sym.flags & ts.SymbolFlags.Method) return 'method';
    if (sym.flags & ts.SymbolFlags.GetAccessor) return 'getter';
    if (sym.flags & ts.SymbolFlags.SetAccessor) return 'setter';
    return 'property';
  };
  /**
   * The members of `type` that index.d.ts declares: name -> { kind, async,
   * optional }. Those that only the standard library declares (an error's
   * `message` and `stack`) are `{ kind: 'lib' }`; TypeScript's brand of a
   * class with private fields (`#private`) is left out.
   */
  const membersOf = (type) => {
    const out = new Map();
    for (const sym of checker.getPropertiesOfType(type)) {
      if (sym.getName() === 'prototype' || sym.getName() === '#private') continue;
      const decls = (sym.declarations ?? []).filter((d) => d.getSourceFile().fileName === dtsPath);
      if (decls.length === 0) {
        out.set(nameOf(sym), { kind: 'lib', optional: true });
        continue;
      }
      const kind = kindOf(sym);
      let async;
      if (kind === 'method') {
        const sigs = checker.getSignaturesOfType(checker.getTypeOfSymbolAtLocation(sym, decls[0]), ts.SignatureKind.Call);
        const promises = sigs.map((s) => checker.getReturnTypeOfSignature(s).getSymbol()?.getName() === 'Promise');
        async = promises.every(Boolean) ? true : promises.some(Boolean) ? 'mixed' : false;
      }
      out.set(nameOf(sym), { kind, async, optional: (sym.flags & ts.SymbolFlags.Optional) !== 0 });
    }
    return out;
  };
  const classSides = (sym) => {
    const decl = sym.declarations.find((d) => ts.isClassDeclaration(d));
    return {
      instance: membersOf(checker.getDeclaredTypeOfSymbol(sym)),
      statics: membersOf(checker.getTypeOfSymbolAtLocation(sym, decl)),
    };
  };
  const interfaceMembers = (name) => membersOf(checker.getDeclaredTypeOfSymbol(types.get(name)));
  const namespaceClasses = (name) => {
    const ns = exports.get(name);
    return new Map(checker.getExportsOfModule(ns).map((s) => [s.getName(), s]));
  };
  return { exports, classSides, interfaceMembers, namespaceClasses };
}

/** The runtime's view of one member, from its property descriptor. */
function runtimeKind(d) {
  if (d.get || d.set) return d.get ? 'getter' : 'setter';
  if (typeof d.value === 'function') return 'method';
  return 'data';
}

/** name -> { kind, async } over `C`'s statics (to Function.prototype) or over an instance and its prototype chain (to Object/Error). */
function runtimeMembers(start, stops) {
  const out = new Map();
  for (let o = start; o !== null && !stops.includes(o); o = Object.getPrototypeOf(o)) {
    for (const k of Reflect.ownKeys(o)) {
      if (k === 'constructor' || (typeof start === 'function' && ['length', 'name', 'prototype'].includes(k))) continue;
      const name = keyName(k);
      if (out.has(name)) continue;
      const d = Object.getOwnPropertyDescriptor(o, k);
      const kind = runtimeKind(d);
      out.set(name, { kind, async: kind === 'method' ? d.value.constructor.name === 'AsyncFunction' : undefined });
    }
  }
  return out;
}

/** Differences between declared and runtime members, as readable lines (empty: they match). */
function compare(what, declared, runtime) {
  const problems = [];
  for (const [name, d] of declared) {
    const r = runtime.get(name);
    if (r === undefined) {
      if (!d.optional) problems.push(`${what}.${name}: declared (${d.kind}), not at runtime`);
      continue;
    }
    if (d.kind === 'method') {
      if (r.kind !== 'method') problems.push(`${what}.${name}: declared a method, at runtime a ${r.kind}`);
      else if (d.async !== r.async) problems.push(`${what}.${name}: declared ${d.async ? 'to return a Promise' : 'synchronous'} (${d.async}), at runtime ${r.async ? 'async' : 'not async'}`);
    } else if (d.kind === 'getter' || d.kind === 'property') {
      // A getter, or a property (readonly or not: a field, an own value set by the constructor).
      if (r.kind === 'method' || r.kind === 'setter') problems.push(`${what}.${name}: declared a ${d.kind}, at runtime a ${r.kind}`);
    } else if (d.kind !== 'lib') {
      problems.push(`${what}.${name}: declared a ${d.kind}, which shmkit does not use`);
    }
  }
  for (const [name, r] of runtime) {
    if (!declared.has(name)) problems.push(`${what}.${name}: at runtime (${r.kind}), not declared`);
  }
  return problems;
}

/** One instance of each exported class, made as users make them (or get them), and the plain objects the API returns. */
function samples() {
  const s = shmkit;
  const mutex = new s.Mutex();
  const guard = mutex.lock();
  guard.unlock();
  const rw = new s.RwLock();
  const readGuard = rw.read();
  readGuard.unlock();
  const writeGuard = rw.write();
  writeGuard.unlock();
  const ring = new s.RingBuffer(Int32Array, 8);
  const channel = new s.Channel();
  const sender = channel.sender();
  const receiver = channel.receiver();
  const pool = new s.BufferPool();
  const slab = new s.SlabPool({ blockSize: 64, blocks: 2 });
  const block = slab.tryAcquire();
  const barrier = new s.Barrier(1);
  const classes = {
    Mutex: mutex,
    MutexGuard: guard,
    Semaphore: new s.Semaphore(1),
    Condvar: new s.Condvar(),
    RwLock: rw,
    RwLockReadGuard: readGuard,
    RwLockWriteGuard: writeGuard,
    Barrier: barrier,
    Latch: new s.Latch(1),
    RingBuffer: ring,
    Queue: new s.Queue(Int32Array, 8),
    Channel: channel,
    ChannelSender: sender,
    ChannelReceiver: receiver,
    BufferPool: pool,
    SlabPool: slab,
    Block: block,
  };
  const plain = {
    BarrierWaitResult: barrier.wait(),
    RingRegion: ring.writeRegion(1),
    BufferPoolStats: pool.stats,
    SlabPoolStats: slab.stats,
  };
  const release = () => {
    sender.release();
    receiver.release();
    block.release();
  };
  return { classes, plain, release };
}

test('index.d.ts declares exactly what index.js and index.mjs export, member by member', async () => {
  const dts = declarations();
  const esm = await import('../index.mjs');

  // The exports: the same names in the declarations, in CommonJS and in ESM (the same objects).
  const runtimeNames = Object.keys(shmkit).sort();
  assert.deepEqual([...dts.exports.keys()].sort(), runtimeNames, 'the declared exports are the runtime ones');
  assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), runtimeNames, 'ESM names the CommonJS exports');
  for (const k of runtimeNames) assert.equal(esm[k], shmkit[k], `ESM ${k} is the CommonJS ${k}`);
  assert.equal(esm.default, shmkit);

  const { classes, plain, release } = samples();
  const problems = [];
  try {
    const exportedClasses = runtimeNames.filter((k) => typeof shmkit[k] === 'function' && /^class\b/.test(Function.prototype.toString.call(shmkit[k])));
    assert.deepEqual(exportedClasses.sort(), Object.keys(classes).sort(), 'every exported class has a sample here');
    for (const [name, instance] of Object.entries(classes)) {
      const C = shmkit[name];
      assert.equal(instance.constructor, C, `${name}: the sample is one`);
      const { instance: declared, statics } = dts.classSides(dts.exports.get(name));
      problems.push(...compare(name, declared, runtimeMembers(instance, [Object.prototype])));
      problems.push(...compare(`${name} (static)`, statics, runtimeMembers(C, [Function.prototype])));
    }
    for (const [name, value] of Object.entries(plain)) {
      problems.push(...compare(name, dts.interfaceMembers(name), runtimeMembers(value, [Object.prototype])));
    }
    // The errors namespace: its classes, and an instance of each.
    const declaredErrors = dts.namespaceClasses('errors');
    assert.deepEqual([...declaredErrors.keys()].sort(), Object.keys(shmkit.errors).sort(), 'the declared error classes are the runtime ones');
    for (const [name, E] of Object.entries(shmkit.errors)) {
      const e = name === 'ShmkitError' ? new E('m', 'ERR_SHMKIT_TEST') : name === 'OwnerDiedError' ? new E('m', classes.MutexGuard) : new E();
      const { instance: declared, statics } = dts.classSides(declaredErrors.get(name));
      problems.push(...compare(`errors.${name}`, declared, runtimeMembers(e, [Error.prototype])));
      problems.push(...compare(`errors.${name} (static)`, statics, runtimeMembers(E, [Error, Function.prototype])));
    }
  } finally {
    release();
  }
  assert.deepEqual(problems, [], `index.d.ts and the runtime differ:\n${problems.join('\n')}`);
});
