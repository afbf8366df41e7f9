/* rules-priv.h: internals the lib/rules*.c files share; not part of the library's API. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_RULES_PRIV_H
#define RITTBERGER_RULES_PRIV_H

#include "rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* A block the rules' strings point into: one rule file's text, split and unescaped in place,
   or the file's name.  Parsing in place costs one allocation per file instead of one per
   string, which is most of what loading the rules used to cost at start-up. */
struct rules_chunk
{
  struct rules_chunk *next;
  /* Non-NULL: the rules' strings point into this mapping of a file (the parsed-rules image)
     rather than into DATA, and freeing the chunk unmaps its MAP_LEN bytes. */
  void *map;
  size_t map_len;
  char data[];
};

struct rules_index;
struct pattern_cache;
struct text_memo;

/* The rules module's own part of a ruleset (struct ruleset.priv). */
struct rules_private
{
  struct rules_chunk *chunks;
  struct pattern_cache *cache;  /* compiled patterns kept between processes */
  struct rules_index *index;    /* triggers and prefilters, built by the first rules_match */
  pcre2_match_context *mctx;    /* made once, not per message */
  pcre2_match_data *md;
  unsigned long calls;          /* rules_match calls so far: many mean batch mode */
  unsigned long index_gen;      /* counts the trigger indexes built, to tell them apart */
  struct text_memo *memo;       /* what the last rules_match call learnt about its text */
  /* Rule ids by hash for rules_find (index + 1, 0 empty), built for the rules array it names:
     callers look a rule up once per finding, and a 1 MB message has tens of thousands. */
  size_t *id_slots;
  size_t id_nslots;
  const struct rule *id_v;
  size_t id_n;
};

/* A hash of the N bytes at P, eight at a time (a byte-wise FNV-1a of the rule ids was a tenth
   of loading the rules, and of the pattern-cache records a tenth of matching one message):
   each 64-bit word is mixed in with a multiplication, the tail is padded with zeros, and the
   length goes into the last step. */
static inline uint64_t
rules_hash_bytes (const void *p, size_t n, uint64_t h)
{
  const unsigned char *b = p;
  const uint64_t mul = UINT64_C (0x9e3779b97f4a7c15);
  for (; n >= 8; b += 8, n -= 8)
    {
      uint64_t w;
      memcpy (&w, b, 8);
      h = (h ^ w) * mul;
      h ^= h >> 29;
    }
  uint64_t tail = 0;
  memcpy (&tail, b, n);
  h = (h ^ tail ^ (uint64_t) n << 56) * mul;
  return h ^ h >> 32;
}

/* The hash of the NUL-terminated S. */
static inline uint64_t
rules_hash_string (const char *s)
{
  return rules_hash_bytes (s, strlen (s), UINT64_C (0xcbf29ce484222325));
}

/* ---- rules.c ---- */

/* RS's private part, made on first use; NULL if there is no memory for it. */
struct rules_private *rules_private_get (struct ruleset *rs);

/* A chunk with SIZE bytes of data, no mapping and no successor; NULL if out of memory. */
struct rules_chunk *rules_chunk_new (size_t size);

/* Release the one chunk C (NULL is allowed) and unmap its mapping, not its successors. */
void rules_chunk_free (struct rules_chunk *c);

/* Write the message FMT makes into ERR (ERRLEN bytes), if ERR is non-NULL and ERRLEN non-zero. */
void rules_set_error (char *err, size_t errlen, const char *fmt, ...)
  __attribute__ ((__format__ (__printf__, 3, 4)));

/* A new zeroed rule at the end of RS; NULL if out of memory. */
struct rule *rules_append_rule (struct ruleset *rs);

/* Move the rules of FROM (parsed from one file) into RS, which must have its private part,
   replacing rules of the same id and dropping RS's trigger index; return 0, or -1 if out of
   memory. */
int rules_merge (struct ruleset *rs, struct ruleset *from);

/* Read the file PATH whole into a new chunk with a NUL after its *LEN bytes; NULL with errno
   on failure. */
struct rules_chunk *rules_read_whole (const char *path, size_t *len);

/* Write the N bytes at P to FD, retrying short writes; false on failure. */
bool rules_write_all (int fd, const void *p, size_t n);

struct image_writer;

/* Parse TEXT, the SIZE bytes of the rule file PATH as rules_read_whole returned them (NULL:
   reading failed, with errno), and merge its rules into RS, which takes TEXT over; with IMG,
   also describe the file's rules to IMG (TEXT_HASH being the hash of the unparsed text).
   Same contract as rules_load_file otherwise. */
int rules_load_text (struct ruleset *rs, const char *path, struct rules_chunk *text, size_t size,
                     struct image_writer *img, uint64_t text_hash, char *err, size_t errlen);

/* ---- rules-image.c ---- */

/* What stat says of a rule file, kept in the parsed-rules image so that a later load can tell
   an unchanged file without reading it (as git's index does). */
struct rules_file_stat
{
  uint64_t dev, ino, size;
  int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

/* Whether a rule file whose stat data is NOW, recorded as RECORDED in an image that began
   looking at its files at STARTED, may be taken as unchanged without hashing it: all fields
   equal, and both its times at least two seconds before STARTED (a file changed within the
   time stamps' granularity of that moment could have changed again unseen). */
bool rules_image_stat_current (const struct rules_file_stat *recorded,
                               const struct rules_file_stat *now, const struct timespec *started);

/* Add to the image W the file PATH of SIZE bytes hashing to TEXT_HASH, with the rules
   FILE_RULES parsed from it. */
void rules_image_add_file (struct image_writer *w, const char *path, size_t size,
                           uint64_t text_hash, const struct ruleset *file_rules);

/* ---- rules-cache.c ---- */

/* Create a temporary file to write a new version of the cache file PATH into, then rename:
   PATH.<pid>, or if that name is taken PATH.<pid>.1 to .7, made with O_EXCL and O_NOFOLLOW
   (a file or symbolic link planted there is neither truncated nor followed), mode 0600.
   Return its descriptor and its name in *TMP (to free), or -1 if none could be made. */
int rules_create_temporary (const char *path, char **tmp);

/* RS's compiled-pattern cache, made on first use (the file is read when first needed); NULL
   if there is no memory for it. */
struct pattern_cache *rules_cache (struct ruleset *rs);

/* Compile R's pattern if that has not been tried (or take it from CACHE, which may be NULL);
   return it, or NULL if it does not compile.  On failure write the reason into MSG when MSG
   is non-NULL. */
pcre2_code *rules_pattern_code (struct rule *r, struct pattern_cache *cache, char *msg,
                                size_t msglen);

/* If this process compiled patterns C's file lacks, rewrite the file with RS's compiled
   patterns and C's other records. */
void rules_cache_save (struct pattern_cache *c, const struct ruleset *rs);

/* Release C (NULL is allowed) without saving it. */
void rules_cache_free (struct pattern_cache *c);

/* ---- rules-match.c ---- */

/* The literal prefilter's answer for PATTERN (compiled with FLAGS) on the LEN bytes at TEXT,
   as for a sentence (SENTENCE, with its signature) or a whole message: 1 it lets TEXT through,
   0 it turns it away, 2 the pattern has no gate, -1 out of memory, -2 a message asked again,
   with where its bytes first occur known from the first time, got another answer.  For
   tests: wherever PCRE2 finds a match in TEXT, the answer must not be 0. */
int rules_gate_allows (const char *pattern, unsigned flags, const char *text, size_t len,
                       bool sentence);

/* What the literal reading of PATTERN (compiled with FLAGS) found, as a line of text: its gate
   (with at most LIT_MAX strings a leaf unless SENTENCE), start strings and the flags that go with
   them; NULL on ENOMEM.  PLAIN reads it the slow, obvious way the fast one must agree with.
   For tests, which compare readings; the caller frees it. */
char *rules_literals_describe (const char *pattern, unsigned flags, bool sentence, bool plain);

/* Whether the ASCII lower-casing and the pair signatures of ranges of the LEN bytes at TEXT,
   as gates read them, equal those made a byte and a pair at a time: 1 yes, 0 no, -1 out of
   memory.  For tests. */
int rules_lower_sig_agree (const char *text, size_t len);

/* Release the trigger index IX (NULL is allowed). */
void rules_index_free (struct rules_index *ix);

/* Release what MEMO holds and empty it, keeping MEMO itself. */
void rules_memo_clear (struct text_memo *memo);

/* Whether rule R may look at sentence S of T by its scope alone: a sentence with words, of
   the sender's own, a question for a question rule, a greeting for a greeting rule. */
bool rules_sentence_in_scope (const struct rule *r, const struct text *t, size_t s);

/* Whether one of R's trigger words (a "w*" one as a prefix) stands as a whole word in the
   lower-cased SUBJECT; true for a rule without triggers.  bench/rule-cost uses it too. */
bool rules_triggers_in_subject (const struct rule *r, const char *subject);

/* Whether the N bytes at S are valid UTF-8, exactly when u8_check finds no fault in them. */
bool rules_utf8_valid (const char *s, size_t n);

/* The code of a language lang_guess returned: 1 de, 2 en, 3 undecided (NULL). */
int rules_lang_code (const char *lang);

#endif
