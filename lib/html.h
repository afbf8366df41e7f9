/* html.h: private to the msg module: turn an HTML mail part into readable text. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_HTML_H
#define RITTBERGER_HTML_H

#include "charset.h"

/* Append the readable text of HTML IN (valid UTF-8) to OUT: script, style and head dropped, block
   tags as line breaks, entities decoded, each output byte keeping the offset of its source.
   Return 0, or -1 with errno ENOMEM. */
int html_to_text (struct mbuf *out, const struct mspan *in);

/* The code point of the HTML entity NAME (LEN bytes, without '&' and ';'), or -1 if unknown. */
long html_entity (const char *name, size_t len);

#endif
