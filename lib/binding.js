'use strict';
// The native addon, built by `napi build` into the package root.
module.exports = require('../binding.js');
