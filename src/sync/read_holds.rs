//! Read locks a thread still holds when it exits, given back.
//!
//! An RwLock counts its readers in its state word, not who they are (see
//! `crate::sync::rwlock`). So that a thread that exits holding read locks
//! (it returns, throws, or is terminated) does not leave them held for good,
//! each thread also counts its own read locks, per lock, in a table of its
//! own:
//!
//! ```text
//! hold table: SLOTS entries of 3 f64, one table per thread (an ArrayBuffer
//! JS made and writes, which Rust reads at the thread's exit; see
//! `rwlock_hold_table`)
//!   [3i]     the lock's objectKey (its state word's address / 8); 0: a free entry
//!   [3i + 1] the lock's creation stamp (`crate::layout::CREATION_WORD`)
//!   [3i + 2] how many read locks the thread holds on it
//!   [3 * SLOTS] the id of the async wait whose read lock JS counted last,
//!               while its outcome was being delivered (else 0)
//! ```
//!
//! lib/rwlock.js raises a count only once the lock is taken and lowers it
//! before it unlocks, with plain stores, which are not points where
//! `worker.terminate()` can stop JS. So the table never counts a read lock
//! the thread does not hold; at worst (terminated between the two, a few
//! function calls) one it holds is missing from it, and stays held, as all
//! did before. A read lock Rust takes for a thread that is being terminated
//! is given back at once (`crate::sync::rwlock`): JS would never count it.
//!
//! An async read lock reaches JS as an outcome its thread's waker delivers
//! (`crate::threads`); if the thread is terminated during that delivery, the
//! lot gives the lock back as undelivered. JS may have counted it by then, so
//! it writes that wait's id next to the count, in the same run of plain
//! stores, and an undelivered read lock whose id is there is left to the
//! table (given back once, at the exit).
//!
//! The thread's exit ([`take_read_holds`], from its env cleanup hook, on that
//! thread once its JS has stopped) turns each counted entry into a lost read
//! grant of the parking lot ([`crate::parking::Lot::lose`]): it does not
//! touch the lock, whose memory the dead thread no longer keeps alive. The
//! lock's waiters are woken, and the next operation on it that goes through
//! Rust gives the read locks back, if the lock there is still the one they
//! were taken on (its creation stamp: memory freed and reused by a new lock
//! is at the same address). A write attempt is such an operation (the JS
//! fast path fails while readers hold the lock); a read may not be (the JS
//! fast path takes it), so `readers` can count them until a writer comes.

use napi::bindgen_prelude::ArrayBuffer;
use napi::{Env, Result};
use napi_derive::napi;

use crate::parking::{Grant, Lost};
use crate::sync::rwlock::LOW;
use crate::threads::{self, Record};

/// Entries of a hold table: read locks on more locks than this at once are
/// not given back when their thread exits holding them.
#[napi]
pub const RWLOCK_HOLD_SLOTS: u32 = 64;
const ENTRY_WORDS: usize = RWLOCK_HOLD_SLOTS as usize * 3;
/// Index of the table's last word, the id of the async wait JS counted last.
#[napi]
pub const RWLOCK_HOLD_ACCEPTED: u32 = ENTRY_WORDS as u32;
const WORDS: usize = ENTRY_WORDS + 1;

/// The calling thread's hold table, a new ArrayBuffer of `RWLOCK_HOLD_SLOTS
/// * 24 + 8` bytes that JS writes and Rust reads at the thread's exit. Once
/// per thread, by shmkit's loader.
#[napi(catch_unwind)]
pub fn rwlock_hold_table(env: &Env) -> Result<ArrayBuffer<'_>> {
  threads::new_record(env, Record::ReadHolds, WORDS, "RwLock hold table")
}

/// The read locks this thread's hold table counts, as grants of thread `tid`
/// lost, for the parking lot to give back. Called by the thread's exit.
pub fn take_read_holds(tid: u32) -> Vec<Lost> {
  let mut table = [0.0; WORDS];
  if threads::read_record(Record::ReadHolds, &mut table) {
    holds_in(tid, &table)
  } else {
    Vec::new()
  }
}

/// The read locks `table` counts, as grants of thread `tid` lost.
fn holds_in(tid: u32, table: &[f64; WORDS]) -> Vec<Lost> {
  table[..ENTRY_WORDS]
    .chunks_exact(3)
    .filter_map(|entry| held(tid, [entry[0], entry[1], entry[2]]))
    .collect()
}

/// True when JS counted the read lock of async wait `id` (of this thread) in
/// its table while that outcome was being delivered: if the delivery then
/// fails, the table gives the lock back, not the lot.
pub fn counted_while_delivered(id: u32) -> bool {
  let mut table = [0.0; WORDS];
  threads::read_record(Record::ReadHolds, &mut table) && counted_in(&table, id)
}

fn counted_in(table: &[f64; WORDS], id: u32) -> bool {
  table[ENTRY_WORDS] == f64::from(id)
}

/// The read locks one entry counts, as a lost grant, or `None` for a free
/// entry, no holds, or values shmkit does not write.
fn held(tid: u32, [key, creation, count]: [f64; 3]) -> Option<Lost> {
  let whole = |x: f64, min: f64, max: f64| x.fract() == 0.0 && x >= min && x <= max;
  if !whole(key, 1.0, (usize::MAX >> 3) as f64)
    || !whole(creation, f64::from(i32::MIN), f64::from(i32::MAX))
    || creation == 0.0
    || !whole(count, 1.0, f64::from(LOW))
  {
    return None;
  }
  Some(Lost {
    addr: (key as usize).checked_mul(8)?,
    tid,
    grant: Grant::ReadLock,
    want: count as u32,
    pass_on: 0,
    creation: creation as i32,
  })
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn entries_become_lost_grants_and_odd_values_are_skipped() {
    let mut table = [0.0; WORDS];
    let mut put = |i: usize, words: [f64; 3]| table[3 * i..3 * i + 3].copy_from_slice(&words);
    put(0, [100.0, 7.0, 2.0]); // two read locks on the lock at 800
    put(1, [200.0, -3.0, 0.0]); // none any more
    put(5, [300.0, 9.0, 1.0]);
    put(6, [400.5, 9.0, 1.0]); // not a key
    put(7, [500.0, 0.0, 1.0]); // no creation stamp
    put(8, [600.0, 9.0, f64::from(LOW) + 1.0]); // more than a lock can count
    put(9, [700.0, 9.0, f64::NAN]);
    let seen: Vec<_> = holds_in(42, &table)
      .iter()
      .map(|l| (l.addr, l.tid, l.grant, l.want, l.creation))
      .collect();
    assert_eq!(
      seen,
      [
        (800, 42, Grant::ReadLock, 2, 7),
        (2400, 42, Grant::ReadLock, 1, 9)
      ]
    );
  }

  #[test]
  fn the_wait_counted_during_its_delivery_is_named_by_its_id() {
    let mut table = [0.0; WORDS];
    assert!(!counted_in(&table, 5));
    table[ENTRY_WORDS] = 5.0;
    assert!(counted_in(&table, 5));
    assert!(!counted_in(&table, 6));
  }

  #[test]
  fn a_thread_without_a_table_holds_nothing() {
    // A Rust test thread never registered, so it kept no table.
    assert!(take_read_holds(1).is_empty());
    assert!(!counted_while_delivered(0));
  }
}
