/* strbuf.h: a growable byte string that remembers running out of memory instead of failing each call. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_STRBUF_H
#define RITTBERGER_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

/* Start with { 0 }; S holds LEN bytes and a NUL after them once anything was added.  After a
   failed allocation FAILED is set and every later addition is dropped, so a writer checks once
   at the end. */
struct strbuf
{
  char *s;
  size_t len, cap;
  bool failed;
};

/* Append the N bytes at S to B (and keep B->s NUL-terminated). */
void strbuf_add (struct strbuf *b, const void *s, size_t n);

/* Append the string S to B. */
void strbuf_str (struct strbuf *b, const char *s);

/* Append the byte C to B. */
void strbuf_chr (struct strbuf *b, char c);

/* Release B's memory and make it empty. */
void strbuf_free (struct strbuf *b);

#endif
