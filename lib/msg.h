/* msg.h: read plain text, RFC 5322 mail and mbox input, and decode MIME into analysable text. */
#ifndef RITTBERGER_MSG_H
#define RITTBERGER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum msg_kind
{
  MSG_TEXT,                     /* a pasted DM or any headerless text */
  MSG_MAIL,                     /* one RFC 5322 message */
};

/* A position in the original input: 1-based line, 1-based column in characters. */
struct msg_pos
{
  unsigned long line;
  unsigned long col;
};

struct msg_field
{
  char *name;                   /* as written, e.g. "Subject" */
  char *value;                  /* unfolded, RFC 2047 decoded, valid UTF-8 */
  size_t raw_off, raw_len;      /* the field's bytes in msg.raw, folding included */
};

struct msg
{
  /* The original bytes of this message; borrowed from the input, never modified. */
  const char *raw;
  size_t raw_len;
  unsigned long first_line;     /* line of raw[0] in the input file (1 unless inside an mbox) */
  size_t index;                 /* 0-based number of the message in its input */
  const char *from_line;        /* the mbox "From " line before raw, or NULL */
  size_t from_line_len;

  enum msg_kind kind;
  size_t header_len;            /* bytes of raw up to and including the blank line; 0 for text */
  struct msg_field *fields;
  size_t nfields;

  /* The text to analyse: valid UTF-8 in NFC, with '\n' line ends, NUL-terminated. */
  char *body;
  size_t body_len;
  /* src[i] is the byte offset into raw from which body[i] was decoded; body_len + 1 entries. */
  uint32_t *src;
  bool body_from_html;

  /* Decoding problems that cost analysis but not the message, e.g. "unknown charset x". */
  char *warning;

  struct msg_private *priv;     /* msg.c's own: field storage and the line index for positions */
};

/* The most body bytes of one message that are decoded and analysed.  A cold pitch is short;
   a message larger than this is judged by its beginning, so that memory stays bounded
   whatever arrives (pass-through still copies every byte). */
#define MSG_ANALYSIS_MAX (2 * 1024 * 1024)

struct msg_input;

/* Open PATH ("-" or NULL for stdin) and read it whole (a large regular file is mapped instead,
   and only the pages of the message being read stay in memory); return NULL and set errno on
   failure. */
struct msg_input *msg_input_open (const char *path);

/* Wrap a caller-owned buffer as an input (used by tests and for stdin already read). */
struct msg_input *msg_input_from_buffer (const char *buf, size_t len);

/* True if the input is an mbox (it starts with a "From " line). */
bool msg_input_is_mbox (const struct msg_input *in);

/* The whole input as read, for pass-through. */
const char *msg_input_data (const struct msg_input *in, size_t *len);

/* Decode the next message into *M; return 1 if there was one, 0 at the end, -1 with errno on error.
   *M must be released with msg_free before the input is closed. */
int msg_input_next (struct msg_input *in, struct msg *m);

/* Close the input and release its buffer. */
void msg_input_close (struct msg_input *in);

/* Decode the single message in RAW (text or mail, never mbox) into *M. Return 0, or -1 with errno. */
int msg_parse (struct msg *m, const char *raw, size_t raw_len);

/* Release what msg_input_next or msg_parse allocated in *M. */
void msg_free (struct msg *m);

/* The decoded value of the first header field NAME (case-insensitive), or NULL. */
const char *msg_header (const struct msg *m, const char *name);

/* The position in the original input of body byte OFF (OFF <= body_len). */
struct msg_pos msg_position (const struct msg *m, size_t off);

/* The position in the original input of byte O of M->raw. */
struct msg_pos msg_raw_position (const struct msg *m, size_t o);

/* The position where the value of the first header field NAME begins, or the body's start if M
   has no such field. */
struct msg_pos msg_field_position (const struct msg *m, const char *name);

/* True if the first lines of BUF form an RFC 5322 header block (field-name grammar, blank line). */
bool msg_looks_like_mail (const char *buf, size_t len);

#endif
