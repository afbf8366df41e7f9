/* text.h: words, sentences and masks over a message body (NFC UTF-8), with exact byte offsets. */
#ifndef RITTBERGER_TEXT_H
#define RITTBERGER_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a byte is not the sender's own words to the reader.  Detectors decide what to do with it. */
enum text_mask
{
  TEXT_QUOTED = 1 << 0,         /* "> " reply lines and the "Am ... schrieb ...:" header above them */
  TEXT_SIGNATURE = 1 << 1,      /* after a "-- " line */
  TEXT_FORWARD = 1 << 2,        /* forwarded message blocks */
  TEXT_DISCLAIMER = 1 << 3,     /* legal boilerplate ("Diese E-Mail enthält vertrauliche ...") */
  TEXT_CODE = 1 << 4,           /* `code spans`, indented code blocks */
  TEXT_URL = 1 << 5,            /* URLs, e-mail addresses, @handles */
  TEXT_SPEECH = 1 << 6,         /* direct speech and slogans in quotation marks */
};

/* Masks that take text out of a verdict (everything but direct speech is also out of findings). */
#define TEXT_NOT_OWN (TEXT_QUOTED | TEXT_SIGNATURE | TEXT_FORWARD | TEXT_DISCLAIMER \
                      | TEXT_CODE | TEXT_URL)

enum text_token_flag
{
  TOK_UPPER_INITIAL = 1 << 0,   /* first letter upper case ("Du", "Sie") */
  TOK_ALL_UPPER = 1 << 1,       /* every letter upper case, two letters or more ("DU") */
  TOK_ALL_LOWER = 1 << 2,
  TOK_INITIAL = 1 << 3,         /* first word of a sentence, or after ':', a dash, a bullet, an opening quote or bracket */
  TOK_COMPOUND = 1 << 4,        /* followed by '-' and a letter ("Du-Form") */
  TOK_AFTER_HYPHEN = 1 << 5,    /* preceded by a letter and '-' ("E-Mail" second part) */
  TOK_HAS_DIGIT = 1 << 6,
  TOK_APOSTROPHE = 1 << 7,      /* carried an apostrophe clitic that was dropped ("hast's") */
};

struct text_token
{
  uint32_t off, len;            /* bytes of the word in the body */
  uint32_t lower_off;           /* its lower-cased form at text.lower + lower_off, NUL-terminated */
  uint32_t sentence;            /* index into text.sent */
  uint16_t flags;               /* enum text_token_flag */
  uint8_t mask;                 /* enum text_mask of its first byte */
  uint8_t punct_before;         /* the last non-space character between the previous word and this one, if ASCII, else 0 */
};

enum text_sentence_flag
{
  SENT_QUESTION = 1 << 0,       /* ends in '?' */
  SENT_EXCLAIM = 1 << 1,        /* ends in '!' */
  SENT_ALL_UPPER = 1 << 2,      /* every cased letter upper case */
  SENT_ALL_LOWER = 1 << 3,
  SENT_GREETING = 1 << 4,       /* a salutation line ("Hallo Anna,", "Hi,") */
};

struct text_sentence
{
  uint32_t off, end;            /* byte range in the body, terminator included */
  uint32_t first_tok, ntok;     /* its words: text.tok[first_tok .. first_tok + ntok) */
  uint16_t flags;               /* enum text_sentence_flag */
};

/* NUL bytes after the last word in text.lower (see there).  */
#define TEXT_LOWER_PAD 8

struct text
{
  const char *s;                /* the body, borrowed */
  size_t len;
  uint8_t *mask;                /* len bytes of enum text_mask */
  struct text_token *tok;
  size_t ntok;
  struct text_sentence *sent;
  size_t nsent;
  char *lower;                  /* lower-cased words, each NUL-terminated, then TEXT_LOWER_PAD
                                   NUL bytes: TEXT_LOWER_PAD bytes can be read from any word */
  bool all_lower;               /* the whole message has no upper-case letter */
};

/* Segment and mask the NFC UTF-8 text S of LEN bytes into *T (S must outlive T).
   Return 0, or -1 with errno set (ENOMEM). */
int text_analyze (struct text *t, const char *s, size_t len);

/* Whether any byte of T is marked TEXT_QUOTED (a reply, threaded or not). */
bool text_has_quoted (const struct text *t);

/* Release what text_analyze allocated. */
void text_free (struct text *t);

/* The word at index I as a pointer into the body; its length is tok[i].len. */
static inline const char *
text_word (const struct text *t, size_t i)
{
  return t->s + t->tok[i].off;
}

/* The lower-cased form of word I. */
static inline const char *
text_lower (const struct text *t, size_t i)
{
  return t->lower + t->tok[i].lower_off;
}

#endif
