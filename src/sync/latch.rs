//! Latch: a countdown that releases every waiter when it reaches zero, once.
//!
//! ```text
//! byte 0            16                20                24
//!      +------------+-----------------+-----------------+
//!      | header     | count (i32)     | waiting (i32)   |
//!      +------------+-----------------+-----------------+
//!      header parameter = the initial count (immutable)
//!
//! count:   what is left to count down, >= 0 (a negative value written by a
//!          hostile thread reads as released)
//! waiting: 1 while waiters are queued (written under the lot lock)
//! ```
//!
//! No lost wake-up: waiters sleep with [`FlaggedSleep`] on the `waiting` word;
//! a counter stores the new count and then reads `waiting` (both sequentially
//! consistent), and wakes them when it is set.

use std::sync::atomic::{AtomicI32, Ordering::*};
use std::time::Instant;

use napi::{Env, Result};
use napi_derive::napi;

use crate::error::*;
use crate::layout::STATE_WORD;
use crate::parking::{self, FlaggedSleep};
use crate::region::Region;
use crate::threads;

/// The two words of a latch.
pub struct Words<'a> {
  pub count: &'a AtomicI32,
  pub waiting: &'a AtomicI32,
  /// Waiters park under the count word's address.
  pub addr: usize,
}

/// Counts down by `n`: OK, or OUT_OF_RANGE (nothing changed) when the count
/// is smaller than `n`. Reaching zero wakes every waiter.
pub fn count_down(w: &Words, n: u32) -> i32 {
  loop {
    let c = w.count.load(SeqCst);
    if c < 0 || (c as u32) < n {
      return STATUS_OUT_OF_RANGE;
    }
    let next = c - n as i32;
    if w
      .count
      .compare_exchange_weak(c, next, SeqCst, Relaxed)
      .is_ok()
    {
      if next == 0 && n > 0 && w.waiting.load(SeqCst) != 0 {
        release_all(w);
      }
      return STATUS_OK;
    }
  }
}

impl Words<'_> {
  fn sleep(&self) -> FlaggedSleep<'_> {
    FlaggedSleep {
      flags: self.waiting,
      bit: 1,
      addr: self.addr,
    }
  }

  /// Released: the count reached zero (a negative, hostile count reads as released).
  fn released(&self) -> bool {
    self.count.load(SeqCst) <= 0
  }
}

/// Wakes every waiter (the count is zero).
pub fn release_all(w: &Words) {
  w.sleep().wake();
}

/// Blocking wait: OK (released), TIMEOUT or TERMINATED.
pub fn wait(
  w: &Words,
  me: u32,
  deadline: Option<Instant>,
  interrupted: &mut dyn FnMut() -> bool,
) -> i32 {
  if w.released() {
    return STATUS_OK;
  }
  w.sleep().wait(&|| w.released(), me, deadline, interrupted)
}

/// Async wait: OK now, or PENDING with waiter `id` queued.
pub fn wait_async(w: &Words, me: u32, id: u32) -> i32 {
  w.sleep().wait_async(&|| w.released(), me, id)
}

/// Withdraws async waiter `id`: true when it was still queued.
pub fn cancel(w: &Words, me: u32, id: u32) -> bool {
  w.sleep().cancel(me, id)
}

fn words(view: &Region) -> Result<Words<'_>> {
  Ok(Words {
    count: view.word(STATE_WORD)?,
    waiting: view.word(STATE_WORD + 1)?,
    addr: view.addr(STATE_WORD)?,
  })
}

/// Counts the latch in `view` down by `n`. Returns a status code.
#[napi(catch_unwind)]
pub fn latch_count_down(view: Region, n: u32) -> Result<i32> {
  Ok(count_down(&words(&view)?, n))
}

/// Wakes every waiter of a latch whose count JS brought to zero.
#[napi(catch_unwind)]
pub fn latch_release(view: Region) -> Result<()> {
  release_all(&words(&view)?);
  Ok(())
}

/// Blocks until the latch in `view` reaches zero or `timeoutMs` passes.
#[napi(catch_unwind)]
pub fn latch_wait(env: Env, view: Region, timeout_ms: f64) -> Result<i32> {
  let w = words(&view)?;
  let me = threads::current()?;
  Ok(wait(&w, me, parking::deadline(timeout_ms), &mut || {
    threads::interrupted(&env)
  }))
}

/// OK if the latch is released, or PENDING with waiter `id` queued.
#[napi(catch_unwind)]
pub fn latch_wait_async(view: Region, id: u32) -> Result<i32> {
  Ok(wait_async(&words(&view)?, threads::current()?, id))
}

/// Withdraws async waiter `id`; true when it was still queued.
#[napi(catch_unwind)]
pub fn latch_cancel(view: Region, id: u32) -> Result<bool> {
  Ok(cancel(&words(&view)?, threads::current()?, id))
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::Arc;

  #[test]
  fn releases_waiters_at_zero() {
    let mem = Arc::new([AtomicI32::new(3), AtomicI32::new(0)]);
    parking::lock().register(901);
    let waiter = {
      let mem = mem.clone();
      std::thread::spawn(move || {
        let w = Words {
          count: &mem[0],
          waiting: &mem[1],
          addr: &mem[0] as *const _ as usize,
        };
        wait(&w, 901, parking::deadline(5_000.0), &mut || false)
      })
    };
    let w = Words {
      count: &mem[0],
      waiting: &mem[1],
      addr: &mem[0] as *const _ as usize,
    };
    assert_eq!(count_down(&w, 2), STATUS_OK);
    assert_eq!(count_down(&w, 2), STATUS_OUT_OF_RANGE);
    assert_eq!(count_down(&w, 1), STATUS_OK);
    assert_eq!(parking::joined(waiter), STATUS_OK);
    assert_eq!(wait(&w, 901, None, &mut || false), STATUS_OK);
    assert_eq!(mem[1].load(SeqCst), 0);
  }
}
