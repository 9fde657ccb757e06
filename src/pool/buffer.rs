//! BufferPool: the bookkeeping for recycled, transferable ArrayBuffers.
//!
//! The buffers themselves are ordinary V8-allocated ArrayBuffers (Node copies
//! externally-backed ones instead of transferring them). A pool belongs to one
//! thread, as its buffers do: the JS side keeps the retained buffers in a
//! plain array (`slots`), and this kernel decides everything else:
//!
//! ```text
//! size classes   one per exact byte length; each a deque of retained slots,
//!                oldest first; acquire takes the newest (warm memory)
//! LRU            every retained buffer by release stamp; when a release
//!                would exceed maxRetainedBytes, the least recently released
//!                buffers are dropped first, whatever their class
//! slots          indices into the JS array; freed indices are reused
//! ```
//!
//! **Loans.** Every acquired buffer is a loan in one process-wide ledger,
//! keyed by its memory (data address and length), which is what survives a
//! `postMessage` transfer. A release in *any* thread's pool closes the loan in
//! the pool that made it. A finalizer on the handed-out ArrayBuffer object
//! marks a still-open loan as leaked when that object is garbage-collected. A
//! buffer that was transferred away counts as leaked if the sender's detached
//! handle is collected first; its release, when it comes back, takes it off
//! `leaked` again. The ledger never dereferences an address: it is only a key.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock};

use napi::bindgen_prelude::{Array, ArrayBuffer, FromNapiValue, Object, Undefined};
use napi::{sys, Env, Error, JsValue, Result, Status};
use napi_derive::napi;
use parking_lot::Mutex;

/// Default `maxRetainedBytes`: 64 MiB.
#[napi]
pub const BUFFER_POOL_DEFAULT_RETAINED: u32 = 64 << 20;

/// How many leaked loans are remembered, so that their buffers can still be
/// recognised if they come back.
const LEAKED_MEMORY: usize = 4096;

/// Counters of one pool that releases and finalizers elsewhere update.
#[derive(Default)]
struct LoanCounters {
  outstanding: AtomicU64,
  leaked: AtomicU64,
}

/// One buffer handed out by a pool.
struct Loan {
  key: (usize, usize),
  pool: Arc<LoanCounters>,
  leaked: bool,
}

/// Every open (and recently leaked) loan of every pool in the process.
#[derive(Default)]
struct Ledger {
  next: u64,
  by_memory: HashMap<(usize, usize), u64>,
  loans: HashMap<u64, Loan>,
  leaked: VecDeque<u64>,
}

static LEDGER: LazyLock<Mutex<Ledger>> = LazyLock::new(Mutex::default);

impl Ledger {
  /// Opens a loan of the memory `key` for `pool`; returns its serial.
  fn lend(&mut self, key: (usize, usize), pool: &Arc<LoanCounters>) -> u64 {
    if let Some(old) = self.by_memory.get(&key).copied() {
      // The same memory lent again: the old loan's buffer is gone (freed
      // and reused, or its loan already counted). Forget it quietly.
      self.forget(old);
    }
    self.next += 1;
    let serial = self.next;
    self.by_memory.insert(key, serial);
    self.loans.insert(
      serial,
      Loan {
        key,
        pool: pool.clone(),
        leaked: false,
      },
    );
    pool.outstanding.fetch_add(1, Relaxed);
    serial
  }

  /// Removes a loan without counting anything.
  fn forget(&mut self, serial: u64) {
    if let Some(loan) = self.loans.remove(&serial) {
      if self.by_memory.get(&loan.key) == Some(&serial) {
        self.by_memory.remove(&loan.key);
      }
      if !loan.leaked {
        loan.pool.outstanding.fetch_sub(1, Relaxed);
      }
    }
  }

  /// The memory `key` came back through some pool's release: closes its loan.
  fn returned(&mut self, key: (usize, usize)) {
    let Some(serial) = self.by_memory.remove(&key) else {
      return; // not lent by any pool (or forgotten): a foreign buffer
    };
    if let Some(loan) = self.loans.remove(&serial) {
      if loan.leaked {
        loan.pool.leaked.fetch_sub(1, Relaxed);
      } else {
        loan.pool.outstanding.fetch_sub(1, Relaxed);
      }
    }
  }

  /// The object handed out for loan `serial` was garbage-collected.
  fn collected(&mut self, serial: u64) {
    let Some(loan) = self.loans.get_mut(&serial) else {
      return; // released (or forgotten) before
    };
    if loan.leaked {
      return;
    }
    loan.leaked = true;
    loan.pool.outstanding.fetch_sub(1, Relaxed);
    loan.pool.leaked.fetch_add(1, Relaxed);
    self.leaked.push_back(serial);
    while self.leaked.len() > LEAKED_MEMORY {
      if let Some(old) = self.leaked.pop_front() {
        // Still counted in `leaked`; only the chance of recognising it ends.
        if let Some(loan) = self.loans.remove(&old) {
          if self.by_memory.get(&loan.key) == Some(&old) {
            self.by_memory.remove(&loan.key);
          }
        }
      }
    }
  }
}

/// The finalizer on a handed-out ArrayBuffer; `data` is the loan's serial.
unsafe extern "C" fn collected(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
  LEDGER.lock().collected(data as usize as u64);
}

/// A retained buffer: where it sits in the JS array, and when it came back.
struct Retained {
  stamp: u64,
  slot: u32,
}

/// The native half of one thread's BufferPool (see the module documentation).
#[napi]
pub struct BufferPoolKernel {
  counters: Arc<LoanCounters>,
  max_retained: u64,
  retained: u64,
  acquired: u64,
  released: u64,
  hits: u64,
  misses: u64,
  classes: HashMap<usize, VecDeque<Retained>>,
  /// Release stamp -> byte length, oldest first.
  lru: BTreeMap<u64, usize>,
  stamp: u64,
  free_slots: Vec<u32>,
  next_slot: u32,
}

/// The data address and byte length of ArrayBuffer `ab`.
fn memory_of(ab: &ArrayBuffer) -> (usize, usize) {
  (ab.as_ptr() as usize, ab.len())
}

#[napi]
impl BufferPoolKernel {
  /// A pool that never retains more than `max_retained_bytes`.
  #[napi(constructor)]
  pub fn new(max_retained_bytes: f64) -> Self {
    BufferPoolKernel {
      counters: Arc::default(),
      max_retained: max_retained_bytes.max(0.0) as u64,
      retained: 0,
      acquired: 0,
      released: 0,
      hits: 0,
      misses: 0,
      classes: HashMap::new(),
      lru: BTreeMap::new(),
      stamp: 0,
      free_slots: Vec::new(),
      next_slot: 0,
    }
  }

  /// An ArrayBuffer of exactly `byte_length` bytes: a retained one taken out
  /// of `slots` (zeroed when `zero`), or a fresh one. Either way a new loan.
  #[napi]
  pub fn acquire<'env>(
    &mut self,
    env: &'env Env,
    byte_length: f64,
    zero: bool,
    mut slots: Array<'env>,
  ) -> Result<ArrayBuffer<'env>> {
    if !(byte_length >= 1.0 && byte_length <= usize::MAX as f64 && byte_length.fract() == 0.0) {
      return Err(Error::new(
        Status::InvalidArg,
        format!("cannot acquire {byte_length} bytes"),
      ));
    }
    let len = byte_length as usize;
    let ab = match self.take(len) {
      Some(slot) => {
        let ab = slots.get::<ArrayBuffer>(slot)?;
        slots.set(slot, Undefined::default())?;
        self.free_slots.push(slot);
        match ab {
          Some(ab) if ab.len() == len => {
            self.hits += 1;
            if zero {
              let data = ab.as_ptr() as *mut u8;
              // SAFETY: `ab` is a live, attached, non-shared ArrayBuffer of
              // `len` bytes (checked just above) held by this call's handle
              // scope; only this thread can reach its memory, and no JS runs
              // during this call.
              unsafe { ptr::write_bytes(data, 0, len) };
            }
            ab
          }
          _ => {
            return Err(Error::new(
              Status::GenericFailure,
              "a pool slot was tampered with",
            ))
          }
        }
      }
      None => {
        self.misses += 1;
        let mut data = ptr::null_mut();
        let mut raw = ptr::null_mut();
        // SAFETY: `env` is the calling thread's live environment and both
        // out-pointers are valid; V8 allocates (and zero-fills) the memory.
        let status = unsafe { sys::napi_create_arraybuffer(env.raw(), len, &mut data, &mut raw) };
        if status != sys::Status::napi_ok {
          return Err(Error::new(
            Status::GenericFailure,
            format!("could not allocate an ArrayBuffer of {len} bytes"),
          ));
        }
        // SAFETY: `raw` is the ArrayBuffer napi just created in `env`.
        unsafe { ArrayBuffer::from_napi_value(env.raw(), raw)? }
      }
    };
    self.acquired += 1;
    let serial = LEDGER.lock().lend(memory_of(&ab), &self.counters);
    // SAFETY: `ab` is a live object of `env`; the finalizer only uses its
    // `data`, the loan serial carried as a pointer-sized integer, and needs
    // no handle back (null result).
    let status = unsafe {
      sys::napi_add_finalizer(
        env.raw(),
        ab.value().value,
        serial as usize as *mut c_void,
        Some(collected),
        ptr::null_mut(),
        ptr::null_mut(),
      )
    };
    if status != sys::Status::napi_ok {
      LEDGER.lock().forget(serial);
      return Err(Error::new(
        Status::GenericFailure,
        "could not watch the buffer",
      ));
    }
    Ok(ab)
  }

  /// Takes back `ab` (a fresh handle whose memory the caller has just
  /// detached from the user's one): closes its loan wherever it was made,
  /// and keeps it in `slots` unless that would exceed the limit. Returns
  /// whether it was kept.
  #[napi]
  pub fn release(&mut self, ab: ArrayBuffer, mut slots: Array) -> Result<bool> {
    let key = memory_of(&ab);
    LEDGER.lock().returned(key);
    self.released += 1;
    let len = key.1;
    if len == 0 || len as u64 > self.max_retained {
      return Ok(false);
    }
    while self.retained + len as u64 > self.max_retained {
      self.evict_oldest(&mut slots)?;
    }
    let slot = self.free_slots.pop().unwrap_or_else(|| {
      self.next_slot += 1;
      self.next_slot - 1
    });
    slots.set(slot, ab)?;
    self.stamp += 1;
    self.lru.insert(self.stamp, len);
    self.classes.entry(len).or_default().push_back(Retained {
      stamp: self.stamp,
      slot,
    });
    self.retained += len as u64;
    Ok(true)
  }

  /// Drops every retained buffer.
  #[napi]
  pub fn trim(&mut self, mut slots: Array) -> Result<()> {
    while !self.lru.is_empty() {
      self.evict_oldest(&mut slots)?;
    }
    Ok(())
  }

  /// `{ acquired, released, hits, misses, retainedBytes, outstanding, leaked }`.
  #[napi]
  pub fn stats<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
    let mut o = Object::new(env)?;
    o.set("acquired", self.acquired as f64)?;
    o.set("released", self.released as f64)?;
    o.set("hits", self.hits as f64)?;
    o.set("misses", self.misses as f64)?;
    o.set("retainedBytes", self.retained as f64)?;
    o.set(
      "outstanding",
      self.counters.outstanding.load(Relaxed) as f64,
    )?;
    o.set("leaked", self.counters.leaked.load(Relaxed) as f64)?;
    Ok(o)
  }

  /// Takes the newest retained buffer of exactly `len` bytes off the books.
  fn take(&mut self, len: usize) -> Option<u32> {
    let kept = self.classes.get_mut(&len)?.pop_back()?;
    self.lru.remove(&kept.stamp);
    self.retained -= len as u64;
    Some(kept.slot)
  }

  /// Drops the least recently released buffer.
  fn evict_oldest(&mut self, slots: &mut Array) -> Result<()> {
    let Some((stamp, len)) = self.lru.pop_first() else {
      return Ok(());
    };
    // The oldest buffer overall is the oldest of its class: the front.
    let class = self.classes.entry(len).or_default();
    if class.front().is_some_and(|r| r.stamp == stamp) {
      if let Some(kept) = class.pop_front() {
        slots.set(kept.slot, Undefined::default())?;
        self.free_slots.push(kept.slot);
      }
    }
    self.retained -= len as u64;
    Ok(())
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn loans_close_leak_and_come_back() {
    let pool = Arc::new(LoanCounters::default());
    let mut ledger = Ledger::default();
    let a = ledger.lend((0x1000, 64), &pool);
    let b = ledger.lend((0x2000, 64), &pool);
    assert_eq!(pool.outstanding.load(Relaxed), 2);
    ledger.returned((0x1000, 64));
    ledger.collected(a); // released first: not a leak
    assert_eq!(pool.outstanding.load(Relaxed), 1);
    assert_eq!(pool.leaked.load(Relaxed), 0);
    ledger.collected(b);
    assert_eq!(pool.outstanding.load(Relaxed), 0);
    assert_eq!(pool.leaked.load(Relaxed), 1);
    ledger.returned((0x2000, 64)); // it had been transferred away, and is back
    assert_eq!(pool.leaked.load(Relaxed), 0);
    ledger.returned((0x3000, 8)); // a foreign buffer: nothing to close
    assert_eq!(pool.outstanding.load(Relaxed), 0);
  }

  #[test]
  fn the_leaked_memory_is_bounded() {
    let pool = Arc::new(LoanCounters::default());
    let mut ledger = Ledger::default();
    for i in 0..(LEAKED_MEMORY + 10) {
      let s = ledger.lend((i * 16, 16), &pool);
      ledger.collected(s);
    }
    assert_eq!(ledger.loans.len(), LEAKED_MEMORY);
    assert_eq!(pool.leaked.load(Relaxed), (LEAKED_MEMORY + 10) as u64);
  }
}
