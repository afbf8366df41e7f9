/* strbuf.c: the growable byte string of strbuf.h. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void
strbuf_add (struct strbuf *b, const void *s, size_t n)
{
  if (b->failed)
    return;
  if (n >= b->cap - b->len)     /* room for the N bytes and the NUL */
    {
      if (n > SIZE_MAX - b->len - 1)
        {
          b->failed = true;
          return;
        }
      size_t need = b->len + n + 1;
      size_t cap = b->cap ? b->cap : 128;
      while (cap < need)
        cap = cap <= SIZE_MAX / 2 ? cap * 2 : need;
      char *p = realloc (b->s, cap);
      if (!p)
        {
          b->failed = true;
          return;
        }
      b->s = p;
      b->cap = cap;
    }
  if (n)
    memcpy (b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void
strbuf_str (struct strbuf *b, const char *s)
{
  strbuf_add (b, s, strlen (s));
}

void
strbuf_chr (struct strbuf *b, char c)
{
  strbuf_add (b, &c, 1);
}

void
strbuf_free (struct strbuf *b)
{
  free (b->s);
  *b = (struct strbuf) { 0 };
}
