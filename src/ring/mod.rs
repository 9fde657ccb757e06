//! Blocking for the rings (RingBuffer, Queue).
//!
//! The rings move their data entirely in JS: a push or pop is a few loads,
//! one store or CAS, and a TypedArray write, far cheaper than any native call.
//! Rust does what JS cannot do well: sleep until the other side moves, and
//! wake sleepers. The control words (layout in [`crate::layout`]):
//!
//! ```text
//! head  (byte 64):  u32 consumer position, wraps
//! tail  (byte 128): u32 producer position, wraps
//! state (byte 192): bit 0  CLOSED             no more pushes; pops drain, then end
//!                   bit 1  CONSUMERS_WAITING  someone sleeps until tail moves
//!                   bit 2  PRODUCERS_WAITING  someone sleeps until head moves
//! ```
//!
//! No lost wake-up: sleepers use [`FlaggedSleep`] with their waiting bit; a
//! mover stores the index and then reads the state word (both sequentially
//! consistent, as JS `Atomics` are), and calls [`wake`] when the bit is set.
//!
//! Nothing here reads or writes the data; indices never leave JS. A hostile
//! value in these words can only make a wait end early or a wake be needless.

use std::sync::atomic::{AtomicI32, Ordering::*};
use std::time::Instant;

use napi::{Env, Error, Result, Status};
use napi_derive::napi;

use crate::layout::{RING_HEAD_WORD, RING_STATE_WORD, RING_TAIL_WORD};
use crate::parking::{self, FlaggedSleep};
use crate::region::Region;
use crate::threads;

/// No more pushes.
pub const CLOSED: i32 = 1;
/// Consumers sleep until the tail moves.
pub const CONSUMERS_WAITING: i32 = 2;
/// Producers sleep until the head moves.
pub const PRODUCERS_WAITING: i32 = 4;

/// The CLOSED bit of a ring's state word, for JS.
#[napi]
pub const RING_CLOSED_BIT: u32 = CLOSED as u32;
/// The CONSUMERS_WAITING bit of a ring's state word, for JS.
#[napi]
pub const RING_CONSUMERS_WAITING_BIT: u32 = CONSUMERS_WAITING as u32;
/// The PRODUCERS_WAITING bit of a ring's state word, for JS.
#[napi]
pub const RING_PRODUCERS_WAITING_BIT: u32 = PRODUCERS_WAITING as u32;

/// The words one wait or wake touches.
pub struct Words<'a> {
  pub state: &'a AtomicI32,
  pub word: &'a AtomicI32,
  pub addr: usize,
  pub flag: i32,
}

impl Words<'_> {
  fn sleep(&self) -> FlaggedSleep<'_> {
    FlaggedSleep {
      flags: self.state,
      bit: self.flag,
      addr: self.addr,
    }
  }

  /// The condition a sleeper waits for: the word moved or the ring closed.
  fn moved_from(&self, expected: i32) -> impl Fn() -> bool + '_ {
    move || self.word.load(SeqCst) != expected || self.state.load(SeqCst) & CLOSED != 0
  }
}

/// Blocks until the word moves away from `expected`, the ring closes, the
/// deadline passes or the thread is terminated: OK, TIMEOUT or TERMINATED.
pub fn wait(
  w: &Words,
  expected: i32,
  me: u32,
  deadline: Option<Instant>,
  interrupted: &mut dyn FnMut() -> bool,
) -> i32 {
  w.sleep()
    .wait(&w.moved_from(expected), me, deadline, interrupted)
}

/// Async wait: OK now, or PENDING with waiter `id` queued.
pub fn wait_async(w: &Words, expected: i32, me: u32, id: u32) -> i32 {
  w.sleep().wait_async(&w.moved_from(expected), me, id)
}

/// Withdraws async waiter `id`: true when it was still queued.
pub fn cancel(w: &Words, me: u32, id: u32) -> bool {
  w.sleep().cancel(me, id)
}

/// Wakes every sleeper on the word; returns how many.
pub fn wake(w: &Words) -> u32 {
  w.sleep().wake()
}

fn words(view: &Region, index: u32, flag: i32) -> Result<Words<'_>> {
  let expected_flag = match index {
    RING_HEAD_WORD => PRODUCERS_WAITING,
    RING_TAIL_WORD => CONSUMERS_WAITING,
    _ => {
      return Err(Error::new(
        Status::InvalidArg,
        format!("word {index} is not a ring index"),
      ))
    }
  };
  if flag != expected_flag {
    return Err(Error::new(
      Status::InvalidArg,
      format!("flag {flag} does not go with word {index}"),
    ));
  }
  Ok(Words {
    state: view.word(RING_STATE_WORD as usize)?,
    word: view.word(index as usize)?,
    addr: view.addr(index as usize)?,
    flag,
  })
}

/// Blocks until ring word `index` (head or tail) is no longer `expected`, the
/// ring closes, or `timeoutMs` passes. `flag` is the waiter bit that goes with
/// the word. Returns a status code.
#[napi]
pub fn ring_wait(
  env: Env,
  view: Region,
  index: u32,
  flag: i32,
  expected: i32,
  timeout_ms: f64,
) -> Result<i32> {
  let w = words(&view, index, flag)?;
  let me = threads::current()?;
  Ok(wait(
    &w,
    expected,
    me,
    parking::deadline(timeout_ms),
    &mut || threads::interrupted(&env),
  ))
}

/// OK if ring word `index` already moved (or the ring closed), else PENDING
/// with async waiter `id` queued.
#[napi]
pub fn ring_wait_async(view: Region, index: u32, flag: i32, expected: i32, id: u32) -> Result<i32> {
  let w = words(&view, index, flag)?;
  Ok(wait_async(&w, expected, threads::current()?, id))
}

/// Withdraws async waiter `id`; true when it was still queued.
#[napi]
pub fn ring_cancel(view: Region, index: u32, flag: i32, id: u32) -> Result<bool> {
  let w = words(&view, index, flag)?;
  Ok(cancel(&w, threads::current()?, id))
}

/// Wakes everyone sleeping on ring word `index`; returns how many.
#[napi]
pub fn ring_wake(view: Region, index: u32, flag: i32) -> Result<u32> {
  Ok(wake(&words(&view, index, flag)?))
}

/// How many waiters are queued on ring word `index` now (threads parked in a
/// blocking wait, and async waits), for inspection; the answer may be stale
/// at once. A thread that is terminated leaves the queue.
#[napi]
pub fn ring_waiters(view: Region, index: u32, flag: i32) -> Result<u32> {
  let w = words(&view, index, flag)?;
  Ok(parking::lock().len(w.addr) as u32)
}

/// Closes the ring and wakes every sleeper on both sides.
#[napi]
pub fn ring_close(view: Region) -> Result<()> {
  let state = view.word(RING_STATE_WORD as usize)?;
  state.fetch_or(CLOSED, SeqCst);
  wake(&words(&view, RING_HEAD_WORD, PRODUCERS_WAITING)?);
  wake(&words(&view, RING_TAIL_WORD, CONSUMERS_WAITING)?);
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::error::STATUS_OK;
  use std::sync::Arc;
  use std::time::Duration;

  #[test]
  fn wakes_when_the_word_moves_or_closes() {
    let mem = Arc::new([AtomicI32::new(0), AtomicI32::new(0)]);
    parking::lock().register(1001);
    let sleeper = {
      let mem = mem.clone();
      std::thread::spawn(move || {
        let w = Words {
          state: &mem[0],
          word: &mem[1],
          addr: &mem[1] as *const _ as usize,
          flag: CONSUMERS_WAITING,
        };
        wait(&w, 0, 1001, parking::deadline(5_000.0), &mut || false)
      })
    };
    while mem[0].load(SeqCst) & CONSUMERS_WAITING == 0 {
      std::thread::sleep(Duration::from_millis(1));
    }
    let w = Words {
      state: &mem[0],
      word: &mem[1],
      addr: &mem[1] as *const _ as usize,
      flag: CONSUMERS_WAITING,
    };
    mem[1].store(1, SeqCst);
    assert_eq!(wake(&w), 1);
    assert_eq!(sleeper.join().unwrap(), STATUS_OK);
    assert_eq!(mem[0].load(SeqCst), 0, "flag cleared");
    // A moved word: no sleep at all.
    assert_eq!(wait(&w, 0, 1001, None, &mut || false), STATUS_OK);
    mem[0].store(CLOSED, SeqCst);
    assert_eq!(wait(&w, 1, 1001, None, &mut || false), STATUS_OK);
  }
}
