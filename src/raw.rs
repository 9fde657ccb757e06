//! Raw Node-API callbacks for the few native calls on a hot path.
//!
//! A `#[napi]` function pays for its generated argument checks and
//! conversions on every call: about 90 ns on the development machine for
//! one `u32` argument, against about 15 ns for a bare `napi_callback`. Most of
//! shmkit's hot paths never call native code at all (they are inline atomics
//! over the shared memory, in JS); the ones that must (BufferPool's `acquire`
//! and `release`, whose bookkeeping lives in Rust) are registered here as
//! plain callbacks on the module's exports, next to the generated ones.
//!
//! The callbacks are internal (`lib/` calls them with arguments it has
//! already checked), so a wrong argument is a bug in shmkit: it throws a
//! TypeError with code `ERR_SHMKIT_INTERNAL` rather than being converted.
//! A panic never unwinds into Node: it is caught and thrown the same way.

use std::ffi::CStr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use napi::bindgen_prelude::{sys, Object};
use napi::{Env, JsValue, Result};
use napi_derive::napi;

/// The most arguments a raw callback reads.
const MAX_ARGS: usize = 4;

/// A raw callback's arguments, read once; each accessor fails with the
/// message it would throw.
pub struct Args {
  env: sys::napi_env,
  argv: [sys::napi_value; MAX_ARGS],
  argc: usize,
}

/// Why a raw callback fails: what it throws.
pub type Fail = &'static CStr;

impl Args {
  /// Reads the arguments of the current call (`env`, `info` as Node passed them).
  ///
  /// # Safety
  /// `env` and `info` must be the ones Node passed to the running callback.
  unsafe fn read(
    env: sys::napi_env,
    info: sys::napi_callback_info,
  ) -> std::result::Result<Self, Fail> {
    let mut argv = [ptr::null_mut(); MAX_ARGS];
    let mut argc = MAX_ARGS;
    // SAFETY: the caller passes the running callback's env and info; argv
    // has room for `argc` values, and Node writes at most that many.
    let status = unsafe {
      sys::napi_get_cb_info(
        env,
        info,
        &mut argc,
        argv.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
      )
    };
    if status != sys::Status::napi_ok {
      return Err(c"shmkit: cannot read the arguments of an internal call");
    }
    Ok(Args {
      env,
      argv,
      argc: argc.min(MAX_ARGS),
    })
  }

  fn value(&self, i: usize) -> std::result::Result<sys::napi_value, Fail> {
    if i < self.argc {
      Ok(self.argv[i])
    } else {
      Err(c"shmkit: an internal call is missing an argument")
    }
  }

  /// Argument `i` as a number.
  pub fn f64(&self, i: usize) -> std::result::Result<f64, Fail> {
    let v = self.value(i)?;
    let mut out = 0.0;
    // SAFETY: `v` is an argument of the running call (alive for the call);
    // Node checks its type and fails cleanly for anything but a number.
    let status = unsafe { sys::napi_get_value_double(self.env, v, &mut out) };
    if status != sys::Status::napi_ok {
      return Err(c"shmkit: an internal call expected a number");
    }
    Ok(out)
  }

  /// Argument `i` as a u32 (a number; Node truncates it as `>>> 0` would).
  pub fn u32(&self, i: usize) -> std::result::Result<u32, Fail> {
    let v = self.value(i)?;
    let mut out = 0;
    // SAFETY: as in `f64`.
    let status = unsafe { sys::napi_get_value_uint32(self.env, v, &mut out) };
    if status != sys::Status::napi_ok {
      return Err(c"shmkit: an internal call expected a number");
    }
    Ok(out)
  }

  /// Argument `i`, an ArrayBuffer: its data address and byte length. Only the
  /// address is returned, never dereferenced by the callers.
  pub fn array_buffer(&self, i: usize) -> std::result::Result<(usize, usize), Fail> {
    let v = self.value(i)?;
    let mut data = ptr::null_mut();
    let mut len = 0usize;
    // SAFETY: as in `f64`; Node fails cleanly unless `v` is an ArrayBuffer,
    // and both out-pointers are valid.
    let status = unsafe { sys::napi_get_arraybuffer_info(self.env, v, &mut data, &mut len) };
    if status != sys::Status::napi_ok {
      return Err(c"shmkit: an internal call expected an ArrayBuffer");
    }
    Ok((data as usize, len))
  }
}

/// Runs `body` for a raw callback and returns its number to JS, or throws
/// what it failed with (or a caught panic) and returns null.
///
/// # Safety
/// `env` and `info` must be the ones Node passed to the running callback.
pub unsafe fn number_call(
  env: sys::napi_env,
  info: sys::napi_callback_info,
  body: impl FnOnce(&Args) -> std::result::Result<f64, Fail>,
) -> sys::napi_value {
  let outcome = catch_unwind(AssertUnwindSafe(|| {
    // SAFETY: forwarded from the caller.
    let args = unsafe { Args::read(env, info) }?;
    body(&args)
  }))
  .unwrap_or(Err(c"shmkit: internal error (a native panic)"));
  let mut out = ptr::null_mut();
  match outcome {
    Ok(n) => {
      // SAFETY: a plain Node-API call on the running call's env with a valid
      // out-pointer; on failure `out` stays null, which Node takes as undefined.
      unsafe { sys::napi_create_double(env, n, &mut out) };
    }
    Err(message) => {
      // SAFETY: as above; both strings are NUL-terminated and static.
      unsafe { sys::napi_throw_type_error(env, c"ERR_SHMKIT_INTERNAL".as_ptr(), message.as_ptr()) };
    }
  }
  out
}

/// The raw callbacks, by their export names.
const CALLBACKS: &[(&CStr, sys::napi_callback)] = &[
  (c"bufferPoolAcquire", Some(crate::pool::buffer::raw_acquire)),
  (c"bufferPoolRelease", Some(crate::pool::buffer::raw_release)),
];

/// Adds the raw callbacks to the module's exports, beside the generated ones.
/// (napi-rs runs this at load without `catch_unwind`, so it catches its own:
/// a panic fails the load with an error.)
#[napi(module_exports)]
pub fn register_raw_callbacks(exports: Object, env: Env) -> Result<()> {
  catch_unwind(AssertUnwindSafe(|| add_callbacks(&exports, &env))).unwrap_or_else(|_| {
    Err(napi::Error::new(
      napi::Status::GenericFailure,
      "shmkit: a panic while adding its native functions",
    ))
  })
}

fn add_callbacks(exports: &Object, env: &Env) -> Result<()> {
  for (name, callback) in CALLBACKS {
    let mut function = ptr::null_mut();
    // SAFETY: plain Node-API calls during module initialisation on its env,
    // with a NUL-terminated static name, a static callback, no data, and a
    // valid out-pointer; each status is checked.
    let status = unsafe {
      sys::napi_create_function(
        env.raw(),
        name.as_ptr(),
        name.to_bytes().len() as isize,
        *callback,
        ptr::null_mut(),
        &mut function,
      )
    };
    check(status, "create")?;
    // SAFETY: as above; `exports` is the module's exports object.
    let status =
      unsafe { sys::napi_set_named_property(env.raw(), exports.raw(), name.as_ptr(), function) };
    check(status, "export")?;
  }
  Ok(())
}

fn check(status: sys::napi_status, what: &str) -> Result<()> {
  if status == sys::Status::napi_ok {
    Ok(())
  } else {
    Err(napi::Error::new(
      napi::Status::GenericFailure,
      format!("shmkit: cannot {what} a native function ({status})"),
    ))
  }
}
