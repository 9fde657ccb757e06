'use strict';
// The native addon, built by `napi build` into the package root, as the
// object every module of lib/ reads: a frozen copy of its exports, made at
// load. Code that later replaces a property of the generated binding's own
// exports (reachable by its path) changes nothing shmkit calls. And the
// generated object, with its 134 properties, is in V8's dictionary mode,
// where every `native.fn` read on a hot path is a hash lookup; a copy made
// by spread and frozen keeps fast properties (about 55 ns of a pooled
// 64 KiB acquire + release, measured in one process against the original).
module.exports = Object.freeze({ ...require('../binding.js') });
