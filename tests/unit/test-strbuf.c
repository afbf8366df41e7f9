/* test-strbuf.c: the growable byte string: contents, NUL termination, growth, a failed state. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "strbuf.h"
#include "unit.h"

int
main (void)
{
  struct strbuf b = { 0 };
  strbuf_add (&b, "", 0);
  CHECK (b.s && b.len == 0 && b.s[0] == '\0');
  strbuf_str (&b, "ab");
  strbuf_chr (&b, 'c');
  strbuf_add (&b, "d\0e", 3);
  CHECK (b.len == 6 && memcmp (b.s, "abcd\0e", 6) == 0 && b.s[6] == '\0');

  /* Growth across many doublings keeps every byte and the NUL. */
  for (int i = 0; i < 100000; i++)
    strbuf_chr (&b, (char) ('a' + i % 26));
  CHECK (!b.failed && b.len == 100006 && b.cap > b.len && b.s[b.len] == '\0');
  CHECK (b.s[6] == 'a' && b.s[100005] == (char) ('a' + 99999 % 26));

  /* A size that cannot be held sets FAILED; later additions are dropped, the text kept. */
  strbuf_add (&b, "x", SIZE_MAX - 2);
  CHECK (b.failed && b.len == 100006);
  strbuf_str (&b, "more");
  CHECK (b.len == 100006 && b.s[b.len] == '\0');

  strbuf_free (&b);
  CHECK (!b.s && b.len == 0 && b.cap == 0 && !b.failed);
  UNIT_EXIT ();
}
