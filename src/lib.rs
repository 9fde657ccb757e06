//! shmkit: shared-memory primitives for Node.js `worker_threads`.
//!
//! This file only wires the modules together; each has its own documentation:
//!
//! * [`layout`]: the header every shared object starts with, and the exported
//!   layout constants.
//! * [`region`]: a bounds-checked window over a JS typed array's memory.
//! * [`parking`]: the process-wide parking lot every blocking wait uses.
//! * [`threads`]: per-thread identity, liveness and async wake-up delivery.
//! * [`error`]: the status codes native calls return, mapped to JS errors in
//!   one place (`lib/errors.js`).
//! * [`object`]: creating, opening and inspecting any object.
//! * [`sync`]: the locks and coordination primitives, one module each.
//! * [`ring`]: blocking and waking for the rings (their data moves in JS).
//! * [`pool`]: the bookkeeping of BufferPool and SlabPool.
//! * [`raw`]: plain Node-API callbacks for the native calls on a hot path.
//!
//! No panic unwinds into Node: every `#[napi]` function is declared with
//! `catch_unwind` (a panic becomes a thrown JS error), and the raw callbacks
//! and the load-time `register_raw_callbacks` catch their own (see [`raw`]).

#![deny(clippy::undocumented_unsafe_blocks)]

pub mod error;
pub mod layout;
pub mod object;
pub mod parking;
pub mod pool;
pub mod raw;
pub mod region;
pub mod ring;
pub mod sync;
pub mod threads;
