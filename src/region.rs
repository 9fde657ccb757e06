//! A bounds-checked window over the memory of a JS `Int32Array`.
//!
//! The JS layer hands Rust an `Int32Array` covering exactly one object (it is
//! the only way to reach `SharedArrayBuffer` memory from Node-API in Node 20).
//! A [`Region`] remembers the pointer and length for the duration of one native
//! call: the typed array is an argument of that call, so it keeps the buffer
//! alive until the call returns. A `Region` never outlives the call (it is not
//! `Send`, and nothing stores it).
//!
//! Memory is only ever touched through [`AtomicI32`] references obtained from
//! [`Region::word`], which checks the index; no plain Rust reference to the
//! shared bytes is ever formed, because other threads write them concurrently.
//! Those other threads are JavaScript, outside Rust's memory model: shmkit's
//! own JS uses `Atomics` on every word Rust reads, but for one on x86 (a
//! Channel receiver's plain store of its position, word 4, in
//! lib/channel.js), and any code may write any word with a plain store. What
//! Rust relies on is that an aligned 32-bit access never tears on the targets
//! shmkit supports, so each load sees some whole value, and every value it
//! can see is checked before use: a stray or hostile write gives a wrong
//! result or an error, never an access outside the region.

use std::ptr::{self, NonNull};
use std::sync::atomic::AtomicI32;

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::{sys, Error, Result, Status, ValueType};

use crate::layout::{Header, HEADER_BYTES, STATE_WORD};

/// See the module documentation.
pub struct Region {
  ptr: NonNull<AtomicI32>,
  words: usize,
}

impl Region {
  /// A region over `words` i32 words at `ptr`.
  ///
  /// # Safety
  /// `ptr` must be valid for reads and writes of `words` aligned i32 words for
  /// as long as the region is used; others may access them concurrently (see
  /// the module documentation), so they are only accessed through atomics.
  pub unsafe fn from_raw(ptr: NonNull<AtomicI32>, words: usize) -> Region {
    Region { ptr, words }
  }

  /// Number of i32 words in the region.
  pub fn words(&self) -> usize {
    self.words
  }

  /// Number of bytes in the region.
  pub fn bytes(&self) -> usize {
    self.words * 4
  }

  /// The word at `index`, or an error when it lies outside the region.
  pub fn word(&self, index: usize) -> Result<&AtomicI32> {
    if index >= self.words {
      return Err(Error::new(
        Status::InvalidArg,
        format!("word {index} is outside a region of {} words", self.words),
      ));
    }
    // SAFETY: `index < self.words`, and `from_raw`'s contract makes the first
    // `self.words` words valid and aligned for the life of `self`; `AtomicI32`
    // has the same layout as `i32`.
    Ok(unsafe { &*self.ptr.as_ptr().add(index) })
  }

  /// The address of the word at `index`: the key under which waiters for that
  /// word park. Never dereferenced by the parking lot.
  pub fn addr(&self, index: usize) -> Result<usize> {
    Ok(self.word(index)? as *const AtomicI32 as usize)
  }

  /// The object's first state word (right after the header) and its address,
  /// the key its waiters park under.
  pub fn state(&self) -> Result<(&AtomicI32, usize)> {
    Ok((self.word(STATE_WORD)?, self.addr(STATE_WORD)?))
  }

  /// Reads the common header (relaxed; the header is immutable once published).
  pub fn header(&self) -> Result<Header> {
    if self.bytes() < HEADER_BYTES as usize {
      return Err(Error::new(
        Status::InvalidArg,
        format!("{} bytes cannot hold a shmkit header", self.bytes()),
      ));
    }
    let mut w = [0u32; 4];
    for (i, slot) in w.iter_mut().enumerate() {
      *slot = self.word(i)?.load(std::sync::atomic::Ordering::Acquire) as u32;
    }
    Ok(Header::decode(w))
  }
}

impl TypeName for Region {
  fn type_name() -> &'static str {
    "Int32Array"
  }

  fn value_type() -> ValueType {
    ValueType::Object
  }
}

impl ValidateNapiValue for Region {}

impl FromNapiValue for Region {
  unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
    let mut kind = 0;
    let mut length = 0usize;
    let mut data = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    let mut offset = 0usize;
    // SAFETY: plain Node-API call with valid out-pointers; it fails cleanly
    // (and we return the error) when `value` is not a typed array.
    let status = unsafe {
      sys::napi_get_typedarray_info(
        env,
        value,
        &mut kind,
        &mut length,
        &mut data,
        &mut buffer,
        &mut offset,
      )
    };
    if status != sys::Status::napi_ok {
      return Err(Error::new(Status::InvalidArg, "expected an Int32Array"));
    }
    if kind != sys::TypedarrayType::int32_array {
      return Err(Error::new(Status::InvalidArg, "expected an Int32Array"));
    }
    let ptr = NonNull::new(data.cast::<AtomicI32>());
    match ptr {
      Some(p)
        if length > 0
          && (p.as_ptr() as usize).is_multiple_of(std::mem::align_of::<AtomicI32>()) =>
      {
        // Node-API reports `length` i32 elements at `data`, aligned (checked
        // above). The typed array is an argument of the current call, so its
        // buffer stays alive until the call returns, and a Region never
        // outlives the call.
        // SAFETY: as above; a Region only accesses it through atomics.
        Ok(unsafe { Region::from_raw(p, length) })
      }
      _ => Err(Error::new(
        Status::InvalidArg,
        "the Int32Array is empty or detached",
      )),
    }
  }
}
