/* unit.h: the small CHECK macro the library unit tests share. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_UNIT_H
#define RITTBERGER_UNIT_H
#include <stdio.h>
#include <string.h>

static int unit_failures;

#define CHECK(cond) \
  do { if (!(cond)) { fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
                      unit_failures++; } } while (0)
#define CHECK_STR(got, want) \
  do { const char *g_ = (got), *w_ = (want); \
       if (!g_ || strcmp (g_, w_) != 0) { \
         fprintf (stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, g_ ? g_ : "(null)", w_); \
         unit_failures++; } } while (0)
#define UNIT_EXIT() return unit_failures ? 1 : 0
#endif
