//! The locks, one module each.

pub mod mutex;
pub mod semaphore;
