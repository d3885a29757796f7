/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The one error convention of dpx.
 *
 * - A function returning `int` returns 0 (or a non-negative count where its
 *   documentation says so) on success and a negative errno value on failure:
 *   -EINVAL, -ENOTSUP, -ENOSPC, -ENOMEM, -EEXIST, -ENOENT, -EBUSY, -ENODEV...
 * - A constructor returning a pointer returns NULL on failure and sets
 *   dpx_errno to the positive errno value.
 * - A burst call (rx, tx, enqueue, dequeue) returns how many items it handled;
 *   fewer than asked is not an error.
 *
 * Every public function documents the errors it can return. A library never
 * exits, aborts or asserts on input that came from outside the process.
 */
#ifndef DPX_ERRNO_H
#define DPX_ERRNO_H

#include <errno.h>

/** Per-thread last error of a constructor (positive errno value). */
extern __thread int dpx_errno_value;
#define dpx_errno (dpx_errno_value)

/**
 * Describe an errno value (positive or negative), including dpx's own.
 * Thread safe; the string is static or thread-local.
 */
const char *dpx_strerror(int errnum);

#endif /* DPX_ERRNO_H */
