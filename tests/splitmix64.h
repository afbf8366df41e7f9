/* splitmix64.h: the made-up numbers of the store's tests, drivers and benchmark. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#ifndef RITTBERGER_SPLITMIX64_H
#define RITTBERGER_SPLITMIX64_H

#include <stdint.h>

/* The next number of the splitmix64 sequence at *STATE: fixed and portable for each seed, so
   that a run can be repeated. */
static inline uint64_t
next_random (uint64_t *state)
{
  uint64_t z = (*state += UINT64_C (0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

#endif
