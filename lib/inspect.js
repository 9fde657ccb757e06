'use strict';

// How a shmkit object shows in `util.inspect` and `console.log`: one place, so
// that every class prints the same way.
//
//   Mutex { locked: true, owner: 3, waiters: 0, poisoned: false }
//   [Mutex]                   past the depth limit, as Node prints any object there
//   Mutex <not constructed>   made without the constructor (Object.create(Mutex.prototype)):
//                             there is no memory to read, and inspecting must not throw

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * The text of `name`'s custom inspect, given the arguments Node passes to it
 * (`depth` is what is left of the caller's depth; null: no limit). `constructed`
 * is the class's brand check (`#field in this`); `state()` reads the fields to
 * show, and runs only when there is something to read. The fields stand in for
 * the object itself, so they are shown with the depth left to it.
 */
function inspected(name, constructed, depth, options, inspect, state) {
  if (depth < 0) return options.stylize(`[${name}]`, 'special');
  if (!constructed) return `${name} ${options.stylize('<not constructed>', 'special')}`;
  return `${name} ${inspect(state(), { ...options, depth })}`;
}

module.exports = { inspectSymbol, inspected };
