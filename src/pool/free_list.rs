//! A SlabPool's free list, worked from Rust.
//!
//! The free list is a complete shmkit Queue of Int32 block indices (layout
//! and protocol in `lib/queue.js` and [`crate::ring`]): JS waits on it like
//! any Queue consumer. Its pops and pushes are done here, in the same native
//! call as the change of the block's state word they go with, so that no JS
//! runs between the two: `worker.terminate()` stops a thread only when it
//! returns to JS, and a thread stopped between a pop and the take (or between
//! a free and the push) would lose the block for good, as free in its state
//! word and in nobody's list.
//!
//! ```text
//! word 0    16     32     48      64                    64 + cap
//!      +----+------+------+-------+---------------------+---------------------+
//!      | .. | head | tail | state | stamp[0 .. cap]     | slot[0 .. cap] (i32) |
//!      +----+------+------+-------+---------------------+---------------------+
//! position = lap | index, one lap = 2 * cap
//! stamp[i] == position      slot i is free for the push at `position`
//! stamp[i] == position + 1  slot i holds the index for the pop at `position`
//! ```
//!
//! Every access goes through the bounds-checked [`Region`]: a hostile value
//! in these words gives a wrong answer or an error, never an access outside
//! the list.

use std::sync::atomic::{AtomicI32, Ordering::SeqCst};

use napi::{Error, Result, Status};

use crate::layout::{
  RING_DATA_OFFSET, RING_HEAD_WORD, RING_MAX_CAPACITY, RING_STATE_WORD, RING_TAIL_WORD,
};
use crate::region::Region;
use crate::ring::{self, CONSUMERS_WAITING, PRODUCERS_WAITING};

/// Word index of stamp 0.
const STAMPS: usize = RING_DATA_OFFSET as usize / 4;
/// Bound on the retries of one pop or push (as `MAX_RETRIES` in lib/queue.js):
/// retries happen while another thread is between its claim and its publish.
const MAX_RETRIES: u32 = 1 << 16;

/// The free list in `view` (an Int32Array over the whole Queue object).
pub struct FreeList<'a> {
  view: &'a Region,
  head: &'a AtomicI32,
  tail: &'a AtomicI32,
  state: &'a AtomicI32,
  cap: u32,
  one_lap: u32,
}

impl<'a> FreeList<'a> {
  /// The free list of capacity `cap` over `view`. JS read the capacity from
  /// the Queue's header when it opened the pool (headers are not read again:
  /// see [`crate::layout`]) and sized `view` by it.
  pub fn open(view: &'a Region, cap: u32) -> Result<FreeList<'a>> {
    if !(2..=RING_MAX_CAPACITY).contains(&cap) || !cap.is_power_of_two() {
      return Err(Error::new(
        Status::InvalidArg,
        format!(
          "a free list's capacity is a power of two from 2 to {RING_MAX_CAPACITY}, not {cap}"
        ),
      ));
    }
    // The last slot's word: the whole list lies in `view` (checked once here,
    // so that no pop or push can fail halfway, after its claim).
    view.word(STAMPS + 2 * cap as usize - 1)?;
    Ok(FreeList {
      view,
      head: view.word(RING_HEAD_WORD as usize)?,
      tail: view.word(RING_TAIL_WORD as usize)?,
      state: view.word(RING_STATE_WORD as usize)?,
      cap,
      one_lap: 2 * cap,
    })
  }

  fn stamp(&self, index: u32) -> Result<&AtomicI32> {
    self.view.word(STAMPS + index as usize)
  }

  fn slot(&self, index: u32) -> Result<&AtomicI32> {
    self.view.word(STAMPS + (self.cap + index) as usize)
  }

  /// The position after `position` (the next index, or the next lap's first).
  fn after(&self, position: i32, index: u32) -> i32 {
    if index + 1 < self.cap {
      position.wrapping_add(1)
    } else {
      ((position as u32 & !(self.one_lap - 1)).wrapping_add(self.one_lap)) as i32
    }
  }

  /// True when the stamp of the slot at `position` reads `stamp`.
  fn ready(&self, position: i32, stamp: i32) -> Result<bool> {
    let index = position as u32 & (self.one_lap - 1);
    Ok(index < self.cap && self.stamp(index)?.load(SeqCst) == stamp)
  }

  /// Wakes one sleeper of `flag` (and every async one), as lib/queue.js does.
  fn wake_one(&self, index: u32, flag: i32) -> Result<()> {
    ring::wake_one(&ring::words(self.view, index, flag, index)?);
    Ok(())
  }

  /// Pops the oldest index: `None` when the list is empty (or another thread
  /// stayed paused mid-push through every retry).
  pub fn pop(&self) -> Result<Option<i32>> {
    let mut head = self.head.load(SeqCst);
    for _ in 0..MAX_RETRIES {
      let index = head as u32 & (self.one_lap - 1);
      if index >= self.cap {
        return Ok(None); // a corrupted position: refuse rather than guess
      }
      let stamp = self.stamp(index)?.load(SeqCst);
      if stamp == head.wrapping_add(1) {
        let next = self.after(head, index);
        match self.head.compare_exchange(head, next, SeqCst, SeqCst) {
          Ok(_) => {
            let value = self.slot(index)?.load(SeqCst);
            self
              .stamp(index)?
              .store(head.wrapping_add(self.one_lap as i32), SeqCst);
            let state = self.state.load(SeqCst);
            if state & PRODUCERS_WAITING != 0 {
              self.wake_one(RING_HEAD_WORD, PRODUCERS_WAITING)?;
            }
            if state & CONSUMERS_WAITING != 0 && self.ready(next, next.wrapping_add(1))? {
              self.wake_one(RING_TAIL_WORD, CONSUMERS_WAITING)?; // the next index is there too
            }
            return Ok(Some(value));
          }
          Err(seen) => head = seen,
        }
      } else if stamp == head {
        if self.tail.load(SeqCst) == head {
          return Ok(None); // empty
        }
        head = self.head.load(SeqCst);
      } else {
        head = self.head.load(SeqCst); // another thread is mid-pop
      }
    }
    Ok(None)
  }

  /// Pushes `value`: false when the list looks full (it has room for every
  /// block, so only while a popper is paused mid-pop, or when corrupted).
  pub fn push(&self, value: i32) -> Result<bool> {
    let mut tail = self.tail.load(SeqCst);
    for _ in 0..MAX_RETRIES {
      let index = tail as u32 & (self.one_lap - 1);
      if index >= self.cap {
        return Ok(false);
      }
      let stamp = self.stamp(index)?.load(SeqCst);
      if stamp == tail {
        let next = self.after(tail, index);
        match self.tail.compare_exchange(tail, next, SeqCst, SeqCst) {
          Ok(_) => {
            self.slot(index)?.store(value, SeqCst);
            self.stamp(index)?.store(tail.wrapping_add(1), SeqCst);
            let state = self.state.load(SeqCst);
            if state & CONSUMERS_WAITING != 0 {
              self.wake_one(RING_TAIL_WORD, CONSUMERS_WAITING)?;
            }
            if state & PRODUCERS_WAITING != 0 && self.ready(next, next)? {
              self.wake_one(RING_HEAD_WORD, PRODUCERS_WAITING)?;
            }
            return Ok(true);
          }
          Err(seen) => tail = seen,
        }
      } else if stamp.wrapping_add(self.one_lap as i32) == tail.wrapping_add(1) {
        // The slot still holds last lap's index: full, unless a pop is mid-way.
        if self.head.load(SeqCst).wrapping_add(self.one_lap as i32) == tail {
          return Ok(false);
        }
        tail = self.tail.load(SeqCst);
      } else {
        tail = self.tail.load(SeqCst); // another thread is mid-push
      }
    }
    Ok(false)
  }
}
