/* mime.h: private to the msg module: header fields, MIME structure and transfer encodings. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_MIME_H
#define RITTBERGER_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "charset.h"

/* Deeper multipart and message/rfc822 nesting is skipped with a warning. */
#define MIME_MAX_DEPTH 64

/* One header field: name at S[OFF..OFF+NAME_LEN), value from VALUE_OFF up to END, which is just
   after the line end of its last (folded) line. */
struct mime_field
{
  size_t off, name_len, value_off, end;
};

/* Read the header field at *POS in S[..END) and advance *POS past it: return true and fill *F, or
   false at the end of the header block, with *BODY set to where the body starts (after the
   blank line, or at the first line that is not a field) and *BLANK telling whether a blank line
   ended the block. */
bool mime_header_next (const char *s, size_t end, size_t *pos, struct mime_field *f, size_t *body,
                       bool *blank);

/* Header fields as mime_header_next found them, kept to be looked at again. */
struct mime_field_list
{
  struct mime_field *v;
  size_t n, cap;
};

/* Append F to LIST; return 0, or -1 with errno ENOMEM. */
int mime_field_list_add (struct mime_field_list *list, const struct mime_field *f);

/* Release LIST's memory and make it empty. */
void mime_field_list_free (struct mime_field_list *list);

/* Append the header value S[0..LEN) to OUT unfolded, RFC 2047 decoded and as valid UTF-8 without
   line breaks or NULs, trimmed, then NUL-terminated (not counted in OUT->len).  Return 0 or -1. */
int mime_decode_header (struct mbuf *out, const char *s, size_t len, struct charset_cache *cache,
                        struct mwarn *w);

/* A growing byte buffer without the source offsets of struct mbuf: header field text. */
struct mtext
{
  char *s;
  size_t len, cap;
};

/* Grow T so that EXTRA more bytes fit; return 0, or -1 with errno ENOMEM. */
int mtext_grow (struct mtext *t, size_t extra);

/* Make room for EXTRA more bytes in T; return 0, or -1 with errno ENOMEM. */
static inline int
mtext_reserve (struct mtext *t, size_t extra)
{
  if (extra <= t->cap - t->len)
    return 0;
  return mtext_grow (t, extra);
}

/* Append the header value S[0..LEN) to OUT decoded as mime_decode_header decodes it, and its
   terminating NUL (counted in OUT->len), without source offsets; SCRATCH holds the values that
   need more than the plain path.  Return 0 or -1 (ENOMEM). */
int mime_decode_header_text (struct mtext *out, const char *s, size_t len, struct mbuf *scratch,
                             struct charset_cache *cache, struct mwarn *w);

/* What one message decoding needs while it walks the MIME tree. */
struct mime_ctx
{
  const char *raw;
  size_t raw_len;
  struct mbuf *body;            /* the decoded text, appended to */
  struct mbuf transfer;         /* scratch: transfer-decoded bytes */
  struct mbuf utf8;             /* scratch: charset-decoded HTML */
  struct charset_cache cache;
  struct mwarn warn;
  bool body_from_html;
  bool depth_warned;
};

/* Decode the MIME entity RAW[START..END) (header block, then body) and append its readable text
   to the body.  Return 0, or -1 with errno on ENOMEM. */
int mime_decode_entity (struct mime_ctx *c, size_t start, size_t end, int depth);

/* Decode the message RAW[0..END) as mime_decode_entity (C, 0, END, 0) would, given the
   NFIELDS header FIELDS mime_header_next finds in it and the offset BODY_START where it said the
   body starts: the header is not read again.  Return 0, or -1 with errno on ENOMEM. */
int mime_decode_scanned (struct mime_ctx *c, const struct mime_field *fields, size_t nfields,
                         size_t body_start, size_t end);

/* Append RAW[START..END), headerless text in no declared charset, to the body. */
int mime_decode_text (struct mime_ctx *c, size_t start, size_t end);

/* Release the scratch buffers and the iconv descriptor (not the body or the warnings). */
void mime_ctx_release (struct mime_ctx *c);

#endif
