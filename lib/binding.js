'use strict';
// The native addon, built by `napi build` into the package root, as the
// object every module of lib/ reads: a frozen copy of its exports, made at
// load. Code that later replaces a property of the generated binding's own
// exports (reachable by its path) changes nothing shmkit calls. And the
// generated object, with its 130-odd properties, is in V8's dictionary mode,
// where every `native.fn` read on a hot path is a hash lookup; a copy made
// by spread and frozen keeps fast properties (about 55 ns of a pooled
// 64 KiB acquire + release, measured in one process against the original).

let addon;
try {
  addon = require('../binding.js');
} catch (err) {
  throw loadError(err);
}
module.exports = Object.freeze({ ...addon });

/**
 * ERR_SHMKIT_LOAD for an addon that is missing or does not load, saying how
 * to get one, with the generated loader's error (and its chain of the files
 * it tried) as `cause`. That loader's own message blames an npm bug with
 * optional dependencies, which is not how shmkit installs its addon.
 */
function loadError(err) {
  const { ShmkitError } = require('./errors.js'); // (which reads this module only when a native status needs it)
  const where = `${process.platform}-${process.arch}`;
  // A file that is there but does not load (built for another libc, damaged):
  // an error in the loader's chain (one per file or package it tried, as
  // plain Errors with their messages) that is not a missing module.
  let broken;
  for (let e = err, n = 0; e instanceof Error && n < 64; e = e.cause, n++) {
    const first = String(e.message).split('\n')[0];
    if (!first.startsWith('Cannot find module') && !first.startsWith('Cannot find native binding')) broken ??= first;
  }
  const what = broken ? `the native addon for ${where} does not load (${broken})` : `no native addon for ${where} is installed`;
  return new ShmkitError(
    `shmkit cannot load: ${what}. The npm package carries one prebuilt for Linux x64 (glibc 2.17 or newer); elsewhere its ` +
      'install script builds one from the Rust sources with cargo (https://rustup.rs). npm 12 and later skip a ' +
      "dependency's install scripts until they are approved (so does --ignore-scripts): run " +
      '`npm install-scripts approve shmkit`, then `npm rebuild shmkit` (a global install: ' +
      '`npm install -g --allow-scripts=shmkit shmkit`). The loader\'s own errors are in `cause`.',
    'ERR_SHMKIT_LOAD',
    { cause: err },
  );
}
