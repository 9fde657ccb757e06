//! Outcome codes of native operations: the one mapping between Rust and JS.
//!
//! Native functions never throw for an expected outcome (a timeout, a dead
//! owner, a deadlock...). They return one of these codes, and `lib/errors.js`
//! turns each code into its JS error class with a stable `code` string, in one
//! table. The codes are exported to JS as constants, so the two sides cannot
//! drift apart. Rust throws only when the binding itself is misused (a wrong
//! typed array), which the public JS API never does.

use napi_derive::napi;

/// The operation succeeded.
#[napi]
pub const STATUS_OK: i32 = 0;
/// The lock was acquired, but its previous owner died holding it (poisoned).
#[napi]
pub const STATUS_POISONED: i32 = 1;
/// The wait timed out; nothing was acquired.
#[napi]
pub const STATUS_TIMEOUT: i32 = 2;
/// Blocking would never end: this thread (or a cycle of threads) holds what it waits for.
#[napi]
pub const STATUS_DEADLOCK: i32 = 3;
/// An async waiter was queued; its outcome arrives through the thread's waker.
#[napi]
pub const STATUS_PENDING: i32 = 4;
/// A `try` operation could not succeed without blocking.
#[napi]
pub const STATUS_WOULD_BLOCK: i32 = 5;
/// The calling thread does not own the lock it tried to release.
#[napi]
pub const STATUS_NOT_OWNER: i32 = 6;
/// The wait was cancelled.
#[napi]
pub const STATUS_CANCELLED: i32 = 7;
/// The calling thread is being terminated; the wait was abandoned.
#[napi]
pub const STATUS_TERMINATED: i32 = 8;
/// A waiter was woken to try again (the state changed under it).
#[napi]
pub const STATUS_RETRY: i32 = 9;
/// A count went past its limit.
#[napi]
pub const STATUS_OUT_OF_RANGE: i32 = 10;
/// A barrier wait completed and this party is the generation's leader.
#[napi]
pub const STATUS_LEADER: i32 = 11;
/// The barrier was broken (a party timed out, aborted or was reset).
#[napi]
pub const STATUS_BROKEN: i32 = 12;
/// A block id no longer names a live use of its block (released, acquired
/// again since, or never handed out).
#[napi]
pub const STATUS_STALE: i32 = 13;
/// Shared memory holds what no shmkit operation writes (a hostile or stray
/// write): the operation refused to go on.
#[napi]
pub const STATUS_BAD_LAYOUT: i32 = 14;
