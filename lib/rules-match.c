/* rules-match.c: run the rules' patterns over a text, behind the trigger index and prefilters. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* What rules_match does for the user is described in rules.c's opening comment ("Matching",
   and how patterns are compiled and run); this file is the machinery. */

#include <config.h>
#include "rules.h"
#include "rules-priv.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unistr.h>

#include "charset.h"
#include "lang.h"
#include "strbuf.h"

#if defined __SSE2__
# include <emmintrin.h>
#endif

enum
{
  MATCH_LIMIT = 100000,         /* backtracking steps per match attempt */
  DEPTH_LIMIT = 1000,           /* nested backtracking frames */
  HEAP_LIMIT_KIB = 20000,       /* heap for backtracking frames */
  MATCHES_PER_RANGE = 64,       /* findings one rule may report in one sentence */
  ANCHORED_MIN_LEN = 1 << 10,   /* a range searched by tries at each start (anchored_code) */
  ANCHORED_TRIES = 64,          /* ... at most this many of them */
  /* JIT a pattern once it has scanned this much in one process.  JIT-compiling one of the long
     caseless patterns costs about a million instructions, what the interpreter spends on some
     5 to 50 KB of text: a mail hook's message stays below this, while a batch run or a large
     message gets its busy patterns compiled early (a 1 MB message: 0.8 s before, 0.3 s now). */
  JIT_AFTER_BYTES = 32 << 10,
  /* In batch mode (this many rules_match calls in one process: a few messages) the JIT pays
     sooner: the long caseless patterns cost some 350 cycles a byte in the interpreter and 100
     JIT-compiled, so a pattern that has scanned a few KB will scan much more.  A single
     delivery never gets here and never pays a JIT compile for a small message. */
  BATCH_CALLS = 16,
  JIT_BATCH_BYTES = 1 << 10,
  /* The largest text whose copy the ruleset keeps to recognise it in the next rules_match call
     (struct text_memo): bigger inputs are rare enough to analyse afresh for each tool. */
  MEMO_MAX_BYTES = 4 << 20,
};

/* The trigger index: every trigger of every rule in one hash table, each with the bitmap of the
   rules it belongs to.  A message's words are looked up once per rules_match call, which gives
   a bitmap of triggered rules per sentence and for the whole text; comparing every trigger of
   every rule with every word of every sentence cost more than the patterns themselves. */
struct trigger_slot
{
  const char *word;             /* the trigger without its star */
  uint32_t hash;                /* the high half of its trigger_hash: compared before the bytes */
  uint32_t bits;                /* offset of the rule bitmap in rules_index.bits */
  uint32_t len;
  bool prefix;                  /* "word*" */
};

/* Every match of a pattern contains one of these bytes (see pattern_needs). */
struct rule_need
{
  bool known;                   /* false: no such set could be proven, always run */
  unsigned char bytes[8];
  unsigned char n;
};

enum
{
  HEAD_FILTER_BYTES = 4,        /* a word's first bytes that head_filter looks at */
  HEAD_FILTER_LOG2 = 15,        /* 4 KB: about one bit in thirty set for a thousand triggers */
  HEAD_FILTER_BITS = 1 << HEAD_FILTER_LOG2,
  SHORT_FILTER_LOG2 = 10,
  SHORT_FILTER_BITS = 1 << SHORT_FILTER_LOG2,
};

struct rules_index
{
  size_t nrules;                /* rs->n when built: a different count means rebuild */
  size_t words;                 /* uint64_t words per rule bitmap */
  struct trigger_slot *entry;   /* the distinct triggers */
  size_t nentries;
  uint32_t *slot;               /* hash table of entry index + 1 (0 empty): small to clear */
  size_t nslots;                /* a power of two, at most half full */
  /* One bit per FILTER_BITS_PER_SLOT * nslots values of a hash's high bits, set for each
     trigger: most words of a message trigger nothing, and a miss in this small bitmap (which
     stays in the cache, unlike the slot table) is all they cost. */
  uint64_t *filter;
  uint64_t *bits;
  size_t nbits;
  bool *prefix_len;             /* prefix_len[L]: some prefix trigger has L bytes */
  size_t max_prefix;
  uint64_t *every_word;         /* rules an empty prefix trigger lets run on any word */
  bool every_word_any;          /* some rule has one */
  /* A filter over the first bytes of the triggers (see head_filter_bit), so that a word the
     word cache has not seen need not be hashed byte by byte and tried with each prefix length
     when no trigger can match it: a third of the words a batch looks up are new to the cache,
     and only a few of them trigger anything.  HEAD_FILTER has a bit set for the first
     HEAD_FILTER_BYTES bytes of each trigger (all of a shorter exact one); SHORT_FILTER one for
     each prefix trigger shorter than that, whose lengths are the bits of SHORT_LENS. */
  uint64_t head_filter[HEAD_FILTER_BITS / 64];
  uint64_t short_filter[SHORT_FILTER_BITS / 64];
  unsigned short_lens;
  struct rule_need *need;       /* per rule */
  struct rule_literals *lit;    /* per rule, read off its pattern when it has run enough */
  struct lit_use *lit_use;      /* per rule: whether the prefilter is used, and how it does */
  unsigned char *jit_tried;     /* per rule: pcre2_jit_compile was called for its pattern */
  size_t lit_after;             /* bytes a pattern scans before it is read (rule_literals) */
  /* Per rule: its language (0 any, 1 de, 2 en) and its tool, as an index into tools (the
     distinct tool names, tools[0] standing for none), so that a call compares the tool name
     a few times instead of once per rule. */
  unsigned char *lang;
  size_t *tool;
  const char **tools;
  size_t ntools;
  /* The rules with a pattern of each tool, in rule order: tool K's are
     tool_rules[tool_at[K] .. tool_at[K + 1]) (K up to ntools, which has none), so that a call
     visits its tool's rules only. */
  uint32_t *tool_rules;
  size_t *tool_at;
  /* The same as bitmaps of WORDS words per tool (K up to ntools): the rules that may run on
     any text (subject rules, and rules without triggers) at tool_always + K * words, and those
     that run only where a word triggers them at tool_triggered + K * words.  A call visits the
     rules of TEXT_RULES | tool_always, where it used to ask each rule of its tool whether a
     word triggered it, which most did not. */
  uint64_t *tool_always;
  uint64_t *tool_triggered;
  struct word_cache *words_cache;       /* made by the first rules_match that can */
};

static void word_cache_free (struct word_cache *c);
static void free_gates (struct rules_index *ix);

void
rules_index_free (struct rules_index *ix)
{
  if (!ix)
    return;
  free (ix->slot);
  free (ix->entry);
  free (ix->filter);
  free (ix->bits);
  free (ix->prefix_len);
  free (ix->every_word);
  free (ix->need);
  free_gates (ix);
  free (ix->lit);
  free (ix->lit_use);
  free (ix->jit_tried);
  free (ix->lang);
  free (ix->tool);
  free (ix->tools);
  free (ix->tool_rules);
  free (ix->tool_at);
  free (ix->tool_always);
  free (ix->tool_triggered);
  word_cache_free (ix->words_cache);
  free (ix);
}

static uint64_t
fnv_step (uint64_t h, unsigned char c)
{
  return (h ^ c) * UINT64_C (0x100000001b3);
}

static uint64_t
fnv_start (void)
{
  return UINT64_C (0xcbf29ce484222325);
}

/* The hash of a trigger whose bytes hash to H (fnv_step), as a prefix or exact trigger. */
static uint64_t
trigger_hash (uint64_t h, bool prefix)
{
  h = fnv_step (h, prefix ? 0xff : 0xfe);   /* 0xfe and 0xff never occur in UTF-8 */
  return h ^ (h >> 29);
}

enum { FILTER_BITS_PER_SLOT = 4 };

static size_t
filter_bit (const struct rules_index *ix, uint64_t th)
{
  return (size_t) (th >> 32) & (FILTER_BITS_PER_SLOT * ix->nslots - 1);
}

/* The slot of WORD[0, LEN) as a prefix or exact trigger whose hash is H, or NULL. */
static inline const struct trigger_slot *
find_slot (const struct rules_index *ix, const char *word, size_t len, bool prefix, uint64_t h)
{
  uint64_t th = trigger_hash (h, prefix);
  size_t f = filter_bit (ix, th);
  if (!(ix->filter[f / 64] >> (f % 64) & 1))
    return NULL;
  for (size_t i = th & (ix->nslots - 1);; i = (i + 1) & (ix->nslots - 1))
    {
      if (!ix->slot[i])
        return NULL;
      const struct trigger_slot *s = &ix->entry[ix->slot[i] - 1];
      if (s->hash == (uint32_t) (th >> 32) && s->len == len && s->prefix == prefix
          && memcmp (s->word, word, len) == 0)
        return s;
    }
}

/* The bit of a head filter with BITS bits (a power of two) for KEY, the first bytes of a word
   as word_key's HEAD holds them: little-endian, zero-padded. */
static inline size_t
head_filter_bit (uint64_t key, unsigned bits_log2)
{
  return (size_t) ((key * UINT64_C (0x9e3779b97f4a7c15)) >> (64 - bits_log2));
}

/* The first N bytes (N <= 8) of the LEN bytes at W, zero-padded, as word_key's HEAD holds
   them. */
static uint64_t
head_of (const char *w, size_t len, size_t n)
{
  uint64_t v = 0;
  for (size_t k = 0; k < n && k < len; k++)
    v |= (uint64_t) (unsigned char) w[k] << (8 * k);
  return v;
}

/* Whether some trigger of IX may match the word of LEN bytes whose first eight bytes
   (zero-padded, little-endian) are HEAD; false only if none can.  An exact trigger matches
   only a word with its first bytes, a prefix trigger at least as long as HEAD_FILTER_BYTES
   only words with its first HEAD_FILTER_BYTES, a shorter one words with all of it. */
static inline bool
may_trigger (const struct rules_index *ix, uint64_t head, size_t len)
{
  size_t f = head_filter_bit (head & UINT64_C (0xffffffff), HEAD_FILTER_LOG2);
  if (ix->head_filter[f / 64] >> (f % 64) & 1)
    return true;
  for (unsigned lens = ix->short_lens; lens; lens &= lens - 1)
    {
      unsigned l = (unsigned) __builtin_ctz (lens);
      if (l > len)
        break;
      f = head_filter_bit (head & ((UINT64_C (1) << (8 * l)) - 1), SHORT_FILTER_LOG2);
      if (ix->short_filter[f / 64] >> (f % 64) & 1)
        return true;
    }
  return false;
}

static bool
bit_test (const uint64_t *bits, size_t i)
{
  return bits[i / 64] >> (i % 64) & 1;
}

static void
bits_or (uint64_t *to, const uint64_t *from, size_t words)
{
  for (size_t w = 0; w < words; w++)
    to[w] |= from[w];
}

/* Skip the character class at P (its '['); return the byte after its ']', or NULL if its
   syntax is anything this reading does not know for sure. */
static const char *
skip_class (const char *p)
{
  p++;
  if (*p == '^')
    p++;
  if (*p == ']')
    p++;                        /* a ']' first is a member */
  while (*p && *p != ']')
    {
      if (*p == '\\')
        {
          if (!p[1] || p[1] == 'Q' || p[1] == 'E')
            return NULL;
          p += 2;
        }
      else if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '='))
        {
          /* A POSIX class such as [:alpha:], or give up. */
          const char *q = p + 2;
          while ((*q >= 'a' && *q <= 'z') || *q == '^')
            q++;
          if (q[0] != p[1] || q[1] != ']')
            return NULL;
          p = q + 2;
        }
      else
        p++;
    }
  return *p == ']' ? p + 1 : NULL;
}

/* Skip the group at P (its '('); return the byte after its ')', or NULL if unsure. */
static const char *
skip_group (const char *p)
{
  int depth = 0;
  while (*p)
    {
      if (*p == '\\')
        {
          if (!p[1] || p[1] == 'Q' || p[1] == 'E')
            return NULL;
          p += 2;
        }
      else if (*p == '[')
        {
          if (!(p = skip_class (p)))
            return NULL;
        }
      else if (*p == '(')
        {
          depth++;
          p++;
        }
      else if (*p == ')')
        {
          p++;
          if (--depth == 0)
            return p;
        }
      else
        p++;
    }
  return NULL;
}

/* Parse a quantifier at *P, if any; return its minimum (1 without one), or -1 if the text is
   not one this reading understands. */
static long
quantifier_min (const char **pp)
{
  const char *p = *pp;
  long min = 1;
  if (*p == '?' || *p == '*')
    {
      min = 0;
      p++;
    }
  else if (*p == '+')
    p++;
  else if (*p == '{')
    {
      const char *q = p + 1;
      if (!(*q >= '0' && *q <= '9'))
        return -1;              /* "{,n}" or a literal brace: PCRE2 versions differ */
      min = 0;
      while (*q >= '0' && *q <= '9' && min < 100000)
        min = min * 10 + (*q++ - '0');
      if (*q == ',')
        {
          q++;
          while (*q >= '0' && *q <= '9')
            q++;
        }
      if (*q != '}')
        return -1;
      p = q + 1;
    }
  else
    return 1;
  if (*p == '+' || *p == '?')
    p++;                        /* possessive or lazy */
  if (*p == '?' || *p == '*' || *p == '+' || *p == '{')
    return -1;
  *pp = p;
  return min;
}

/* Find bytes of which every match of PATTERN must contain one: for each top-level alternative,
   the first literal ASCII punctuation character that must occur (not optional, not inside a
   group, class or assertion).  Such a character matches only itself, caseless or not, so a
   text without any of them cannot match and the pattern need not even be compiled.  Return
   false when an alternative has none or the pattern uses syntax this reading does not follow
   (extended mode, \Q...\E, verbs, most escapes): then the rule always runs. */
static bool
pattern_needs (const char *pattern, unsigned flags, struct rule_need *need)
{
  memset (need, 0, sizeof *need);
  if (flags & PCRE2_EXTENDED || strstr (pattern, "(*") || strstr (pattern, "\\Q"))
    return false;
  for (const char *q = strstr (pattern, "(?"); q; q = strstr (q + 2, "(?"))
    {
      /* Inline options: (?x) would change how the rest reads. */
      const char *o = q + 2;
      while ((*o >= 'a' && *o <= 'z') || (*o >= 'A' && *o <= 'Z') || *o == '-' || *o == '^')
        if (*o++ == 'x')
          return false;
    }
  const char *p = pattern;
  for (;;)
    {
      int found = -1;           /* this alternative's byte */
      while (*p && *p != '|')
        {
          int literal = -1;
          bool assertion = false;
          unsigned char c = *p;
          if (c == '(')
            {
              assertion = p[1] == '?' && (p[2] == '=' || p[2] == '!'
                                          || (p[2] == '<' && (p[3] == '=' || p[3] == '!')));
              if (!(p = skip_group (p)))
                return false;
            }
          else if (c == '[')
            {
              if (!(p = skip_class (p)))
                return false;
            }
          else if (c == '\\')
            {
              unsigned char d = p[1];
              if (d >= 0x21 && d < 0x7f && !((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z')
                                              || (d >= '0' && d <= '9')))
                {
                  literal = d;
                  p += 2;
                }
              else if (d && strchr ("dDwWsShHvVRXnrtfea", d) && p[2] != '{')
                p += 2;
              else if (d && strchr ("bBAzZG", d))
                {
                  assertion = true;
                  p += 2;
                }
              else if ((d == 'p' || d == 'P') && p[2] == '{')
                {
                  const char *e = strchr (p + 3, '}');
                  if (!e)
                    return false;
                  p = e + 1;
                }
              else
                return false;
            }
          else if (c == '^' || c == '$')
            {
              assertion = true;
              p++;
            }
          else if (c == ')' || c == '{' || c == '?' || c == '*' || c == '+')
            return false;
          else
            {
              if (c >= 0x21 && c < 0x7f && c != '.' && !((c >= 'a' && c <= 'z')
                                                         || (c >= 'A' && c <= 'Z')
                                                         || (c >= '0' && c <= '9')))
                literal = c;
              /* One character, however many bytes. */
              p++;
              while ((*p & 0xC0) == 0x80)
                p++;
            }
          long min = quantifier_min (&p);
          if (min < 0)
            return false;
          if (found < 0 && literal >= 0 && min >= 1 && !assertion)
            found = literal;
        }
      if (found < 0)
        return false;
      if (!memchr (need->bytes, found, need->n))
        {
          if (need->n == sizeof need->bytes)
            return false;
          need->bytes[need->n++] = (unsigned char) found;
        }
      if (!*p)
        break;
      p++;                      /* the '|' */
    }
  need->known = true;
  return true;
}

/* ---- The literal prefilter ----

   Most sentences a rule's triggers let through still cannot match its pattern: the
   outreach sentence "Wir haben Ihr Profil gesehen ..." triggers four long detect-template
   patterns (by "wir", "ihr", "gesehen") and each ran on every one of 14,000 such sentences of
   a 1 MB message, for nothing.  So for each pattern the index keeps a gate: sets of byte
   strings such that a match contains a string of a set (" ," or " ." for an empty slot),
   combined as the pattern combines its pieces (an alternation is an OR of what each
   alternative needs, a sequence an AND of what its pieces need), read off the pattern once
   it has run a while (pattern_literals); a sentence the gate turns away is not offered to
   PCRE2 at all.  Per sentence, a signature of its byte pairs (sentence_sig) rules most absent
   strings out without reading it again.

   A tree, not one list of sets every match has a string of each of: such a list has to take,
   for each alternative, a string it contains, and that was often the rule's own trigger word
   ("not" in every alternative of TEMPLATE_OPTOUT_EN), which every sentence offered already
   has; the tree asks, per alternative, for all of its words.

   The reading is conservative: a string is only taken from text the pattern must match
   literally, and anything it does not follow (inline options other than m, s and -i, back
   references, most escapes, extended mode) makes it give up, so that the rule always runs.  Caseless patterns give
   lower-case strings, looked for in an ASCII-lower-cased copy of the body; under PCRE2's
   caseless matching with UCP an ASCII letter matches only its two ASCII forms, except k
   (also U+212A KELVIN SIGN) and s (also U+017F LONG S) (test-rules checks this against PCRE2
   for every code point).  A pattern with a caseless k or s is read as if they matched their
   ASCII forms only, and its strings are not used on a text that has either sign. */

enum
{
  LIT_MAX = 16,                 /* strings in one set */
  LIT_LEN = 24,                 /* bytes in one string */
  LIT_DEPTH = 24,               /* nested groups followed */
};

/* A set of byte strings. */
struct lit_set
{
  unsigned char n;
  unsigned char len[LIT_MAX];
  char s[LIT_MAX][LIT_LEN];
};

/* The gate as the reading builds it: a tree of nodes in a fixed array (GATE_TMP_NODES; when
   it is full a piece gets no node, which means "may match anything").  A leaf says that the
   text contains one of SET's strings, an AND that all its kids hold, an OR that one does.
   Kids are listed through FIRST and NEXT (-1 ends). */
enum gate_kind { GATE_LEAF, GATE_AND, GATE_OR };
enum { GATE_TMP_NODES = 2048 };

struct gate_tmp
{
  unsigned char kind;           /* enum gate_kind */
  int first, last, next;
  struct lit_set set;
};

/* What the reading learnt of a piece of a pattern. */
struct lit_info
{
  bool exact;                   /* every match of the piece is one of SET's strings */
  struct lit_set set;
  struct lit_set prefix;        /* the subject where the piece starts begins with one of these */
  int gate;                     /* what every match of the piece contains: a node, -1 nothing */
};

/* A rule's prefilter: every match satisfies GATE (its strings ASCII-lower-cased when
   CASELESS); NULL: nothing is known, always run.  And where a match can start: with
   STARTS, PCRE2 can only find a match where the subject begins with one of START's strings
   (compared with ASCII letters in either case when START_CASELESS), so a search need not begin
   before the first such place (see next_start).  FIRST holds the NFIRST distinct bytes they
   begin with, in both cases if caseless, and FIRST_OF[F] says which strings begin with
   FIRST[F] (bit K for START.s[K]). */
_Static_assert (LIT_MAX <= 16, "rule_literals.first_of has a bit per string of a set");

struct rule_gate;

struct rule_literals
{
  bool caseless;
  bool no_signs;                /* all of this holds only in text without U+212A and U+017F */
  struct rule_gate *gate;       /* NULL: nothing is known, always run */
  bool starts, start_caseless;
  struct lit_set start;
  unsigned char first[8];
  uint16_t first_of[8];
  unsigned char nfirst;
  uint64_t open[4];             /* bit C: a string of one byte is C (see start_here) */
  uint64_t second[4];           /* bit B: a string has B as its second byte */
  pcre2_code *anchored;         /* the pattern compiled anchored, made when first wanted */
  bool no_anchored;             /* it is not wanted, or did not compile */
};

/* Whether a rule's prefilter is in use.  Reading a pattern costs a few thousand instructions
   a group, which a single small message would never win back: a pattern is read once it has
   scanned LIT_AFTER_BYTES.  In batch mode (see BATCH_CALLS) it is read after LIT_BATCH_BYTES,
   well before it has scanned the JIT_BATCH_BYTES that get it JIT-compiled: only the sentences
   the prefilter lets through count towards those, and a pattern it keeps from most of them is
   spared a compile that costs three or four readings (a corpus run: 62 JIT compiles -> 42).
   And a prefilter that seldom turns a sentence away only adds its searches to the pattern's
   cost (the patterns that begin with a literal word are quick to fail in PCRE2 already):
   after LIT_TRIAL sentences it stays on only if it turned away at least one in
   LIT_KEEP_RATIO.  Neither choice can change a finding, only what finding none costs. */
enum
{
  LIT_AFTER_BYTES = 8 << 10,
  LIT_BATCH_BYTES = 256,
  LIT_TRIAL = 256,
  LIT_KEEP_RATIO = 4,
};

enum lit_state
{
  LIT_NOT_YET,                  /* the pattern has not scanned enough to be read */
  LIT_ON,
  LIT_OFF,                      /* nothing to look for, or it did not pay */
};

struct lit_use
{
  unsigned char state;          /* enum lit_state */
  uint32_t checks, rejects;     /* sentences it was asked about, and turned away */
};

struct lit_reader
{
  const char *p;
  bool caseless;
  bool fail;                    /* syntax this reading does not follow: no prefilter */
  struct gate_tmp *node;        /* GATE_TMP_NODES of them, or NULL: no gate is built */
  int nnode;
  bool signs;                   /* a caseless k or s was read as its ASCII letter */
  bool plain;                   /* the slow, obvious way, for tests (rules_literals_describe) */
};

/* The kinds of atoms of a pattern, as far as the reading is concerned. */
enum lit_kind
{
  LIT_CONSUMING,                /* matches text */
  LIT_ZERO_WIDTH,               /* an assertion that matches no text: \b, ^, (?!...), (?<=...) */
  LIT_LOOKAHEAD,                /* (?=...): its text follows, but is not consumed */
};

static void
lit_set_empty_string (struct lit_set *s)
{
  s->n = 1;
  s->len[0] = 0;
}

/* Add the LEN bytes at STR to S unless there already; false if S is full. */
static bool
lit_set_add (struct lit_set *s, const char *str, size_t len)
{
  if (len > LIT_LEN)
    return false;
  /* Most strings of a set differ in their length or first byte: compare those first. */
  for (unsigned k = 0; k < s->n; k++)
    if (s->len[k] == len && (len == 0 || (s->s[k][0] == str[0]
                                          && memcmp (s->s[k] + 1, str + 1, len - 1) == 0)))
      return true;
  if (s->n == LIT_MAX)
    return false;
  memcpy (s->s[s->n], str, len);
  s->len[s->n++] = (unsigned char) len;
  return true;
}

/* Put into OUT every string of A followed by one of B; false if that is too many or too long. */
static bool
lit_set_product (const struct lit_set *a, const struct lit_set *b, struct lit_set *out)
{
  out->n = 0;
  if ((size_t) a->n * b->n > LIT_MAX)
    return false;
  for (unsigned i = 0; i < a->n; i++)
    for (unsigned j = 0; j < b->n; j++)
      {
        size_t len = (size_t) a->len[i] + b->len[j];
        if (len > LIT_LEN)
          return false;
        char buf[LIT_LEN];
        memcpy (buf, a->s[i], a->len[i]);
        memcpy (buf + a->len[i], b->s[j], b->len[j]);
        if (!lit_set_add (out, buf, len))
          return false;
      }
  return true;
}

/* Add B's strings to *A; false (leaving *A unchanged) if they do not fit. */
static bool
lit_set_union (struct lit_set *a, const struct lit_set *b)
{
  struct lit_set u = *a;
  for (unsigned j = 0; j < b->n; j++)
    if (!lit_set_add (&u, b->s[j], b->len[j]))
      return false;
  *a = u;
  return true;
}

/* Do A and B hold the same strings? */
static bool
lit_set_same (const struct lit_set *a, const struct lit_set *b)
{
  if (a->n != b->n)
    return false;
  struct lit_set u = *a;
  return lit_set_union (&u, b) && u.n == a->n;
}

/* Put into *U the strings of A and then of B cut to at most CUT bytes, each once; false if
   there are more than LIT_MAX of them. */
static bool
lit_set_cut (const struct lit_set *a, const struct lit_set *b, size_t cut, struct lit_set *u)
{
  u->n = 0;
  for (unsigned k = 0; k < a->n; k++)
    if (!lit_set_add (u, a->s[k], a->len[k] < cut ? a->len[k] : cut))
      return false;
  for (unsigned k = 0; k < b->n; k++)
    if (!lit_set_add (u, b->s[k], b->len[k] < cut ? b->len[k] : cut))
      return false;
  return true;
}

/* Make *A the strings either *A or B's strings begin with, as long as they can be with at most
   LIT_MAX of them: cut to a shorter length, the strings are still what the subject begins
   with, and fewer once those that became alike are kept once; the longest cut that fits, or
   the empty string (nothing known) if not even single bytes fit.  PLAIN tries every cut from
   the longest down, which a long list of alternatives paid for each alternative after the
   first dozen.  Cut at or beyond the longest string, the strings are the union that did not
   fit; and a shorter cut only merges more of them, so the cuts that fit are all those up to
   some length, which a binary search finds in five tries. */
static void
lit_prefix_union (struct lit_set *a, const struct lit_set *b, bool plain)
{
  if (lit_set_union (a, b))
    return;
  struct lit_set u;
  if (plain)
    {
      for (size_t cut = LIT_LEN - 1; cut > 0; cut--)
        if (lit_set_cut (a, b, cut, &u))
          {
            *a = u;
            return;
          }
      lit_set_empty_string (a);
      return;
    }
  size_t longest = 0;
  for (unsigned k = 0; k < a->n; k++)
    longest = a->len[k] > longest ? a->len[k] : longest;
  for (unsigned k = 0; k < b->n; k++)
    longest = b->len[k] > longest ? b->len[k] : longest;
  /* The longest cut that fits is in [FITS, TOO_LONG): FITS 0 stands for none. */
  size_t fits = 0, too_long = longest < LIT_LEN ? longest : LIT_LEN;
  while (too_long - fits > 1)
    {
      size_t mid = fits + (too_long - fits) / 2;
      if (lit_set_cut (a, b, mid, &u))
        fits = mid;
      else
        too_long = mid;
    }
  if (fits == 0)
    lit_set_empty_string (a);
  else if (lit_set_cut (a, b, fits, &u))
    *a = u;
}

static bool
lit_is_alnum (unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Is every string of S worth looking for?  A string of one byte is in nearly every sentence.
   Two letters are common too, but in an AND with others or as an alternative's only need (the
   "no" of "no. 1", the "we" of "we are") they still tell some sentences apart. */
static bool
lit_set_selective (const struct lit_set *s)
{
  for (unsigned k = 0; k < s->n; k++)
    if (s->len[k] < 2)
      return false;
  return s->n > 0;
}

/* A new leaf node: a match contains one of S's strings; -1 if S is not worth looking for
   (lit_set_selective) or there is no room. */
static int
gate_leaf (struct lit_reader *rd, const struct lit_set *s)
{
  if (!rd->node || !lit_set_selective (s) || rd->nnode == GATE_TMP_NODES)
    return -1;
  struct gate_tmp *g = &rd->node[rd->nnode];
  g->kind = GATE_LEAF;
  g->first = g->last = g->next = -1;
  g->set = *s;
  return rd->nnode++;
}

/* Join the node B (or -1) to the node *A (or -1) as KIND: B becomes a kid of *A if that is a
   node of KIND, else both become kids of a new node.  For an AND, -1 ("anything") adds
   nothing; for an OR it makes the whole "anything". */
static void
gate_join (struct lit_reader *rd, int *a, int b, enum gate_kind kind)
{
  if (kind == GATE_OR && (*a < 0 || b < 0))
    {
      *a = -1;
      return;
    }
  if (b < 0)
    return;
  if (*a < 0)
    {
      *a = b;
      return;
    }
  struct gate_tmp *n = rd->node;
  if (kind == GATE_AND && n[b].kind == GATE_LEAF)
    {
      /* A sequence often needs the same strings twice (a run, and the run joined with what
         starts the next atom when that says nothing more): keep them once. */
      if (n[*a].kind == GATE_LEAF && lit_set_same (&n[*a].set, &n[b].set))
        return;
      if (n[*a].kind == GATE_AND)
        for (int c = n[*a].first; c >= 0; c = n[c].next)
          if (n[c].kind == GATE_LEAF && lit_set_same (&n[c].set, &n[b].set))
            return;
    }
  if (n[*a].kind != kind)
    {
      if (rd->nnode == GATE_TMP_NODES)
        {
          if (kind == GATE_OR)
            *a = -1;            /* no room: an OR may match anything; an AND keeps *A */
          return;
        }
      struct gate_tmp *g = &n[rd->nnode];
      g->kind = (unsigned char) kind;
      g->first = g->last = *a;
      g->next = -1;
      *a = rd->nnode++;
    }
  n[n[*a].last].next = b;
  n[*a].last = b;
  n[b].next = -1;
}

/* Add to the gate *A of a sequence that its match contains one of S's strings. */
static void
gate_need (struct lit_reader *rd, int *a, const struct lit_set *s)
{
  gate_join (rd, a, gate_leaf (rd, s), GATE_AND);
}

/* Make INFO say nothing: it may match any text. */
static void
lit_info_unknown (struct lit_info *info)
{
  info->exact = false;
  info->set.n = 0;
  lit_set_empty_string (&info->prefix);
  info->gate = -1;
}

/* Fill the rest of INFO, whose exact set is known. */
static void
lit_info_from_exact (struct lit_reader *rd, struct lit_info *info)
{
  info->exact = true;
  info->prefix = info->set;
  info->gate = gate_leaf (rd, &info->set);
}

/* The byte an ASCII character C of the pattern matches exactly (lower-cased when caseless), or
   -1 if it may match other characters too.  A caseless k or s is read as its letter, and the
   reading then holds only for text without KELVIN SIGN and LONG S (RD->signs). */
static int
lit_byte (struct lit_reader *rd, unsigned char c)
{
  if (c >= 0x80)
    return -1;
  if (rd->caseless && c >= 'A' && c <= 'Z')
    c = (unsigned char) (c - 'A' + 'a');
  if (rd->caseless && (c == 'k' || c == 's'))
    rd->signs = true;
  return c;
}


/* The byte of the one-character escape at P (its backslash) if it stands for one fixed ASCII
   character, else -1. */
static int
lit_escape_byte (struct lit_reader *rd, const char *p)
{
  unsigned char d = p[1];
  switch (d)
    {
    case 't': return '\t';
    case 'n': return '\n';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'e': return 0x1b;
    case 'a': return 0x07;
    default:
      if (d >= 0x20 && d < 0x7f && !lit_is_alnum (d))
        return lit_byte (rd, d);
      return -1;
    }
}

/* Read the character class at RD->p into ATOM: the exact set of its members when it is a short
   list of single ASCII characters, else nothing. */
static void
lit_class (struct lit_reader *rd, struct lit_info *atom)
{
  const char *end = skip_class (rd->p);
  if (!end)
    {
      rd->fail = true;
      return;
    }
  const char *p = rd->p + 1;
  rd->p = end;
  if (*p == '^')
    return;
  struct lit_set set = { 0 };
  for (const char *last = end - 1; p < last;)
    {
      int b;
      if (*p == '\\')
        {
          b = lit_escape_byte (rd, p);
          p += 2;
        }
      else if (*p == '-' || *p == '[')
        return;                 /* a range or a POSIX class: too much to list */
      else
        b = lit_byte (rd, (unsigned char) *p++);
      char c = (char) b;
      if (b < 0 || !lit_set_add (&set, &c, 1))
        return;
    }
  if (set.n)
    {
      atom->exact = true;
      atom->set = set;
    }
}

static void lit_alternation (struct lit_reader *rd, int depth, struct lit_info *out);

/* Does the option letters at P (up to ':' or ')') turn on caseless matching when the pattern
   is not CASELESS, which the reading would then have to follow? */
static bool
lit_option_widens (const char *p, bool caseless)
{
  bool off = false;
  for (; *p == '-' || *p == 'i' || *p == 'm' || *p == 's'; p++)
    if (*p == '-')
      off = true;
    else if (*p == 'i' && !off && !caseless)
      return true;
  return false;
}

/* Read one atom at RD->p into ATOM and say what kind it is. */
static enum lit_kind
lit_atom (struct lit_reader *rd, int depth, struct lit_info *atom)
{
  const char *p = rd->p;
  unsigned char c = *p;
  lit_info_unknown (atom);
  if (c == '(')
    {
      enum lit_kind kind = LIT_CONSUMING;
      if (depth >= LIT_DEPTH)
        {
          rd->fail = true;
          return kind;
        }
      p++;
      if (*p == '?')
        {
          if (p[1] == ':' || p[1] == '>' || p[1] == '|')
            p += 2;
          else if (strspn (p + 1, "-ims") > 0 && strchr (":)", p[1 + strspn (p + 1, "-ims")])
                   && !lit_option_widens (p + 1, rd->caseless))
            {
              /* Options that change nothing the reading relies on: (?m) and (?s) touch
                 only ^, $ and '.', which say nothing here anyway; (?-i: asks for one case
                 where the reading, caseless, already allows both. */
              p += 1 + strspn (p + 1, "-ims");
              if (*p == ')')
                {
                  rd->p = p + 1;
                  return LIT_ZERO_WIDTH;
                }
              p++;
            }
          else if (p[1] == '=')
            {
              kind = LIT_LOOKAHEAD;
              p += 2;
            }
          else if (p[1] == '!' || (p[1] == '<' && (p[2] == '=' || p[2] == '!')))
            {
              if (!(rd->p = skip_group (rd->p)))
                rd->fail = true;
              return LIT_ZERO_WIDTH;
            }
          else if (p[1] == '<' || p[1] == '\'' || (p[1] == 'P' && p[2] == '<'))
            {
              /* A named group: skip the name. */
              p += p[1] == 'P' ? 3 : 2;
              while (lit_is_alnum (*p) || *p == '_')
                p++;
              if (*p != '>' && *p != '\'')
                {
                  rd->fail = true;
                  return kind;
                }
              p++;
            }
          else
            {
              rd->fail = true;  /* options, conditions, calls, comments */
              return kind;
            }
        }
      else if (*p == '*')
        {
          rd->fail = true;      /* a verb */
          return kind;
        }
      rd->p = p;
      lit_alternation (rd, depth + 1, atom);
      if (!rd->fail && *rd->p != ')')
        rd->fail = true;
      if (!rd->fail)
        rd->p++;
      return kind;
    }
  if (c == '[')
    {
      lit_class (rd, atom);
      return LIT_CONSUMING;
    }
  if (c == '^' || c == '$')
    {
      rd->p++;
      return LIT_ZERO_WIDTH;
    }
  if (c == '.')
    {
      rd->p++;
      return LIT_CONSUMING;
    }
  if (c == '*' || c == '+' || c == '?' || c == '{')
    {
      rd->fail = true;
      return LIT_CONSUMING;
    }
  if (c == '\\')
    {
      unsigned char d = p[1];
      int b = lit_escape_byte (rd, p);
      if (b >= 0 || (d >= 0x20 && d < 0x7f && !lit_is_alnum (d)))
        {
          /* A fixed character: a known byte, or a letter caseless matching may widen. */
          rd->p += 2;
          if (b >= 0)
            {
              char ch = (char) b;
              atom->exact = true;
              lit_set_add (&atom->set, &ch, 1);
            }
          return LIT_CONSUMING;
        }
      if (d && strchr ("bBAzZGK", d))
        {
          rd->p += 2;
          return LIT_ZERO_WIDTH;
        }
      if (d && strchr ("dDwWsShHvVRX", d))
        {
          rd->p += 2;
          return LIT_CONSUMING;
        }
      if ((d == 'p' || d == 'P') && p[2] == '{')
        {
          const char *e = strchr (p + 3, '}');
          if (!e)
            rd->fail = true;
          else
            rd->p = e + 1;
          return LIT_CONSUMING;
        }
      if ((d == 'p' || d == 'P') && ((p[2] >= 'A' && p[2] <= 'Z') || (p[2] >= 'a' && p[2] <= 'z')))
        {
          rd->p += 3;
          return LIT_CONSUMING;
        }
      rd->fail = true;          /* back references, code points, \Q...\E and the rest */
      return LIT_CONSUMING;
    }
  /* One character, however many bytes. */
  rd->p++;
  while ((*rd->p & 0xC0) == 0x80)
    rd->p++;
  int b = lit_byte (rd, c);
  if (b >= 0)
    {
      char ch = (char) b;
      atom->exact = true;
      lit_set_add (&atom->set, &ch, 1);
    }
  else if (c >= 0x80 && !rd->caseless)
    {
      atom->exact = true;
      lit_set_add (&atom->set, p, (size_t) (rd->p - p));
    }
  return LIT_CONSUMING;
}

/* Parse a quantifier at RD->p, if any, into its minimum *MIN and whether its maximum is 1;
   without one, both are 1.  Fail on any form this reading does not know for sure. */
static void
lit_quantifier (struct lit_reader *rd, long *min, bool *max_one)
{
  const char *p = rd->p;
  *min = 1;
  *max_one = true;
  if (*p == '?' || *p == '*' || *p == '+')
    {
      *min = *p == '+';
      *max_one = *p == '?';
      p++;
    }
  else if (*p == '{')
    {
      const char *q = p + 1;
      if (!(*q >= '0' && *q <= '9'))
        {
          rd->fail = true;
          return;
        }
      long lo = 0, hi;
      while (*q >= '0' && *q <= '9' && lo < 100000)
        lo = lo * 10 + (*q++ - '0');
      hi = lo;
      if (*q == ',')
        {
          q++;
          hi = *q >= '0' && *q <= '9' ? 0 : 2;     /* {n,}: unbounded */
          while (*q >= '0' && *q <= '9' && hi < 100000)
            hi = hi * 10 + (*q++ - '0');
        }
      if (*q != '}')
        {
          rd->fail = true;
          return;
        }
      *min = lo;
      *max_one = hi <= 1;
      p = q + 1;
    }
  else
    return;
  if (*p == '+' || *p == '?')
    p++;                        /* possessive or lazy */
  if (*p == '?' || *p == '*' || *p == '+' || *p == '{')
    rd->fail = true;
  rd->p = p;
}

/* Is C a byte of the pattern's syntax, not a plain character (or the end)? */
static inline bool
lit_special (unsigned char c)
{
  switch (c)
    {
    case '\0': case '\\': case '^': case '$': case '.': case '|': case '?': case '*': case '+':
    case '(': case ')': case '[': case '{':
      return true;
    default:
      return false;
    }
}

/* Does C start a quantifier (or is it the end of the pattern)? */
static inline bool
lit_quantifies (unsigned char c)
{
  return c == '\0' || c == '?' || c == '*' || c == '+' || c == '{';
}

/* Read a sequence of atoms (up to '|', ')' or the end) into OUT. */
static void
lit_sequence (struct lit_reader *rd, int depth, struct lit_info *out)
{
  /* RUN: what the atoms since the last break match, one after another.  A break ends it: a
     run is a set OUT's gate needs, and the first one's is OUT's prefix. */
  struct lit_set run, joined;
  lit_set_empty_string (&run);
  lit_info_unknown (out);
  bool exact = true;
  while (!rd->fail && *rd->p && *rd->p != '|' && *rd->p != ')')
    {
      /* Most of a pattern is plain characters: append them to the run directly. */
      unsigned char c = *rd->p;
      int b = lit_byte (rd, c);
      if (b >= 0 && !lit_special (c) && !lit_quantifies (rd->p[1]) && run.n)
        {
          bool room = true;
          for (unsigned k = 0; k < run.n && room; k++)
            room = run.len[k] < LIT_LEN;
          if (room)
            {
              for (unsigned k = 0; k < run.n; k++)
                run.s[k][run.len[k]++] = (char) b;
              rd->p++;
              continue;
            }
        }
      struct lit_info atom;
      enum lit_kind kind = lit_atom (rd, depth, &atom);
      long min = 1;
      bool max_one = true;
      if (!rd->fail)
        lit_quantifier (rd, &min, &max_one);
      if (rd->fail)
        return;
      if (atom.exact)
        lit_info_from_exact (rd, &atom);
      if (kind == LIT_ZERO_WIDTH || (kind == LIT_LOOKAHEAD && min == 0))
        continue;               /* the text on either side is still one piece */
      const struct lit_set *ended;      /* the run as far as it is known at a break */
      if (kind == LIT_LOOKAHEAD || (min >= 1 && !atom.exact))
        {
          /* What the atom's text starts with directly follows the run; what comes after the
             atom starts a new run (after a lookahead, where the lookahead started). */
          ended = lit_set_product (&run, &atom.prefix, &joined) ? &joined : &run;
          gate_need (rd, &out->gate, &run);
          gate_join (rd, &out->gate, atom.gate, GATE_AND);
          gate_need (rd, &out->gate, ended);
          if (exact)
            out->prefix = *ended;
          lit_set_empty_string (&run);
          exact = false;
          continue;
        }
      if (min == 0)
        {
          struct lit_set optional = atom.set;
          if (atom.exact && max_one && lit_set_add (&optional, "", 0)
              && lit_set_product (&run, &optional, &joined))
            {
              run = joined;
              continue;
            }
          gate_need (rd, &out->gate, &run);
          if (exact)
            out->prefix = run;
          lit_set_empty_string (&run);
          exact = false;
          continue;
        }
      bool fits = lit_set_product (&run, &atom.set, &joined);
      if (min == 1 && max_one && fits)
        {
          run = joined;
          continue;
        }
      /* Repeated (or too much to join): the run ends with the first copy; the last copy
         starts a new run. */
      ended = fits ? &joined : &run;
      gate_need (rd, &out->gate, ended);
      if (exact)
        out->prefix = *ended;
      run = atom.set;
      exact = false;
    }
  if (exact)
    {
      out->set = run;
      lit_info_from_exact (rd, out);
      return;
    }
  gate_need (rd, &out->gate, &run);
}

/* Read alternatives (up to ')' or the end) into OUT. */
static void
lit_alternation (struct lit_reader *rd, int depth, struct lit_info *out)
{
  lit_sequence (rd, depth, out);
  while (!rd->fail && *rd->p == '|')
    {
      rd->p++;
      struct lit_info alt;
      lit_sequence (rd, depth, &alt);
      if (rd->fail)
        return;
      if (out->exact && alt.exact && lit_set_union (&out->set, &alt.set))
        {
          lit_info_from_exact (rd, out);
          continue;
        }
      /* A match satisfies one alternative's gate or the other's. */
      out->exact = false;
      lit_prefix_union (&out->prefix, &alt.prefix, rd->plain);
      gate_join (rd, &out->gate, alt.gate, GATE_OR);
    }
}

/* ---- The gate, as the prefilter keeps it ----

   The reading's tree is made smaller before it is kept: an AND keeps the GATE_AND_MAX kids
   least likely to hold, most unlikely first (dropping a kid of an AND only weakens the
   claim); an OR with a kid that says nothing says nothing; nested ANDs and ORs are flattened
   and an OR's leaves merged into one.  NODE[0] is the root; an AND's or OR's kids are
   KID[at .. at + n), a leaf's strings are STR[at .. at + n).  Each string carries the bits
   of up to GATE_PAIRS of its byte pairs in a sentence's signature (sentence_sig), so that
   most strings a sentence lacks cost a load or two. */
enum
{
  GATE_AND_MAX = 4,
  GATE_PAIRS = 6,
  GATE_MAX_NODES = 1024,
  GATE_MAX_KIDS = 2048,
  GATE_MAX_STRS = 4096,
  GATE_MAX_BYTES = 32768,
};

struct gate_node
{
  unsigned char kind;           /* enum gate_kind */
  uint16_t n;
  uint16_t at;
};

struct gate_str
{
  uint16_t off;                 /* its bytes in rule_gate.bytes */
  unsigned char len, npair;
  uint16_t pair[GATE_PAIRS];
};

struct rule_gate
{
  struct gate_node *node;
  uint16_t *kid;
  struct gate_str *str;
  unsigned char *bytes;
  char data[];
};

/* What gate_implies found for a pair of nodes: the deepest call that said yes and the
   shallowest that said no (see gate_implies). */
struct implies_memo
{
  int16_t a, b;                 /* the pair, -1: an empty slot */
  signed char yes_at, no_at;    /* depths, -1 and IMPLIES_DEPTH + 1: none yet */
};

enum
{
  IMPLIES_DEPTH = 8,            /* gate_implies follows nodes this deep, then says no */
  IMPLIES_MEMO = 4096,          /* slots of gate_out.memo, a power of two */
};

/* The gate being made from a reading's tree. */
struct gate_out
{
  struct gate_node node[GATE_MAX_NODES];
  uint16_t kid[GATE_MAX_KIDS];
  struct gate_str str[GATE_MAX_STRS];
  unsigned char bytes[GATE_MAX_BYTES];
  size_t nnode, nkid, nstr, nbytes;
  size_t max_leaf;              /* strings one leaf may have */
  bool full;                    /* something did not fit: keep no gate */
  bool plain;                   /* the slow, obvious way, for tests (rules_literals_describe) */
  struct implies_memo *memo;    /* IMPLIES_MEMO of them; they change as the gate is made */
  /* Per leaf node: bit B & 63 for each byte B that every one of its strings has (see
     gate_implies_walk). */
  uint64_t common[GATE_MAX_NODES];
};

static unsigned sig_bit (unsigned char a, unsigned char b);

/* A guess at how likely a sentence is to contain a string of LEN bytes, BYTE_80 if it has a
   byte outside ASCII the pattern asks for (LONG S and the like): only used to order and prune
   the kids of an AND, so it need not be good, only better than nothing. */
static double
gate_string_odds (size_t len, bool byte_80)
{
  static const double by_len[] = { 1, 1, 0.5, 0.25, 0.12, 0.07, 0.05 };
  double p = len < sizeof by_len / sizeof *by_len ? by_len[len] : 0.03;
  return byte_80 ? p / 8 : p;
}

/* A reduced node and its odds; NODE -1 says nothing (always true). */
struct gate_made
{
  int node;
  double odds;
};

/* Bit B & 63 for each byte B of string X of O. */
static uint64_t
gate_str_bytes (const struct gate_out *o, const struct gate_str *x)
{
  uint64_t bits = 0;
  for (size_t k = 0; k < x->len; k++)
    bits |= UINT64_C (1) << (o->bytes[x->off + k] & 63);
  return bits;
}

static int
gate_add_node (struct gate_out *o, enum gate_kind kind, size_t n, size_t at)
{
  if (o->nnode == GATE_MAX_NODES)
    {
      o->full = true;
      return -1;
    }
  o->node[o->nnode] = (struct gate_node) { (unsigned char) kind, (uint16_t) n, (uint16_t) at };
  uint64_t common = ~UINT64_C (0);
  for (size_t k = 0; kind == GATE_LEAF && k < n; k++)
    common &= gate_str_bytes (o, &o->str[at + k]);
  o->common[o->nnode] = common;
  return (int) o->nnode++;
}

static bool
gate_add_string (struct gate_out *o, const char *s, size_t len)
{
  if (o->nstr == GATE_MAX_STRS || o->nbytes + len > GATE_MAX_BYTES || len < 2)
    {
      o->full = true;
      return false;
    }
  struct gate_str *g = &o->str[o->nstr++];
  g->off = (uint16_t) o->nbytes;
  g->len = (unsigned char) len;
  memcpy (o->bytes + o->nbytes, s, len);
  o->nbytes += len;
  /* Pairs spread over the string; the signature is of lower-cased text. */
  size_t pairs = len - 1;
  g->npair = (unsigned char) (pairs < GATE_PAIRS ? pairs : GATE_PAIRS);
  for (size_t k = 0; k < g->npair; k++)
    {
      size_t at = g->npair == pairs ? k : k * (pairs - 1) / (GATE_PAIRS - 1);
      unsigned char a = (unsigned char) s[at], b = (unsigned char) s[at + 1];
      a = a >= 'A' && a <= 'Z' ? (unsigned char) (a - 'A' + 'a') : a;
      b = b >= 'A' && b <= 'Z' ? (unsigned char) (b - 'A' + 'a') : b;
      g->pair[k] = (uint16_t) sig_bit (a, b);
    }
  return true;
}

static int
gate_odds_compare (const void *a, const void *b)
{
  const struct gate_made *x = a, *y = b;
  return x->odds < y->odds ? -1 : x->odds > y->odds;
}

/* Does string X of O contain string Y?  The strings are short (LIT_LEN bytes at most) and
   mostly differ in their first bytes, where memmem's setup costs more than the whole search:
   the reading of the longest patterns asks this some ten thousand times.  PLAIN asks memmem. */
static bool
gate_str_in (const struct gate_out *o, const struct gate_str *x, const struct gate_str *y)
{
  if (y->len > x->len)
    return false;
  const unsigned char *hay = o->bytes + x->off, *needle = o->bytes + y->off;
  if (o->plain)
    return memmem (hay, x->len, needle, y->len) != NULL;
  if (y->len == 0)
    return true;
  for (size_t at = 0; at + y->len <= x->len; at++)
    if (hay[at] == needle[0] && memcmp (hay + at + 1, needle + 1, y->len - 1u) == 0)
      return true;
  return false;
}

/* Drop from the leaf strings O->str[AT .. AT + N) each that contains another of them (or
   repeats an earlier one): a text with it has the other too, so the leaf says the same
   without it.  Return how many are left. */
static size_t
gate_leaf_trim (struct gate_out *o, size_t at, size_t n)
{
  bool drop[GATE_MAX_STRS];
  for (size_t i = 0; i < n; i++)
    {
      drop[i] = false;
      for (size_t j = 0; j < n && !drop[i]; j++)
        drop[i] = j != i && (o->str[at + j].len < o->str[at + i].len || j < i)
          && gate_str_in (o, &o->str[at + i], &o->str[at + j]);
    }
  size_t kept = 0;
  for (size_t i = 0; i < n; i++)
    if (!drop[i])
      o->str[at + kept++] = o->str[at + i];
  return kept;
}

static bool gate_implies (const struct gate_out *o, int a, int b, int depth);

/* gate_implies without its memo. */
static bool
gate_implies_walk (const struct gate_out *o, int a, int b, int depth)
{
  const struct gate_node *na = &o->node[a], *nb = &o->node[b];
  if (na->kind == GATE_LEAF && nb->kind == GATE_LEAF)
    {
      /* Each string of A contains one of B's.  Each of B's has the bytes all of B's have, so
         a string of A that lacks one of those contains none of them: most pairs of leaves
         are told apart by their bytes alone. */
      if (!o->plain && (o->common[b] & ~o->common[a]))
        return false;
      for (size_t i = 0; i < na->n; i++)
        {
          bool found = false;
          for (size_t j = 0; j < nb->n && !found; j++)
            found = gate_str_in (o, &o->str[na->at + i], &o->str[nb->at + j]);
          if (!found)
            return false;
        }
      return true;
    }
  if (na->kind == GATE_AND)
    for (size_t k = 0; k < na->n; k++)
      if (gate_implies (o, o->kid[na->at + k], b, depth + 1))
        return true;
  if (nb->kind == GATE_OR)
    for (size_t k = 0; k < nb->n; k++)
      if (gate_implies (o, a, o->kid[nb->at + k], depth + 1))
        return true;
  if (na->kind == GATE_OR)
    {
      size_t k = 0;
      while (k < na->n && gate_implies (o, o->kid[na->at + k], b, depth + 1))
        k++;
      if (k == na->n)
        return true;
    }
  if (nb->kind == GATE_AND)
    {
      size_t k = 0;
      while (k < nb->n && gate_implies (o, a, o->kid[nb->at + k], depth + 1))
        k++;
      if (k == nb->n)
        return true;
    }
  return false;
}

/* Does every text that satisfies node A of O satisfy node B?  False when unsure, and when
   that is IMPLIES_DEPTH nodes down.  An OR of twenty alternatives, each an AND, asks this of
   every pair of its kids, and each pair asks it again of their kids: the same pairs come up
   again and again, often at the depth limit.  A node never changes once made, so what a
   pair gave is remembered; as a call with more depth left can only say yes more often (every
   answer is an AND or OR of deeper ones), a yes holds at every shallower depth and a no at
   every deeper one, and the memo gives exactly what the walk (PLAIN) would. */
static bool
gate_implies (const struct gate_out *o, int a, int b, int depth)
{
  if (depth > IMPLIES_DEPTH)
    return false;
  if (o->plain || !o->memo)
    return gate_implies_walk (o, a, b, depth);
  uint32_t key = (uint32_t) a * GATE_MAX_NODES + (uint32_t) b;
  struct implies_memo *m = &o->memo[(key * UINT32_C (2654435761)) >> 20 & (IMPLIES_MEMO - 1)];
  bool known = m->a == a && m->b == b;
  if (known && depth <= m->yes_at)
    return true;
  if (known && depth >= m->no_at)
    return false;
  bool yes = gate_implies_walk (o, a, b, depth);
  if (!(m->a == a && m->b == b))
    *m = (struct implies_memo) { (int16_t) a, (int16_t) b, -1, IMPLIES_DEPTH + 1 };
  if (yes && depth > m->yes_at)
    m->yes_at = (signed char) depth;
  if (!yes && depth < m->no_at)
    m->no_at = (signed char) depth;
  return yes;
}

/* Drop from the kids MADE[0 .. *N) of an AND (OR false) those another kid implies, or of an
   OR (OR true) those that imply another: either way the node says the same without them. */
static void
gate_absorb (const struct gate_out *o, struct gate_made *made, size_t *n, bool or)
{
  bool drop[64];
  for (size_t i = 0; i < *n; i++)
    {
      drop[i] = false;
      for (size_t j = 0; j < *n && !drop[i]; j++)
        if (j != i && !(j < i && drop[j]))
          drop[i] = or ? gate_implies (o, made[i].node, made[j].node, 0)
            : gate_implies (o, made[j].node, made[i].node, 0);
    }
  size_t kept = 0;
  for (size_t i = 0; i < *n; i++)
    if (!drop[i])
      made[kept++] = made[i];
  *n = kept;
}

/* Reduce the reading's node T (of the NODES) into O. */
static struct gate_made
gate_reduce (const struct gate_tmp *nodes, int t, struct gate_out *o, int depth)
{
  struct gate_made none = { -1, 1 };
  if (t < 0 || depth > LIT_DEPTH * 2 || o->full)
    return none;
  const struct gate_tmp *g = &nodes[t];
  if (g->kind == GATE_LEAF)
    {
      size_t at = o->nstr;
      double odds = 0;
      if (g->set.n > o->max_leaf)
        return none;
      for (unsigned k = 0; k < g->set.n; k++)
        {
          bool byte_80 = false;
          for (unsigned j = 0; j < g->set.len[k]; j++)
            byte_80 |= (unsigned char) g->set.s[k][j] >= 0x80;
          odds += gate_string_odds (g->set.len[k], byte_80);
          if (!gate_add_string (o, g->set.s[k], g->set.len[k]))
            return none;
        }
      int n = gate_add_node (o, GATE_LEAF, gate_leaf_trim (o, at, g->set.n), at);
      return (struct gate_made) { n, odds < 1 ? odds : 1 };
    }
  enum { MAX_MADE = 64 };       /* gate_absorb's room */
  struct gate_made made[MAX_MADE];
  size_t nmade = 0;
  for (int c = g->first; c >= 0; c = nodes[c].next)
    {
      struct gate_made m = gate_reduce (nodes, c, o, depth + 1);
      if (o->full)
        return none;
      if (m.node < 0)
        {
          if (g->kind == GATE_OR)
            return none;
          continue;
        }
      /* A kid of the same kind: take its kids instead. */
      const struct gate_node *mn = &o->node[m.node];
      if (mn->kind == g->kind)
        for (size_t k = 0; k < mn->n; k++)
          {
            if (nmade == MAX_MADE)
              {
                if (g->kind == GATE_OR)
                  return none;
                break;
              }
            int kid = o->kid[mn->at + k];
            made[nmade++] = (struct gate_made) { kid, m.odds };
          }
      else if (nmade < MAX_MADE)
        made[nmade++] = m;
      else if (g->kind == GATE_OR)
        return none;
    }
  if (nmade == 0)
    return none;
  gate_absorb (o, made, &nmade, g->kind == GATE_OR);
  double odds;
  if (g->kind == GATE_AND)
    {
      qsort (made, nmade, sizeof *made, gate_odds_compare);
      if (nmade > GATE_AND_MAX)
        nmade = GATE_AND_MAX;
      odds = made[0].odds;
    }
  else
    {
      /* One leaf for all of the OR's leaves. */
      size_t leaves = 0, at = o->nstr, kept = 0;
      odds = 0;
      for (size_t k = 0; k < nmade; k++)
        {
          odds += made[k].odds;
          const struct gate_node *mn = &o->node[made[k].node];
          if (mn->kind != GATE_LEAF)
            {
              made[kept++] = made[k];
              continue;
            }
          for (size_t j = 0; j < mn->n; j++)
            {
              if (o->nstr == GATE_MAX_STRS)
                {
                  o->full = true;
                  return none;
                }
              o->str[o->nstr++] = o->str[mn->at + j];
            }
          leaves += mn->n;
        }
      if (leaves)
        {
          if (leaves > o->max_leaf)
            return none;
          leaves = gate_leaf_trim (o, at, leaves);
          made[kept++] = (struct gate_made) { gate_add_node (o, GATE_LEAF, leaves, at), odds };
        }
      nmade = kept;
      if (odds > 1)
        odds = 1;
    }
  if (nmade == 1)
    return (struct gate_made) { made[0].node, odds };
  if (o->nkid + nmade > GATE_MAX_KIDS)
    {
      o->full = true;
      return none;
    }
  size_t at = o->nkid;
  for (size_t k = 0; k < nmade; k++)
    o->kid[o->nkid++] = (uint16_t) made[k].node;
  int n = gate_add_node (o, (enum gate_kind) g->kind, nmade, at);
  return (struct gate_made) { n, odds };
}

/* The gate to keep for the reading's node ROOT of NODES, with at most MAX_LEAF strings in a
   leaf, or NULL if it says nothing (or on ENOMEM: then the rule simply always runs). */
static struct rule_gate *
gate_make (const struct gate_tmp *nodes, int root, size_t max_leaf, bool plain)
{
  struct gate_out *o = malloc (sizeof *o);
  if (!o)
    return NULL;
  o->nnode = o->nkid = o->nstr = o->nbytes = 0;
  o->max_leaf = max_leaf;
  o->full = false;
  o->plain = plain;
  /* Without room for the memo, gate_implies only takes longer. */
  o->memo = plain ? NULL : malloc (IMPLIES_MEMO * sizeof *o->memo);
  for (size_t k = 0; o->memo && k < IMPLIES_MEMO; k++)
    o->memo[k].a = o->memo[k].b = -1;
  /* NODE[0] is the root: reserve it, and move the root there at the end. */
  gate_add_node (o, GATE_LEAF, 0, 0);
  struct gate_made m = gate_reduce (nodes, root, o, 0);
  struct rule_gate *g = NULL;
  if (m.node >= 0 && !o->full)
    {
      o->node[0] = o->node[m.node];
      /* One block: the strings first, then the nodes, kids and bytes, each kind aligned for
         itself as it follows a larger one. */
      size_t strs_size = o->nstr * sizeof *o->str, nodes_size = o->nnode * sizeof *o->node;
      size_t kids_size = o->nkid * sizeof *o->kid;
      g = malloc (sizeof *g + strs_size + nodes_size + kids_size + o->nbytes);
      if (g)
        {
          char *d = (char *) (g + 1);
          g->str = (struct gate_str *) (void *) d;
          g->node = (struct gate_node *) (void *) (d + strs_size);
          g->kid = (uint16_t *) (void *) (d + strs_size + nodes_size);
          g->bytes = (unsigned char *) d + strs_size + nodes_size + kids_size;
          memcpy (g->str, o->str, strs_size);
          memcpy (g->node, o->node, nodes_size);
          memcpy (g->kid, o->kid, kids_size);
          memcpy (g->bytes, o->bytes, o->nbytes);
        }
    }
  free (o->memo);
  free (o);
  return g;
}

/* Does any string of the gate G have an ASCII letter in it? */
static bool
gate_has_letters (const struct rule_gate *g, size_t n)
{
  const struct gate_node *node = &g->node[n];
  if (node->kind != GATE_LEAF)
    {
      for (size_t k = 0; k < node->n; k++)
        if (gate_has_letters (g, g->kid[node->at + k]))
          return true;
      return false;
    }
  for (size_t j = 0; j < node->n; j++)
    {
      const struct gate_str *x = &g->str[node->at + j];
      for (size_t b = 0; b < x->len; b++)
        if (g->bytes[x->off + b] >= 'a' && g->bytes[x->off + b] <= 'z')
          return true;
    }
  return false;
}

/* Set LIT's start strings from PREFIX, what the subject begins with where a match of PATTERN
   (CASELESS or not) starts, if they are worth looking for: each of them long or with a byte
   that is not a letter or digit ("[", "-fir"), and with few distinct first bytes.  A pattern
   with \G is left alone: \G matches where the search starts, so starting later would change
   what it finds. */
static void
pattern_starts (const char *pattern, const struct lit_set *prefix, bool caseless,
                struct rule_literals *lit)
{
  if (!prefix->n || strstr (pattern, "\\G"))
    return;
  struct lit_set first = { 0 };
  for (unsigned k = 0; k < prefix->n; k++)
    {
      size_t len = prefix->len[k];
      const char *str = prefix->s[k];
      bool rare = len >= 3;
      for (size_t j = 0; j < len && !rare; j++)
        rare = !lit_is_alnum ((unsigned char) str[j]);
      if (!rare)
        return;
      unsigned char c = (unsigned char) str[0];
      char both[2] = { (char) c, (char) c };
      if (caseless && c >= 'a' && c <= 'z')
        both[1] = (char) (c - 'a' + 'A');
      if (!lit_set_add (&first, &both[0], 1) || !lit_set_add (&first, &both[1], 1)
          || first.n > sizeof lit->first)
        return;
    }
  for (unsigned f = 0; f < first.n; f++)
    {
      unsigned char c = (unsigned char) first.s[f][0];
      if (caseless && c >= 'A' && c <= 'Z')
        c = (unsigned char) (c - 'A' + 'a');
      lit->first[f] = (unsigned char) first.s[f][0];
      lit->first_of[f] = 0;
      for (unsigned k = 0; k < prefix->n; k++)
        if ((unsigned char) prefix->s[k][0] == c)
          lit->first_of[f] |= (uint16_t) (1u << k);
    }
  lit->nfirst = first.n;
  /* For next_start: the first bytes of strings of one byte, and every string's second byte,
     in both cases if caseless. */
  memset (lit->open, 0, sizeof lit->open);
  memset (lit->second, 0, sizeof lit->second);
  for (unsigned k = 0; k < prefix->n; k++)
    {
      bool one = prefix->len[k] == 1;
      unsigned char b = (unsigned char) prefix->s[k][one ? 0 : 1];
      uint64_t *set = one ? lit->open : lit->second;
      set[b / 64] |= UINT64_C (1) << (b % 64);
      if (caseless && b >= 'a' && b <= 'z')
        {
          b = (unsigned char) (b - 'a' + 'A');
          set[b / 64] |= UINT64_C (1) << (b % 64);
        }
    }
  lit->start = *prefix;
  lit->start_caseless = caseless;
  lit->starts = true;
  /* A backtracking verb such as (*COMMIT) can end a search at one start for all the later
     ones, which an anchored try at each start would not (see anchored_code). */
  lit->no_anchored = strstr (pattern, "(*") != NULL;
}

/* Find what every match of PATTERN (compiled with FLAGS) contains, for the literal prefilter,
   and where it may start; LIT->gate is NULL if nothing could be proven.  PLAIN: the slow,
   obvious way, which gives the same (for tests). */
static void
pattern_literals (const char *pattern, unsigned flags, size_t max_leaf, bool plain,
                  struct rule_literals *lit)
{
  memset (lit, 0, sizeof *lit);
  unsigned understood = PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MULTILINE | PCRE2_DOTALL;
  if (flags & ~understood)
    return;
  struct lit_reader rd = { .p = pattern, .caseless = (flags & PCRE2_CASELESS) != 0,
                           .plain = plain };
  /* Without room for the tree, the start strings are still read. */
  rd.node = malloc (GATE_TMP_NODES * sizeof *rd.node);
  struct lit_info info;
  lit_alternation (&rd, 0, &info);
  if (!rd.fail && !*rd.p)       /* else unknown syntax or a stray ')' */
    {
      if (rd.node)
        lit->gate = gate_make (rd.node, info.gate, max_leaf, plain);
      pattern_starts (pattern, &info.prefix, rd.caseless, lit);
      /* Strings without letters are the same in the body and its lower-cased copy: search
         the body, which needs no copy. */
      lit->caseless = rd.caseless && lit->gate && gate_has_letters (lit->gate, 0);
      lit->no_signs = rd.signs;
    }
  free (rd.node);
}

/* Add trigger WORD of rule I to IX (whose table has room). */
static int
index_add (struct rules_index *ix, const char *word, size_t i)
{
  size_t len = strlen (word);
  bool prefix = len > 0 && word[len - 1] == '*';
  if (prefix)
    len--;
  if (len == 0)
    {
      ix->every_word[i / 64] |= UINT64_C (1) << (i % 64);
      ix->every_word_any = true;
      return 0;
    }
  uint64_t h = fnv_start ();
  for (size_t k = 0; k < len; k++)
    h = fnv_step (h, (unsigned char) word[k]);
  uint64_t th = trigger_hash (h, prefix);
  size_t at = th & (ix->nslots - 1);
  struct trigger_slot *s = NULL;
  for (; ix->slot[at] && !s; at = (at + 1) & (ix->nslots - 1))
    {
      struct trigger_slot *e = &ix->entry[ix->slot[at] - 1];
      if (e->len == len && e->prefix == prefix && memcmp (e->word, word, len) == 0)
        s = e;
    }
  if (!s)
    {
      s = &ix->entry[ix->nentries++];
      ix->slot[at] = (uint32_t) ix->nentries;
      size_t f = filter_bit (ix, th);
      ix->filter[f / 64] |= UINT64_C (1) << (f % 64);
      s->word = word;
      s->hash = (uint32_t) (th >> 32);
      s->len = (uint32_t) len;
      s->prefix = prefix;
      s->bits = (uint32_t) ix->nbits;
      ix->nbits += ix->words;
      if (prefix && len < HEAD_FILTER_BYTES)
        {
          size_t b = head_filter_bit (head_of (word, len, len), SHORT_FILTER_LOG2);
          ix->short_filter[b / 64] |= UINT64_C (1) << (b % 64);
          ix->short_lens |= 1u << len;
        }
      else
        {
          size_t b = head_filter_bit (head_of (word, len, HEAD_FILTER_BYTES), HEAD_FILTER_LOG2);
          ix->head_filter[b / 64] |= UINT64_C (1) << (b % 64);
        }
      if (prefix)
        {
          if (len > ix->max_prefix)
            {
              size_t old = ix->prefix_len ? ix->max_prefix + 1 : 0;
              bool *nl = realloc (ix->prefix_len, (len + 1) * sizeof *nl);
              if (!nl)
                return -1;
              memset (nl + old, 0, (len + 1 - old) * sizeof *nl);
              ix->prefix_len = nl;
              ix->max_prefix = len;
            }
          ix->prefix_len[len] = true;
        }
    }
  ix->bits[s->bits + i / 64] |= UINT64_C (1) << (i % 64);
  return 0;
}

/* The language code of a rule's lang key: 0 any (or none), 1 de, 2 en. */
static unsigned char
rule_lang_code (const char *lang)
{
  if (!lang || strcmp (lang, "any") == 0)
    return 0;
  return strcmp (lang, "de") == 0 ? 1 : 2;
}

static struct rules_index *
index_build (const struct ruleset *rs)
{
  struct rules_index *ix = calloc (1, sizeof *ix);
  if (!ix)
    return NULL;
  ix->nrules = rs->n;
  ix->words = rs->n / 64 + 1;
  size_t ntriggers = 0;
  for (size_t i = 0; i < rs->n; i++)
    ntriggers += rs->v[i].ntrigger;
  if ((ntriggers + 1) * ix->words >= UINT32_MAX)
    {
      rules_index_free (ix);          /* trigger_slot.bits could not say where its bitmap is */
      return NULL;
    }
  ix->nslots = 16;
  while (ix->nslots < 2 * ntriggers + 2)
    ix->nslots *= 2;
  ix->slot = calloc (ix->nslots, sizeof *ix->slot);
  ix->entry = malloc ((ntriggers + 1) * sizeof *ix->entry);
  ix->filter = calloc (FILTER_BITS_PER_SLOT * ix->nslots / 64, sizeof *ix->filter);
  ix->bits = calloc ((ntriggers + 1) * ix->words, sizeof *ix->bits);
  ix->every_word = calloc (ix->words, sizeof *ix->every_word);
  ix->need = calloc (rs->n + 1, sizeof *ix->need);
  ix->jit_tried = calloc (rs->n + 1, 1);
  ix->lit = malloc ((rs->n + 1) * sizeof *ix->lit);
  ix->lit_use = calloc (rs->n + 1, sizeof *ix->lit_use);
  ix->lang = calloc (rs->n + 1, 1);
  ix->tool = calloc (rs->n + 1, sizeof *ix->tool);
  ix->tools = calloc (rs->n + 1, sizeof *ix->tools);
  if (!ix->slot || !ix->entry || !ix->filter || !ix->bits || !ix->every_word || !ix->need || !ix->jit_tried
      || !ix->lit || !ix->lit_use || !ix->lang || !ix->tool || !ix->tools)
    {
      rules_index_free (ix);
      return NULL;
    }
  ix->ntools = 1;               /* tools[0]: no tool */
  for (size_t i = 0; i < rs->n; i++)
    {
      const struct rule *r = &rs->v[i];
      ix->lang[i] = rule_lang_code (r->lang);
      if (!r->tool)
        continue;
      size_t k = 1;
      while (k < ix->ntools && strcmp (ix->tools[k], r->tool) != 0)
        k++;
      if (k == ix->ntools)
        ix->tools[ix->ntools++] = r->tool;
      ix->tool[i] = k;
    }
  ix->tool_rules = malloc ((rs->n + 1) * sizeof *ix->tool_rules);
  ix->tool_at = calloc (ix->ntools + 2, sizeof *ix->tool_at);
  ix->tool_always = calloc ((ix->ntools + 1) * ix->words, sizeof *ix->tool_always);
  ix->tool_triggered = calloc ((ix->ntools + 1) * ix->words, sizeof *ix->tool_triggered);
  if (!ix->tool_rules || !ix->tool_at || !ix->tool_always || !ix->tool_triggered
      || rs->n >= UINT32_MAX)
    {
      rules_index_free (ix);
      return NULL;
    }
  for (size_t i = 0; i < rs->n; i++)
    if (rs->v[i].pattern)
      {
        ix->tool_at[ix->tool[i] + 1]++;
        bool always = rs->v[i].scope == SCOPE_SUBJECT || rs->v[i].ntrigger == 0;
        uint64_t *bits = always ? ix->tool_always : ix->tool_triggered;
        bits[ix->tool[i] * ix->words + i / 64] |= UINT64_C (1) << (i % 64);
      }
  for (size_t k = 0; k <= ix->ntools; k++)
    ix->tool_at[k + 1] += ix->tool_at[k];
  {
    size_t *fill = calloc (ix->ntools + 1, sizeof *fill);
    if (!fill)
      {
        rules_index_free (ix);
        return NULL;
      }
    for (size_t i = 0; i < rs->n; i++)
      if (rs->v[i].pattern)
        ix->tool_rules[ix->tool_at[ix->tool[i]] + fill[ix->tool[i]]++] = (uint32_t) i;
    free (fill);
  }
  for (size_t i = 0; i < rs->n; i++)
    {
      const struct rule *r = &rs->v[i];
      for (size_t k = 0; k < r->ntrigger; k++)
        if (index_add (ix, r->trigger[k], i) < 0)
          {
            rules_index_free (ix);
            return NULL;
          }
      if (r->pattern && r->ntrigger == 0)
        pattern_needs (r->pattern, r->pattern_flags, &ix->need[i]);
    }
  return ix;
}

/* One match of a pattern in a sentence, relative to its start. */
struct logged_match
{
  uint32_t start, end;
};

/* The matches of one rule in the sentences that repeat (see match_sentence). */
struct match_log
{
  size_t rule;                  /* index + 1 of the rule they are of, 0 none */
  struct logged_match *v;
  size_t n, cap;
  bool full;                    /* no room for more: run the pattern on further sentences */
};

enum { MATCH_LOG_MAX = 1 << 16 };  /* matches kept for one rule: 512 KB */

/* Append a match to LOG (or set LOG->full); false on ENOMEM. */
static bool
log_add (struct match_log *log, size_t start, size_t end)
{
  if (log->full)
    return true;
  if (log->n == log->cap)
    {
      if (log->cap >= MATCH_LOG_MAX)
        {
          log->full = true;
          return true;
        }
      size_t cap = log->cap ? 2 * log->cap : 64;
      struct logged_match *nv = realloc (log->v, cap * sizeof *nv);
      if (!nv)
        return false;
      log->v = nv;
      log->cap = cap;
    }
  log->v[log->n++] = (struct logged_match) { (uint32_t) start, (uint32_t) end };
  return true;
}

/* A block of memory the memo's arrays are carved from (struct memo_arena). */
struct memo_chunk
{
  struct memo_chunk *older;     /* the chunk filled before this one, NULL if none */
  size_t size, used;            /* bytes of DATA, and how many of them are handed out */
  max_align_t data[];
};

/* Where a message's memo arrays come from: one malloc per chunk instead of one per array (a
   dozen or two a message, each with its free), and the chunk is handed to the next message
   instead of freed.  Emptying the
   arena keeps one chunk of at most MEMO_ARENA_KEEP bytes, so a large message does not keep
   its memory for the rest of the run. */
struct memo_arena
{
  struct memo_chunk *chunk;     /* the chunk allocations come from; older ones are full */
};

enum
{
  MEMO_ARENA_FIRST = 4 << 10,   /* bytes of an arena's first chunk */
  MEMO_ARENA_KEEP = 32 << 10,   /* the largest chunk kept when the arena is emptied */
  MEMO_ARENA_OWN = 16 << 10,    /* larger arrays get a chunk of their own */
};

/* A chunk of its own for SIZE bytes (zeroed if ZERO), all handed out, put behind ARENA's
   current chunk (which stays in use); its data, or NULL on ENOMEM.  For large arrays: calloc
   hands out fresh pages of the system as they are, zero, where a memset would make the
   process touch every page of an array mostly left as it is (a sentence bitmap). */
static void *
arena_own_chunk (struct memo_arena *arena, size_t size, bool zero)
{
  struct memo_chunk *n = zero ? calloc (1, sizeof *n + size) : malloc (sizeof *n + size);
  if (!n)
    return NULL;
  n->size = n->used = size;
  struct memo_chunk *c = arena->chunk;
  if (c)
    {
      n->older = c->older;
      c->older = n;
    }
  else
    {
      n->older = NULL;
      arena->chunk = n;
    }
  return n->data;
}

/* SIZE bytes (aligned for any type) from ARENA, zeroed if ZERO, valid until it is emptied;
   NULL on ENOMEM. */
static void *
arena_get (struct memo_arena *arena, size_t size, bool zero)
{
  const size_t align = sizeof (max_align_t);
  if (size > SIZE_MAX / 2)
    return NULL;
  size = (size + align - 1) / align * align;
  if (size > MEMO_ARENA_OWN)
    return arena_own_chunk (arena, size, zero);
  struct memo_chunk *c = arena->chunk;
  if (!c || c->size - c->used < size)
    {
      /* Chunks double up to MEMO_ARENA_KEEP, which is more than MEMO_ARENA_OWN. */
      size_t want = c ? 2 * c->size : MEMO_ARENA_FIRST;
      if (want > MEMO_ARENA_KEEP)
        want = MEMO_ARENA_KEEP;
      if (want < size)
        want = size;
      struct memo_chunk *n = malloc (sizeof *n + want);
      if (!n)
        return NULL;
      n->older = c;
      n->size = want;
      n->used = 0;
      arena->chunk = c = n;
    }
  void *p = (char *) c->data + c->used;
  c->used += size;
  if (zero)
    memset (p, 0, size);
  return p;
}

/* SIZE bytes from ARENA (see arena_get). */
static void *
arena_alloc (struct memo_arena *arena, size_t size)
{
  return arena_get (arena, size, false);
}

/* SIZE zeroed bytes from ARENA (see arena_get). */
static void *
arena_zalloc (struct memo_arena *arena, size_t size)
{
  return arena_get (arena, size, true);
}

/* N arrays of SIZE bytes from ARENA, or NULL if their size overflows or on ENOMEM. */
static void *
arena_array (struct memo_arena *arena, size_t n, size_t size, bool zero)
{
  if (size && n > SIZE_MAX / size)
    return NULL;
  return arena_get (arena, n * size, zero);
}

/* Take back everything ARENA handed out.  It keeps its largest chunk of at most
   MEMO_ARENA_KEEP bytes for the next message, or all of its memory is freed when FREE_ALL. */
static void
arena_empty (struct memo_arena *arena, bool free_all)
{
  struct memo_chunk *keep = NULL;
  for (struct memo_chunk *c = arena->chunk, *older; c; c = older)
    {
      older = c->older;
      if (!free_all && c->size <= MEMO_ARENA_KEEP && (!keep || c->size > keep->size))
        {
          free (keep);
          keep = c;
        }
      else
        free (c);
    }
  if (keep)
    {
      keep->older = NULL;
      keep->used = 0;
    }
  arena->chunk = keep;
}

/* The words of a text that trigger something, in token order, with what they trigger
   (find_triggered): kept from text to text while they are small (HIT_LIST_KEEP), grown by
   realloc, not in an arena, as a large text's would leave all their smaller copies behind. */
struct hit_list
{
  size_t *tok;                  /* the tokens */
  uint64_t *bits;               /* the rule bitmap of each, the index's words apiece */
  size_t cap, bits_cap;         /* elements of TOK and of BITS */
};

enum { HIT_LIST_KEEP = 16 << 10 };      /* bytes of a hit list kept for the next text */

/* Make room in HITS for N hits of WORDS words each; 0, or -1 on ENOMEM. */
static int
hit_list_grow (struct hit_list *hits, size_t n, size_t words)
{
  size_t cap = hits->cap ? hits->cap : 64;
  while (cap < n)
    cap *= 2;
  if (words && cap > SIZE_MAX / sizeof *hits->bits / words)
    return -1;
  if (cap > hits->cap)
    {
      size_t *nt = realloc (hits->tok, cap * sizeof *nt);
      if (!nt)
        return -1;
      hits->tok = nt;
      hits->cap = cap;
    }
  if (cap * words > hits->bits_cap)
    {
      uint64_t *nb = realloc (hits->bits, cap * words * sizeof *nb);
      if (!nb)
        return -1;
      hits->bits = nb;
      hits->bits_cap = cap * words;
    }
  return 0;
}

/* What rules_match learns about a text that does not depend on the tool: the rules its words
   trigger, the language of its sentences, whether it is valid UTF-8 and which bytes occur.
   The tools call rules_match once per tool on the same text (detect-bait-question's rules,
   then detect-template's), and in batch mode the language guesses and the trigger lookup were
   a quarter of all matching; so the ruleset keeps the last text's memo, with a copy of the
   text to recognise it by: a later call whose text has the same body, the same sentences and
   as many words reuses it (text_analyze derives words and masks from the body alone).  The
   body is compared byte for byte, never by a hash, so a message cannot pass for another. */
struct text_memo
{
  bool keyed;                   /* the copies below hold the text: a later call may reuse this */
  unsigned long index_gen;      /* the trigger index the bits were computed with */
  char *s;                      /* copies of the text's body and sentences */
  struct text_sentence *sent;
  size_t len, ntok, nsent;
  uint64_t *text_rules;         /* rules triggered by a word of the sender's own text */
  uint64_t *sent_rules;         /* per sentence, rules triggered by one of its words */
  signed char *sent_lang;       /* per sentence, lang_guess's verdict: 1 de, 2 en, 3 undecided */
  int text_lang;                /* the same for the whole text (0 before find_triggered) */
  int body_utf;                 /* -1 not yet checked, 0 invalid UTF-8, 1 valid */
  signed char has_byte[256];    /* -1 not yet looked for, 0 absent from the body, 1 present */
  signed char has_sign;         /* the same for KELVIN SIGN or LONG S (rule_literals.no_signs) */
  char *ascii_lower;            /* see lowered_body */
  bool lower_all;               /* all of ascii_lower is filled in, not just some sentences */
  uint64_t *sent_sig;           /* per sentence, SIG_WORDS words of its byte pairs (sentence_sig) */
  bool *sent_sig_done;
  /* Per sentence, the scopes it is in (SENT_IN_SCOPE and the rest: see sentence_scopes); and
     per rule with triggers, the sentences one of its triggers occurs in: rule I's are
     rule_sent[rule_sent_at[I] .. rule_sent_at[I + 1]), in order.  A rule then visits only
     the sentences it could run on, instead of asking each sentence of the text. */
  unsigned char *sent_scope;
  uint32_t *rule_sent_at;
  uint32_t *rule_sent;
  /* The last subject a subject rule looked at, and its lower-cased form (NULL if it could not
     be lower-cased: then the subject itself serves); u8_tolower cost more than the rest of a
     rules_match call on a short mail. */
  char *subject;
  char *subject_lower;
  /* Sentences that repeat: first_same[s] is the first sentence with the same bytes as S;
     repeated[f] says that sentence F has later copies (listed in repeated_list); REPEATS says
     whether there are any.  And for the rule in LOG, the matches of each such first sentence
     that it ran on: logged[f], then log_n[f] matches from log->v[log_at[f]]. */
  bool repeats_found;           /* find_repeats has filled in what follows */
  bool repeats;
  uint32_t *first_same;
  bool *repeated;
  uint32_t *repeated_list;
  size_t nrepeated;
  bool *logged;
  uint32_t *log_at, *log_n;
  struct match_log log;
  /* Where the arrays above come from (all but SUBJECT, SUBJECT_LOWER and LOG.V, which live
     on their own), and the arrays find_triggered and find_repeats need only while they run:
     apart, so that those of a large message are not held while its rules run. */
  struct memo_arena arena, scratch;
  struct hit_list hits;         /* find_triggered's, kept for the next text */
};

/* What one rules_match call shares between rules. */
struct match_run
{
  const struct text *t;
  const struct rules_index *ix;
  struct text_memo *memo;       /* what is known about T */
  int subject_utf;
  struct pattern_cache *cache;
  pcre2_match_context *mctx;
  pcre2_match_data *md;
  size_t jit_after;             /* bytes a pattern scans before it is JIT-compiled */
  /* The message rules' gates' gate_view.first, of the body as it is and lower-cased: each
     zeroed when first wanted (many calls want neither), so not part of this struct, which is
     zeroed at each call. */
  uint32_t (*body_first)[256];
  bool body_first_ready[2];
};

/* Forget MEMO's tables of repeated sentences and of the matches logged in them (their memory
   is the arena's), and mark them not made. */
static void
drop_repeats (struct text_memo *memo)
{
  memo->first_same = memo->log_at = memo->log_n = memo->repeated_list = NULL;
  memo->repeated = memo->logged = NULL;
  memo->repeats = false;
  memo->nrepeated = 0;
}

/* Forget what MEMO knew; free all its memory when FREE_ALL, else keep its arenas' chunks (up
   to MEMO_ARENA_KEEP bytes each) for the next text. */
static void
memo_forget (struct text_memo *memo, bool free_all)
{
  free (memo->subject);
  free (memo->subject_lower);
  free (memo->log.v);
  struct memo_arena arena = memo->arena, scratch = memo->scratch;
  arena_empty (&arena, free_all);
  arena_empty (&scratch, free_all);
  struct hit_list hits = memo->hits;
  size_t hit_bytes = hits.cap * sizeof *hits.tok + hits.bits_cap * sizeof *hits.bits;
  if (free_all || hit_bytes > HIT_LIST_KEEP)
    {
      free (hits.tok);
      free (hits.bits);
      hits = (struct hit_list) { 0 };
    }
  memset (memo, 0, sizeof *memo);
  memo->arena = arena;
  memo->scratch = scratch;
  memo->hits = hits;
}

/* Forget what MEMO knew. */
void
rules_memo_clear (struct text_memo *memo)
{
  memo_forget (memo, true);
}

/* Do the sentences of T equal those at SENT?  Field by field: the struct may have padding,
   whose bytes nobody set. */
static bool
same_sentences (const struct text *t, const struct text_sentence *sent)
{
  for (size_t i = 0; i < t->nsent; i++)
    {
      const struct text_sentence *a = &t->sent[i], *b = &sent[i];
      if (a->off != b->off || a->end != b->end || a->first_tok != b->first_tok
          || a->ntok != b->ntok || a->flags != b->flags)
        return false;
    }
  return true;
}

/* Does MEMO describe T, with the trigger index of generation GEN?  (T as text_analyze made
   it: its words, masks and lower-cased words follow from its body.) */
static bool
memo_knows (const struct text_memo *memo, const struct text *t, unsigned long gen)
{
  return memo->keyed && memo->index_gen == gen && memo->len == t->len
    && memo->ntok == t->ntok && memo->nsent == t->nsent
    && memcmp (memo->s, t->s, t->len) == 0 && same_sentences (t, memo->sent);
}

/* Empty MEMO for T and keep a copy of T to know it again by (unless T is too large for the
   copy to pay, or there is no memory for it: then the memo serves this call only). */
static void
memo_start (struct text_memo *memo, const struct text *t, unsigned long gen)
{
  memo_forget (memo, false);
  memo->index_gen = gen;
  memo->body_utf = -1;
  memset (memo->has_byte, -1, sizeof memo->has_byte);
  memo->has_sign = -1;
  if (t->len > MEMO_MAX_BYTES || t->len == 0)
    return;
  memo->len = t->len;
  memo->ntok = t->ntok;
  memo->nsent = t->nsent;
  memo->s = arena_alloc (&memo->arena, t->len);
  memo->sent = arena_array (&memo->arena, t->nsent + 1, sizeof *t->sent, false);
  if (!memo->s || !memo->sent)
    return;
  memcpy (memo->s, t->s, t->len);
  if (t->nsent)
    memcpy (memo->sent, t->sent, t->nsent * sizeof *t->sent);
  memo->keyed = true;
}

/* Find the sentences of T that repeat an earlier one byte for byte (see struct text_memo).
   Return 0, or -1 on ENOMEM. */
static int
find_repeats (struct text_memo *memo, const struct text *t)
{
  if (t->nsent < 2 || t->nsent >= UINT32_MAX / 4)
    return 0;
  size_t nslots = 16;
  while (nslots < 2 * t->nsent)
    nslots *= 2;
  uint32_t *slot = arena_array (&memo->scratch, nslots, sizeof *slot, true);  /* sentence + 1 */
  uint64_t *hash = arena_array (&memo->scratch, t->nsent, sizeof *hash, false);
  memo->first_same = arena_array (&memo->arena, t->nsent, sizeof *memo->first_same, false);
  memo->repeated = arena_array (&memo->arena, t->nsent, sizeof *memo->repeated, true);
  int status = -1;
  if (!slot || !hash || !memo->first_same || !memo->repeated)
    goto out;
  for (size_t s = 0; s < t->nsent; s++)
    {
      const struct text_sentence *se = &t->sent[s];
      memo->first_same[s] = (uint32_t) s;
      if (se->end <= se->off || se->end > t->len)
        continue;
      size_t len = se->end - se->off;
      hash[s] = rules_hash_bytes (t->s + se->off, len, UINT64_C (0xcbf29ce484222325));
      /* A bounded probe: sentences made to collide cost at most this much each. */
      size_t k = hash[s] & (nslots - 1), probes = 0;
      for (; slot[k] && probes < 64; k = (k + 1) & (nslots - 1), probes++)
        {
          const struct text_sentence *so = &t->sent[slot[k] - 1];
          if (hash[slot[k] - 1] == hash[s] && so->end - so->off == len
              && memcmp (t->s + so->off, t->s + se->off, len) == 0)
            break;
        }
      if (probes == 64)
        continue;
      if (!slot[k])
        {
          slot[k] = (uint32_t) s + 1;
          continue;
        }
      size_t first = slot[k] - 1;
      memo->first_same[s] = (uint32_t) first;
      memo->repeats = true;
      if (!memo->repeated[first])
        {
          memo->repeated[first] = true;
          memo->nrepeated++;
        }
    }
  if (memo->repeats)
    {
      memo->repeated_list = arena_array (&memo->arena, memo->nrepeated,
                                         sizeof *memo->repeated_list, false);
      memo->logged = arena_array (&memo->arena, t->nsent, sizeof *memo->logged, true);
      memo->log_at = arena_array (&memo->arena, t->nsent, sizeof *memo->log_at, false);
      memo->log_n = arena_array (&memo->arena, t->nsent, sizeof *memo->log_n, false);
      if (!memo->repeated_list || !memo->logged || !memo->log_at || !memo->log_n)
        goto out;
      size_t n = 0;
      for (size_t f = 0; f < t->nsent; f++)
        if (memo->repeated[f])
          memo->repeated_list[n++] = (uint32_t) f;
    }
  status = 0;
out:
  arena_empty (&memo->scratch, false);
  if (status < 0)
    drop_repeats (memo);            /* nothing half made for a later try */
  return status;
}

/* OR into ACC the rules whose triggers match word W. */
static void
word_rules (const struct rules_index *ix, const char *w, uint64_t *acc)
{
  uint64_t h = fnv_start ();
  size_t len = 0;
  for (; w[len]; len++)
    {
      h = fnv_step (h, (unsigned char) w[len]);
      size_t l = len + 1;
      if (l <= ix->max_prefix && ix->prefix_len[l])
        {
          const struct trigger_slot *s = find_slot (ix, w, l, true, h);
          if (s)
            bits_or (acc, ix->bits + s->bits, ix->words);
        }
    }
  const struct trigger_slot *s = find_slot (ix, w, len, false, h);
  if (s)
    bits_or (acc, ix->bits + s->bits, ix->words);
}

/* The language evidence of the word W of text.lower as lang_guess counts it: 1 German,
   2 English, 0 neither (lang_word_evidence, which test-lang checks against lang_guess). */
static inline unsigned char
word_lang_class (const char *w)
{
  char lang = lang_word_evidence (w);
  return (unsigned char) ((lang == 'd') | (lang == 'e') << 1);
}

/* What the words of the texts seen so far trigger, and their language evidence: a batch run's
   messages share most of their words, and looking a word up here (one hash of the whole word
   and one compare) costs a fraction of trying each of its prefixes against the trigger table
   and classifying it for lang_guess, which were a quarter of all matching.  Bounded: when full,
   it is emptied before the next text.

   It is read once per word of every text, so it is laid out for the cache: the entries are the
   hash table's slots (one memory access finds a word, not one for a slot and one for its
   entry), and the first eight bytes of a word are kept in its entry, which holds the whole of
   most words: only longer ones have the rest in ARENA. */
enum
{
  WORD_CACHE_ENTRIES = 8192,                    /* words kept at most */
  WORD_CACHE_SLOTS = 2 * WORD_CACHE_ENTRIES,    /* a power of two */
  WORD_CACHE_ARENA = 8 * WORD_CACHE_ENTRIES,    /* bytes of longer words past their eighth */
  WORD_CACHE_MAX_LEN = 48,                      /* longer words are looked up afresh */
  WORD_CACHE_BITMAPS = 2048,                    /* words that trigger something */
};

struct word_entry
{
  uint64_t head;                /* the word's first eight bytes, zero-padded */
  uint32_t hash;                /* the high half of word_key's hash */
  uint32_t off;                 /* bytes past the eighth at arena + off */
  uint32_t bits;                /* its rule bitmap at bitmaps + (bits - 1) * words; 0: none */
  uint16_t len;
  unsigned char lang;           /* word_lang_class */
  unsigned char gen;            /* the slot is in use if this is the cache's GEN */
};

struct word_cache
{
  struct word_entry slot[WORD_CACHE_SLOTS];
  /* Emptying the cache starts a new generation instead of clearing its 400 KB of slots (a
     slot of another generation is empty); only when the counter wraps are they cleared. */
  unsigned char gen;
  size_t n;
  char arena[WORD_CACHE_ARENA];
  size_t arena_used;
  uint64_t *bitmaps;            /* WORD_CACHE_BITMAPS rule bitmaps of the index's size */
  size_t nbitmaps;
};

static void
word_cache_free (struct word_cache *c)
{
  if (c)
    free (c->bitmaps);
  free (c);
}

/* Empty C if it has no room left for a text's new words. */
static void
word_cache_make_room (struct word_cache *c)
{
  if (c->n < WORD_CACHE_ENTRIES * 3 / 4 && c->arena_used < WORD_CACHE_ARENA * 3 / 4
      && c->nbitmaps < WORD_CACHE_BITMAPS * 3 / 4)
    return;
  if (++c->gen == 0)
    {
      memset (c->slot, 0, sizeof c->slot);
      c->gen = 1;
    }
  c->n = 0;
  c->arena_used = 0;
  c->nbitmaps = 0;
}

/* The little-endian value of the 4 or 8 bytes at P. */
static inline uint64_t
load_le (const char *p, size_t bytes)
{
#if defined __BYTE_ORDER__ && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (bytes == 8)
    {
      uint64_t v;
      memcpy (&v, p, 8);
      return v;
    }
  uint32_t v;
  memcpy (&v, p, 4);
  return v;
#else
  uint64_t v = 0;
  for (size_t k = bytes; k-- > 0;)
    v = v << 8 | (unsigned char) p[k];
  return v;
#endif
}

/* The length of the NUL-terminated word W of text.lower in *LEN, its first eight bytes
   (zero-padded) in *HEAD, whether it has a byte above ASCII in *WIDE, and a hash of it.  text.lower's padding (TEXT_LOWER_PAD) lets eight
   bytes be read from any byte of a word up to its NUL: the word is read eight bytes at a time
   and its end found in the first eight that hold a zero byte, which spares a call to strlen
   per word (a tenth of the trigger pass). */
static inline uint64_t
word_key (const char *w, size_t *len, uint64_t *head, bool *wide)
{
  const uint64_t mul = UINT64_C (0x9e3779b97f4a7c15);
  const uint64_t ones = UINT64_C (0x0101010101010101), highs = ones * 0x80;
  uint64_t first = load_le (w, 8);
  /* The lowest byte flagged here is the first zero byte (a borrow only reaches bytes above
     a zero one). */
  uint64_t zero = (first - ones) & ~first & highs;
  size_t n;
  if (zero)
    {
      n = (size_t) __builtin_ctzll (zero) / 8;
      first &= (UINT64_C (1) << (8 * n)) - 1;
    }
  else
    for (n = 8;; n += 8)
      {
        uint64_t v = load_le (w + n, 8);
        if ((zero = (v - ones) & ~v & highs))
          {
            n += (size_t) __builtin_ctzll (zero) / 8;
            break;
          }
      }
  uint64_t h = (UINT64_C (0x84222325cbf29ce4) ^ first ^ (uint64_t) n << 56) * mul;
  uint64_t seen = first;        /* every byte of the word ORed into some byte of this */
  if (n > 8)
    {
      /* The rest eight bytes at a time, the last eight overlapping what came before. */
      size_t k = 8;
      for (; k + 8 < n; k += 8)
        {
          uint64_t v = load_le (w + k, 8);
          seen |= v;
          h ^= h >> 29;
          h = (h ^ v) * mul;
        }
      uint64_t v = load_le (w + n - 8, 8);
      seen |= v;
      h ^= h >> 29;
      h = (h ^ v) * mul;
    }
  *len = n;
  *head = first;
  *wide = (seen & highs) != 0;
  return h ^ h >> 32;
}

/* A word's key (word_key). */
struct word_key
{
  uint64_t hash, head;
  size_t len;
  bool wide;                    /* a byte above ASCII */
  bool plain;                   /* known to trigger nothing and to be no language evidence */
};

/* The key of the lower-cased word W for the triggers of IX; with the cache C (may be NULL),
   also start loading the slot where it is looked for, unless the key alone tells that the
   word has no facts: most long words are neither a trigger nor language evidence, and a
   third of them were new to the cache, which cost a look at each prefix and a call of
   lang_guess.  The lookups of a text's words go all over the table: fetching
   a word's slot while the word before it is looked up hides most of the wait for memory, which
   was a fifth of rules_match's own time. */
#if defined __GNUC__
__attribute__ ((always_inline))
#endif
static inline struct word_key
word_key_fetch (const struct rules_index *ix, const struct word_cache *c, const char *w)
{
  struct word_key key;
  key.hash = word_key (w, &key.len, &key.head, &key.wide);
  /* (An ASCII word longer than lang.h's LANG_FUNCTION_WORD_MAX is no language evidence.) */
  key.plain = !key.wide && key.len > LANG_FUNCTION_WORD_MAX
              && !may_trigger (ix, key.head, key.len);
#if defined __GNUC__ || defined __clang__
  if (c && !key.plain)
    __builtin_prefetch (&c->slot[key.hash & (WORD_CACHE_SLOTS - 1)]);
#else
  (void) c;
#endif
  return key;
}

#if defined __GNUC__
# define RULES_NOINLINE __attribute__ ((noinline))
#else
# define RULES_NOINLINE
#endif

/* What word_facts tells of a word: the rules it triggers (with the index's every-word rules),
   or NULL if none, and its language class.  Returned by value, in registers: through
   pointers, the word loop kept it and the word's key in memory. */
struct word_facts
{
  const uint64_t *bits;
  unsigned char lang;
};

/* The facts of the lower-cased word W (with KEY's HEAD, HASH and LEN) that the cache C (may be
   NULL) does not hold, as word_facts gives them; they are added to C if it has room, in the
   empty slot K when CACHEABLE.  Out of line: a batch finds most words in the cache, and this
   rarer work inlined into the word loop left that loop too few registers for its own
   variables. */
static RULES_NOINLINE struct word_facts
word_facts_new (const struct rules_index *ix, struct word_cache *c, const char *w,
                uint64_t head, uint64_t h, size_t n, bool cacheable, size_t k,
                uint64_t *scratch)
{
  size_t words = ix->words;
  memset (scratch, 0, words * sizeof *scratch);
  if (may_trigger (ix, head, n))
    word_rules (ix, w, scratch);
  bits_or (scratch, ix->every_word, words);
  bool any = false;
  for (size_t x = 0; x < words && !any; x++)
    any = scratch[x] != 0;
  struct word_facts f = { any ? scratch : NULL, word_lang_class (w) };
  size_t rest = n > 8 ? n - 8 : 0;
  if (!cacheable || c->n == WORD_CACHE_ENTRIES || c->arena_used + rest > WORD_CACHE_ARENA
      || (any && c->nbitmaps == WORD_CACHE_BITMAPS))
    return f;
  struct word_entry *e = &c->slot[k];
  e->gen = c->gen;
  e->head = head;
  e->hash = (uint32_t) (h >> 32);
  e->off = (uint32_t) c->arena_used;
  e->len = (uint16_t) n;
  e->lang = f.lang;
  e->bits = 0;
  memcpy (c->arena + c->arena_used, w + 8 * (rest > 0), rest);
  c->arena_used += rest;
  if (any)
    {
      memcpy (c->bitmaps + c->nbitmaps * words, scratch, words * sizeof *scratch);
      e->bits = (uint32_t) ++c->nbitmaps;
    }
  c->n++;
  return f;
}

/* The facts of the lower-cased word W whose key is KEY.  The bitmap is C's (C may be NULL) or,
   when the word is not cached, SCRATCH's (IX->words words); it lasts until the next call. */
static inline struct word_facts
word_facts (const struct rules_index *ix, struct word_cache *c, const char *w,
            struct word_key key, uint64_t *scratch)
{
  if (key.plain)
    return (struct word_facts) { ix->every_word_any ? ix->every_word : NULL, 0 };
  uint64_t head = key.head;
  uint64_t h = key.hash;
  size_t n = key.len, k = 0;
  bool cacheable = c && n > 0 && n <= WORD_CACHE_MAX_LEN;
  if (cacheable)
    for (k = h & (WORD_CACHE_SLOTS - 1); c->slot[k].gen == c->gen;
         k = (k + 1) & (WORD_CACHE_SLOTS - 1))
      {
        const struct word_entry *e = &c->slot[k];
        /* A word has no zero byte, so the same zero-padded first eight bytes are the same
           word of up to seven bytes; only a longer one needs its length and the rest
           compared. */
        if (e->head == head
            && (n < 8 || (e->len == n && e->hash == (uint32_t) (h >> 32)
                          && (n == 8 || memcmp (c->arena + e->off, w + 8, n - 8) == 0))))
          return (struct word_facts) {
            e->bits ? c->bitmaps + (size_t) (e->bits - 1) * ix->words : NULL, e->lang };
      }
  return word_facts_new (ix, c, w, head, h, n, cacheable, k, scratch);
}

/* The bits of memo->sent_scope: a sentence rules_sentence_in_scope lets a sentence rule see, a
   question, a greeting. */
enum
{
  SENT_IN_SCOPE = 1,
  SENT_IN_QUESTION = 2,
  SENT_IN_GREETING = 4,
};

/* The sent_scope bits a rule of scope SCOPE needs of a sentence. */
static unsigned char
scope_needs (enum rule_scope scope)
{
  return SENT_IN_SCOPE | (scope == SCOPE_QUESTION ? SENT_IN_QUESTION : 0)
    | (scope == SCOPE_GREETING ? SENT_IN_GREETING : 0);
}

/* The sent_scope bits of sentence S of T: none if no sentence rule may see it (empty, out of
   range, or not the sender's own text), else SENT_IN_SCOPE with the question and greeting
   bits the sentence has. */
static unsigned char
sentence_scope (const struct text *t, size_t s)
{
  const struct text_sentence *sent = &t->sent[s];
  if (sent->ntok == 0 || sent->first_tok >= t->ntok || sent->end <= sent->off
      || sent->end > t->len || (t->tok[sent->first_tok].mask & TEXT_NOT_OWN))
    return 0;
  return SENT_IN_SCOPE | (sent->flags & SENT_QUESTION ? SENT_IN_QUESTION : 0)
    | (sent->flags & SENT_GREETING ? SENT_IN_GREETING : 0);
}

/* Count in MEMO->rule_sent_at[I + 1] sentence S of T for each rule I < NRULES its
   sent_rules (WORDS words) has, if S is in some rule's scope; return how many it counted. */
static size_t
sentence_count_rules (struct text_memo *memo, size_t s, size_t words, size_t nrules)
{
  if (!memo->sent_scope[s])
    return 0;
  size_t pairs = 0;
  const uint64_t *bits = memo->sent_rules + s * words;
  for (size_t w = 0; w < words; w++)
    for (uint64_t b = bits[w]; b; b &= b - 1)
      {
        size_t i = w * 64 + (size_t) __builtin_ctzll (b);
        if (i < nrules)
          {
            memo->rule_sent_at[i + 1]++;
            pairs++;
          }
      }
  return pairs;
}

/* Fill MEMO's lists of the sentences each rule's triggers occur in (from sent_rules,
   IX->words words per sentence, for NRULES rules), whose lengths find_triggered counted
   (sentence_count_rules) in rule_sent_at while it filled sent_rules: PAIRS in all.  Return
   0, or -1 on ENOMEM. */
static int
sentence_scopes (struct text_memo *memo, const struct text *t, size_t words, size_t nrules,
                 size_t pairs)
{
  if (pairs >= UINT32_MAX)
    return -1;
  for (size_t i = 0; i < nrules; i++)
    memo->rule_sent_at[i + 1] += memo->rule_sent_at[i];
  memo->rule_sent = arena_array (&memo->arena, pairs + 1, sizeof *memo->rule_sent, false);
  uint32_t *fill = arena_array (&memo->scratch, nrules + 1, sizeof *fill, false);
  if (!memo->rule_sent || !fill)
    return -1;
  memcpy (fill, memo->rule_sent_at, (nrules + 1) * sizeof *fill);
  for (size_t s = 0; s < t->nsent; s++)
    {
      if (!memo->sent_scope[s])
        continue;
      const uint64_t *bits = memo->sent_rules + s * words;
      for (size_t w = 0; w < words; w++)
        for (uint64_t b = bits[w]; b; b &= b - 1)
          {
            size_t i = w * 64 + (size_t) __builtin_ctzll (b);
            if (i < nrules)
              memo->rule_sent[fill[i]++] = (uint32_t) s;
          }
    }
  return 0;
}

/* The index of the first of the words TOK from I on that find_triggered must look up (see
   there), or their count, at which IN_SCOPE has a nonzero byte that ends the search (so that
   the count need not be compared with at each word). */
static inline size_t
next_wanted_word (const struct text_token *tok, const unsigned char *in_scope, size_t i)
{
  while (!in_scope[i] && (tok[i].mask & TEXT_NOT_OWN))
    i++;
  return i;
}

/* Fill RUN's text_rules and sent_rules from the words of T, and the language of each sentence
   and of the whole text as lang_guess would judge them, and MEMO's sent_scope; return 0 or -1
   (ENOMEM).  Out of line, and with the text's words and their count in variables of its own
   (the calls in its loop could, for all the compiler knew, change *T): inlined into
   rules_match, its word loop kept most of its variables on the stack. */
static RULES_NOINLINE int
find_triggered (struct match_run *run)
{
  const struct text *t = run->t;
  const struct rules_index *ix = run->ix;
  struct text_memo *memo = run->memo;
  struct word_cache *cache = run->ix->words_cache;
  size_t words = ix->words;
  memo->text_rules = words > SIZE_MAX / (t->nsent + 1) ? NULL
    : arena_array (&memo->arena, words * (t->nsent + 1), sizeof *memo->text_rules, true);
  uint64_t *acc = arena_array (&memo->scratch, words, sizeof *acc, false);
  /* Per token, how many of the sender's own words before it are German evidence (the high
     half) and English evidence (the low half): one store and one add per word, not two.
     Neither count can reach 2^32 (a token's offset into text.lower fits in 32 bits), so the
     low half never carries into the high one. */
  uint64_t *lang_before = arena_array (&memo->scratch, t->ntok + 1, sizeof *lang_before, false);
  /* Per token, whether it lies in a sentence some sentence rule may look at; and a nonzero
     byte past the last (see next_wanted_word). */
  unsigned char *in_scope = arena_zalloc (&memo->scratch, t->ntok + 1);
  memo->sent_scope = arena_alloc (&memo->arena, t->nsent + 1);
  memo->rule_sent_at = arena_array (&memo->arena, ix->nrules + 1, sizeof *memo->rule_sent_at,
                                    true);
  if (t->nsent)
    memo->sent_lang = arena_alloc (&memo->arena, t->nsent);
  /* The words that trigger something, in token order, with what they trigger. */
  struct hit_list *hits = &memo->hits;
  size_t nhits = 0;
  int status = -1;
  if (!memo->text_rules || !acc || !lang_before || !in_scope || !memo->sent_scope
      || !memo->rule_sent_at
      || (t->nsent && !memo->sent_lang))
    goto out;
  memo->sent_rules = memo->text_rules + words;
  /* A word counts for the text's triggers and languages if it is the sender's own, and for a
     sentence's triggers, which only a sentence in some rule's scope is asked for: so a word
     neither of the sender's own nor in such a sentence (a quoted reply, a signature) need not
     be looked up at all, which spares a quarter of a batch's lookups. */
  for (size_t s = 0; s < t->nsent; s++)
    {
      unsigned char sc = sentence_scope (t, s);
      memo->sent_scope[s] = sc;
      size_t first = t->sent[s].first_tok, end = first + t->sent[s].ntok;
      if (end > t->ntok)
        end = t->ntok;
      if (sc && first < end)
        memset (in_scope + first, 1, end - first);
    }
  in_scope[t->ntok] = 1;
  if (cache)
    word_cache_make_room (cache);
  /* What a word of each language class (word_lang_class) adds to the counts. */
  static const uint64_t lang_step[4] = { 0, UINT64_C (1) << 32, 1, 0 };
  uint64_t counts = 0;
  const struct text_token *const tok = t->tok;
  const char *const lower = t->lower;
  const size_t ntok = t->ntok;
  struct word_key next = { 0 };
  size_t i = next_wanted_word (tok, in_scope, 0);
  if (i < ntok)
    next = word_key_fetch (ix, cache, lower + tok[i].lower_off);
  for (size_t k = 0; k < i; k++)
    lang_before[k] = 0;
  while (i < ntok)
    {
      lang_before[i] = counts;
      struct word_key key = next;
      size_t j = next_wanted_word (tok, in_scope, i + 1);
      if (j < ntok)
        next = word_key_fetch (ix, cache, lower + tok[j].lower_off);
      for (size_t k = i + 1; k < j; k++)
        lang_before[k] = counts;
      struct word_facts f = word_facts (ix, cache, lower + tok[i].lower_off, key, acc);
      const uint64_t *bits = f.bits;
      bool own = !(tok[i].mask & TEXT_NOT_OWN);
      if (own)
        counts += lang_step[f.lang & 3];
      size_t here = i;
      i = j;
      if (!bits)
        continue;
      if (own)
        bits_or (memo->text_rules, bits, words);
      if ((nhits == hits->cap || (nhits + 1) * words > hits->bits_cap)
          && hit_list_grow (hits, nhits + 1, words) < 0)
        goto out;
      hits->tok[nhits] = here;
      memcpy (hits->bits + nhits * words, bits, words * sizeof *bits);
      nhits++;
    }
  lang_before[t->ntok] = counts;
  uint32_t de = (uint32_t) (counts >> 32), en = (uint32_t) counts;
  memo->text_lang = de > en ? 1 : en > de ? 2 : 3;
  /* The hits of sentence S start at LO: sentences follow each other in token order, so LO
     only moves on, save for a sentence that starts before the one before it. */
  size_t lo = 0, last_first = 0, pairs = 0;
  for (size_t s = 0; s < t->nsent; s++)
    {
      const struct text_sentence *sent = &t->sent[s];
      size_t first = sent->first_tok, end = first + sent->ntok;
      if (end > t->ntok)
        end = t->ntok;
      if (first > end)
        first = end;
      uint64_t here = lang_before[end] - lang_before[first];
      uint32_t sde = (uint32_t) (here >> 32), sen = (uint32_t) here;
      memo->sent_lang[s] = (signed char) (sde > sen ? 1 : sen > sde ? 2 : 3);
      if (!nhits)
        continue;
      if (first < last_first)
        lo = 0;
      last_first = first;
      while (lo < nhits && hits->tok[lo] < first)
        lo++;
      for (size_t k = lo; k < nhits && hits->tok[k] < end; k++)
        bits_or (memo->sent_rules + s * words, hits->bits + k * words, words);
      pairs += sentence_count_rules (memo, s, words, ix->nrules);
    }
  status = sentence_scopes (memo, t, words, ix->nrules, pairs);
out:
  arena_empty (&memo->scratch, false);
  return status;
}

/* May rule I (with the byte prefilter NEED) match anywhere in the body? */
static bool
body_may_match (struct match_run *run, const struct rule_need *need)
{
  if (!need->known)
    return true;
  for (unsigned k = 0; k < need->n; k++)
    {
      unsigned char c = need->bytes[k];
      signed char *has = &run->memo->has_byte[c];
      if (*has < 0)
        *has = memchr (run->t->s, c, run->t->len) != NULL;
      if (*has)
        return true;
    }
  return false;
}

static bool contains (const char *hay, size_t n, const char *needle, size_t len, bool by_pairs);

/* Do the N bytes at S have a KELVIN SIGN or a LONG S, which a caseless k or s also matches? */
static bool
has_sign (const char *s, size_t n)
{
  return contains (s, n, "\xe2\x84\xaa", 3, false) || contains (s, n, "\xc5\xbf", 2, false);
}

/* Does LIT (NULL allowed) hold for the body of RUN?  Not if it is read for text without
   KELVIN SIGN and LONG S and the body has one. */
static const struct rule_literals *
literals_for_body (struct match_run *run, const struct rule_literals *lit)
{
  if (!lit || !lit->no_signs)
    return lit;
  struct text_memo *memo = run->memo;
  if (memo->has_sign < 0)
    memo->has_sign = has_sign (run->t->s, run->t->len);
  return memo->has_sign ? NULL : lit;
}

/* Rule I's literal prefilter if it is in use, else NULL. */
static const struct rule_literals *
rule_literals (const struct rules_index *ix, const struct rule *r, size_t i)
{
  struct lit_use *use = &ix->lit_use[i];
  if (use->state == LIT_NOT_YET && r->scanned >= ix->lit_after)
    {
      /* A message rule's strings are looked for in the whole body, without a signature: few
         of them, as many as one set of the reading holds. */
      pattern_literals (r->pattern, r->pattern_flags,
                        r->scope == SCOPE_SENTENCE || r->scope == SCOPE_QUESTION
                        || r->scope == SCOPE_GREETING ? SIZE_MAX : LIT_MAX, false, &ix->lit[i]);
      use->state = ix->lit[i].gate ? LIT_ON : LIT_OFF;
    }
  return use->state == LIT_ON ? &ix->lit[i] : NULL;
}

/* Release the gates of IX's rules whose patterns were read. */
static void
free_gates (struct rules_index *ix)
{
  for (size_t i = 0; ix->lit && ix->lit_use && i < ix->nrules; i++)
    if (ix->lit_use[i].state != LIT_NOT_YET)
      {
        free (ix->lit[i].gate);
        pcre2_code_free (ix->lit[i].anchored);
      }
}

/* Rule I's start strings (struct rule_literals) if its pattern has been read and has them,
   else NULL. */
static const struct rule_literals *
rule_starts (const struct rules_index *ix, size_t i)
{
  return ix->lit_use[i].state != LIT_NOT_YET && ix->lit[i].starts ? &ix->lit[i] : NULL;
}

/* Does one of LIT's start strings of the set WHICH (bit K for string K), all of which begin
   with the byte at S[AT], stand there (S having LEN bytes)? */
static bool
starts_at (const struct rule_literals *lit, uint16_t which, const unsigned char *s, size_t len,
           size_t at)
{
  for (; which; which &= (uint16_t) (which - 1))
    {
      unsigned k = (unsigned) __builtin_ctz (which);
      size_t n = lit->start.len[k];
      const unsigned char *want = (const unsigned char *) lit->start.s[k];
      if (n > len - at)
        continue;
      size_t j = 1;
      if (lit->start_caseless)
        for (; j < n; j++)
          {
            unsigned char c = s[at + j];
            if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != want[j])
              break;
          }
      else
        while (j < n && s[at + j] == want[j])
          j++;
      if (j == n)
        return true;
    }
  return false;
}

#if defined __SSE2__
/* Bit K set where byte K of the sixteen at P is one of the bytes WANT holds: its first four,
   or all eight when WIDE. */
static inline unsigned
first_hits (const unsigned char *p, const __m128i *want, bool wide)
{
  __m128i at = _mm_loadu_si128 ((const __m128i *) (const void *) p);
  __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (at, want[0]),
                                            _mm_cmpeq_epi8 (at, want[1])),
                              _mm_or_si128 (_mm_cmpeq_epi8 (at, want[2]),
                                            _mm_cmpeq_epi8 (at, want[3])));
  if (wide)
    hit = _mm_or_si128 (hit, _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (at, want[4]),
                                                         _mm_cmpeq_epi8 (at, want[5])),
                                           _mm_or_si128 (_mm_cmpeq_epi8 (at, want[6]),
                                                         _mm_cmpeq_epi8 (at, want[7]))));
  return (unsigned) _mm_movemask_epi8 (hit);
}
#endif

/* Does one of LIT's start strings stand at S[P] (S having LEN bytes), S[P] being one of its
   first bytes?  The byte after it is tried first against all the strings' second bytes, which
   turns most places away ("--", "- " for "-name-") before the strings are compared. */
static inline bool
start_here (const struct rule_literals *lit, const unsigned char *s, size_t len, size_t p)
{
  unsigned char c = s[p];
  if (!(lit->open[c / 64] >> (c % 64) & 1))
    {
      if (p + 1 >= len)
        return false;
      unsigned char b = s[p + 1];
      if (!(lit->second[b / 64] >> (b % 64) & 1))
        return false;
    }
  unsigned f = 0;
  while (lit->first[f] != c)
    f++;
  return starts_at (lit, lit->first_of[f], s, len, p);
}

/* The first place from POS on in the LEN bytes at S where one of LIT's start strings stands,
   or SIZE_MAX if there is none: a match cannot start before it.  A single first byte is
   looked for with memchr.  Several are looked for in one pass, 32 bytes a step with SSE2:
   a memchr per first byte had to start again after every place that was not a start, such
   as each "-" of a body for TEMPLATE_PLACEHOLDER's "-name-" (145,000 in the corpus). */
static size_t
next_start (const struct rule_literals *lit, const unsigned char *s, size_t len, size_t pos)
{
  if (lit->nfirst == 1)
    {
      for (const unsigned char *p = s + pos, *e = s + len;
           p < e && (p = memchr (p, lit->first[0], (size_t) (e - p))); p++)
        if (starts_at (lit, lit->first_of[0], s, len, (size_t) (p - s)))
          return (size_t) (p - s);
      return SIZE_MAX;
    }
  size_t i = pos;
#if defined __SSE2__
  /* The compares beyond NFIRST look for the first byte again. */
  __m128i want[8];
  for (unsigned f = 0; f < 8; f++)
    want[f] = _mm_set1_epi8 ((char) lit->first[f < lit->nfirst ? f : 0]);
  bool wide = lit->nfirst > 4;
  for (; i + 32 <= len; i += 32)
    {
      uint32_t m = first_hits (s + i, want, wide)
        | (uint32_t) first_hits (s + i + 16, want, wide) << 16;
      for (; m; m &= m - 1)
        {
          size_t p = i + (size_t) __builtin_ctz (m);
          if (start_here (lit, s, len, p))
            return p;
        }
    }
#endif
  for (; i < len; i++)
    for (unsigned f = 0; f < lit->nfirst; f++)
      if (s[i] == lit->first[f])
        {
          if (start_here (lit, s, len, i))
            return i;
          break;
        }
  return SIZE_MAX;
}

static void lower_ascii (char *to, const char *from, size_t n);

/* The body with its ASCII letters lower-cased, where caseless prefilter strings are looked
   for: allocated on first use and filled a sentence at a time (sentence_sig), as most
   sentences are never looked at, or whole when ALL; NULL on ENOMEM. */
static char *
lowered_body (struct match_run *run, bool all)
{
  const struct text *t = run->t;
  struct text_memo *memo = run->memo;
  if (!memo->ascii_lower && !(memo->ascii_lower = arena_alloc (&memo->arena, t->len + 1)))
    return NULL;
  if (all && !memo->lower_all)
    {
      lower_ascii (memo->ascii_lower, t->s, t->len);
      memo->lower_all = true;
    }
  return memo->ascii_lower;
}

/* Do the N bytes at HAY contain the LEN bytes at NEEDLE (LEN > 0)?  glibc's memmem sets up a
   shift table for each call, which on one sentence cost more than the search.  With SSE2,
   sixteen places are tried at once for the needle's first two bytes (a memchr for the first
   byte alone stopped at every "t" or "e" of a sentence, and the gates ask for many strings):
   always in a short text, and in a long one if BY_PAIRS.  A long sentence (a page of text
   without a full stop) is searched for words, and memchr stopped some twenty times in each
   search; a whole body is searched for strings that mostly begin with a rare byte ("{",
   "[") or for none at all, where memchr's 32 bytes a step win. */
static bool
contains (const char *hay, size_t n, const char *needle, size_t len, bool by_pairs)
{
  if (len > n)
    return false;
#if defined __SSE2__
  if (len >= 2 && (n <= 512 || by_pairs))
    {
      size_t last = n - len, i = 0;
      __m128i first = _mm_set1_epi8 (needle[0]), second = _mm_set1_epi8 (needle[1]);
      /* Both loads of a step, at I and I + 1, stay within the N bytes. */
      for (; i + 17 <= n && i <= last; i += 16)
        {
          __m128i at = _mm_loadu_si128 ((const __m128i *) (const void *) (hay + i));
          __m128i next = _mm_loadu_si128 ((const __m128i *) (const void *) (hay + i + 1));
          unsigned both = (unsigned) _mm_movemask_epi8 (_mm_and_si128 (_mm_cmpeq_epi8 (at, first),
                                                                       _mm_cmpeq_epi8 (next, second)));
          for (; both; both &= both - 1)
            {
              size_t p = i + (size_t) __builtin_ctz (both);
              if (p > last)
                return false;
              size_t k = 2;
              while (k < len && hay[p + k] == needle[k])
                k++;
              if (k == len)
                return true;
            }
        }
      for (; i <= last; i++)
        if (hay[i] == needle[0] && memcmp (hay + i + 1, needle + 1, len - 1) == 0)
          return true;
      return false;
    }
#endif
  const char *last = hay + (n - len);
  for (const char *p = hay; p <= last; p++)
    {
      p = memchr (p, needle[0], (size_t) (last - p) + 1);
      if (!p)
        return false;
      if (memcmp (p + 1, needle + 1, len - 1) == 0)
        return true;
    }
  return false;
}

/* Copy the N bytes at FROM to TO with ASCII letters lower-cased.  With SSE2 sixteen at a
   time: adding 0x80 - 'A' to a byte takes 'A' to 'Z', and only those, to the 26 smallest
   signed values, where 0x20 is added.  Then eight at a time: in each byte below 0x80, adding
   0x80 - 'A' sets the top bit from 'A' on, and adding 0x80 - 'Z' - 1 from past 'Z' on; where
   the first is set and the second not, 0x20 is added. */
static void
lower_ascii (char *to, const char *from, size_t n)
{
  const uint64_t ones = UINT64_C (0x0101010101010101), tops = ones * 0x80;
  size_t k = 0;
#if defined __SSE2__
  const __m128i to_lowest = _mm_set1_epi8 ((char) (0x80 - 'A'));
  const __m128i past_z = _mm_set1_epi8 ((char) (-128 + 26));
  const __m128i case_bit = _mm_set1_epi8 (0x20);
  for (; k + 16 <= n; k += 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) (const void *) (from + k));
      __m128i upper = _mm_cmplt_epi8 (_mm_add_epi8 (v, to_lowest), past_z);
      _mm_storeu_si128 ((__m128i *) (void *) (to + k),
                        _mm_or_si128 (v, _mm_and_si128 (upper, case_bit)));
    }
#endif
  for (; k + 8 <= n; k += 8)
    {
      uint64_t w;
      memcpy (&w, from + k, 8);
      uint64_t low7 = w & ~tops;
      uint64_t from_a = low7 + ones * (0x80 - 'A');
      uint64_t past_z = low7 + ones * (0x80 - 'Z' - 1);
      uint64_t upper = from_a & ~past_z & ~w & tops;
      w |= upper >> 2;
      memcpy (to + k, &w, 8);
    }
  for (; k < n; k++)
    {
      unsigned char c = (unsigned char) from[k];
      to[k] = (char) (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
}

/* A sentence's signature: one bit, of SIG_WORDS * 64, for each pair of adjacent bytes of its
   ASCII-lower-cased text.  A string with a pair whose bit is clear cannot occur in the
   sentence; with a few bits per string most absent strings are told apart in a few
   instructions, without reading the sentence again for each string of each rule. */
enum { SIG_WORDS = 16 };
_Static_assert (SIG_WORDS * 64 == 1 << 10, "sig_bit gives ten bits");
#define SIG_MUL UINT32_C (0x9e3779b1)   /* a pair's bit: the top ten of its product with this */

/* The bit of the two bytes at P.  They are read as one 16-bit number, in the machine's byte
   order (one load where sig_fill took two and a shift; the strings' bits are made the same
   way, so the order does not matter). */
static inline unsigned
sig_bit_at (const char *p)
{
  uint16_t pair;
  memcpy (&pair, p, sizeof pair);
  return (uint32_t) pair * SIG_MUL >> 22;
}

static unsigned
sig_bit (unsigned char a, unsigned char b)
{
  const char pair[2] = { (char) a, (char) b };
  return sig_bit_at (pair);
}

#if defined __SSE2__
/* The bits (sig_bit_at) of the sixteen pairs at P to P + 15, which read the bytes up to
   P + 16, in BIT: the pairs at even places from one load and those at odd places from
   another, sig_bit_at's top ten bits of the 32-bit product of a pair P and SIG_MUL = CH * 2^16
   + CL being those of the 16-bit sum of the high half of P * CL and the low half of P * CH. */
static inline void
sig_bits16 (const char *p, uint16_t bit[16])
{
  const __m128i mul_low = _mm_set1_epi16 ((short) (SIG_MUL & 0xffff));
  const __m128i mul_high = _mm_set1_epi16 ((short) (SIG_MUL >> 16));
  __m128i even = _mm_loadu_si128 ((const __m128i *) (const void *) p);
  __m128i odd = _mm_loadu_si128 ((const __m128i *) (const void *) (p + 1));
  even = _mm_srli_epi16 (_mm_add_epi16 (_mm_mulhi_epu16 (even, mul_low),
                                        _mm_mullo_epi16 (even, mul_high)), 6);
  odd = _mm_srli_epi16 (_mm_add_epi16 (_mm_mulhi_epu16 (odd, mul_low),
                                       _mm_mullo_epi16 (odd, mul_high)), 6);
  _mm_storeu_si128 ((__m128i *) (void *) bit, even);
  _mm_storeu_si128 ((__m128i *) (void *) (bit + 8), odd);
}

/* Sentences of at least this many bytes get their signature by way of a byte per bit (see
   sig_fill_long). */
enum { SIG_LONG = 96 };

/* The sixteen bytes at MAP, each 0 or 1, as bits: shifted up by 7, a byte's bit is its top
   bit. */
static inline uint64_t
map_bits16 (const unsigned char *map)
{
  __m128i v = _mm_loadu_si128 ((const __m128i *) (const void *) map);
  return (unsigned) _mm_movemask_epi8 (_mm_slli_epi16 (v, 7));
}

/* sig_fill for a long range: each pair's bit is a byte of a map first, one store where the
   bit itself took five instructions, and the map is then packed sixteen bytes at a time;
   zeroing and packing the map cost what some 70 pairs save (over the corpus, SIG_LONG 96
   beat 64 and 128). */
static void
sig_fill_long (uint64_t *sig, const char *lower, size_t off, size_t end)
{
  unsigned char map[SIG_WORDS * 64];
  memset (map, 0, sizeof map);
  size_t k = off;
  for (; k < end - 16; k += 16)
    {
      uint16_t bit[16];
      sig_bits16 (lower + k, bit);
      for (int j = 0; j < 16; j += 4)
        {
          map[bit[j]] = 1;
          map[bit[j + 1]] = 1;
          map[bit[j + 2]] = 1;
          map[bit[j + 3]] = 1;
        }
    }
  for (; k + 1 < end; k++)
    map[sig_bit_at (lower + k)] = 1;
  for (size_t w = 0; w < SIG_WORDS; w++)
    sig[w] = map_bits16 (map + w * 64) | map_bits16 (map + w * 64 + 16) << 16
             | map_bits16 (map + w * 64 + 32) << 32 | map_bits16 (map + w * 64 + 48) << 48;
}
#endif

/* Fill SIG with the signature of bytes [OFF, END) of the lower-cased LOWER.  With SSE2 the
   bits of sixteen pairs are computed at once (sig_bits16); only setting them is left a pair
   at a time, and the hash alone was half of the work. */
static void
sig_fill (uint64_t *sig, const char *lower, size_t off, size_t end)
{
#if defined __SSE2__
  if (end >= off + SIG_LONG)
    {
      sig_fill_long (sig, lower, off, end);
      return;
    }
#endif
  memset (sig, 0, SIG_WORDS * sizeof *sig);
  size_t k = off;
#if defined __SSE2__
  for (; end > 16 && k < end - 16; k += 16)
    {
      uint16_t bit[16];
      sig_bits16 (lower + k, bit);
      for (int j = 0; j < 16; j += 4)
        {
          unsigned a = bit[j], b = bit[j + 1], c = bit[j + 2], d = bit[j + 3];
          sig[a / 64] |= UINT64_C (1) << (a % 64);
          sig[b / 64] |= UINT64_C (1) << (b % 64);
          sig[c / 64] |= UINT64_C (1) << (c % 64);
          sig[d / 64] |= UINT64_C (1) << (d % 64);
        }
    }
#endif
  for (; k + 1 < end; k++)
    {
      unsigned bit = sig_bit_at (lower + k);
      sig[bit / 64] |= UINT64_C (1) << (bit % 64);
    }
}

/* Sentence S's signature, computed on first use, when its bytes are also lower-cased into
   lowered_body's copy; NULL on ENOMEM. */
static const uint64_t *
sentence_sig (struct match_run *run, size_t s)
{
  struct text_memo *memo = run->memo;
  const struct text *t = run->t;
  if (!memo->sent_sig)
    {
      memo->sent_sig = arena_array (&memo->arena, t->nsent,
                                    SIG_WORDS * sizeof *memo->sent_sig, false);
      memo->sent_sig_done = arena_array (&memo->arena, t->nsent, sizeof *memo->sent_sig_done,
                                         true);
      if (!memo->sent_sig || !memo->sent_sig_done)
        {
          memo->sent_sig = NULL;
          memo->sent_sig_done = NULL;
          return NULL;
        }
    }
  uint64_t *sig = memo->sent_sig + s * SIG_WORDS;
  if (!memo->sent_sig_done[s])
    {
      char *lower = lowered_body (run, false);
      if (!lower)
        return NULL;
      const struct text_sentence *se = &t->sent[s];
      if (!memo->lower_all)
        lower_ascii (lower + se->off, t->s + se->off, se->end - se->off);
      sig_fill (sig, lower, se->off, se->end);
      memo->sent_sig_done[s] = true;
    }
  return sig;
}

/* Where a gate looks: bytes [OFF, END) of HAY, whose signature is SIG (a sentence) or NULL (a
   whole body).  FIRST, if not NULL, records where each byte value first occurs there (0: not
   looked for yet, 1: nowhere, else 2 + its offset from OFF), filled in as strings are looked
   for: the message rules' strings often begin alike ("[no", "[missing", "[unknown" of
   several rules, "{$user.", "{$lead.", "{$contact.") and mostly with a byte the body lacks,
   which one search then tells for all of them, where each used to read the whole body. */
struct gate_view
{
  const char *hay;
  size_t off, end;
  const uint64_t *sig;
  uint32_t *first;
};

/* A body longer than this gets no FIRST (its offsets would not fit). */
#define GATE_FIRST_MAX_LEN ((size_t) UINT32_MAX - 2)

/* Does the view V contain the LEN bytes at NEEDLE?  Out of line: the gate's walk asks the
   signature about twenty times as often, and stays small without this. */
static RULES_NOINLINE bool
view_contains (const struct gate_view *v, const char *needle, size_t len)
{
  size_t from = v->off;
  if (v->first)
    {
      uint32_t *f = &v->first[(unsigned char) needle[0]];
      if (*f == 0)
        {
          const char *at = memchr (v->hay + v->off, needle[0], v->end - v->off);
          *f = at ? (uint32_t) (at - (v->hay + v->off)) + 2 : 1;
        }
      if (*f == 1)
        return false;
      from = v->off + *f - 2;
    }
  /* A letter, digit or space is found every few bytes in most text (see contains). */
  unsigned char c = (unsigned char) needle[0];
  bool common = c == ' ' || lit_is_alnum (c);
  return contains (v->hay + from, v->end - from, needle, len, v->sig || common);
}

/* Does the view V hold one of the strings of the leaf NODE of G?  With a signature, a string
   with a pair of bytes the sentence lacks is passed over without reading the sentence. */
static inline bool
leaf_allows (const struct rule_gate *g, const struct gate_node *node, const struct gate_view *v)
{
  const struct gate_str *x = &g->str[node->at], *last = x + node->n;
  const uint64_t *sig = v->sig;
  if (!sig)
    {
      for (; x < last; x++)
        if (view_contains (v, (const char *) g->bytes + x->off, x->len))
          return true;
      return false;
    }
  /* Most strings are told apart by their first pair (every string has one: gate_add_string
     keeps none shorter than two bytes). */
  for (; x < last; x++)
    {
      unsigned p = x->pair[0];
      if (!(sig[p / 64] >> (p % 64) & 1))
        continue;
      size_t k = 1;
      while (k < x->npair && (sig[x->pair[k] / 64] >> (x->pair[k] % 64) & 1))
        k++;
      if (k == x->npair && view_contains (v, (const char *) g->bytes + x->off, x->len))
        return true;
    }
  return false;
}

/* Does the view V satisfy node N of the gate G?  The kid of an AND that said no moves one
   place forward, so that the kids that most often turn a text away come to be asked first
   (the order of an AND's kids changes only what an answer costs, not the answer).  Leaf kids
   are asked here rather than through a call of this function, which saves most calls. */
static bool
gate_allows (struct rule_gate *g, size_t n, const struct gate_view *v)
{
  const struct gate_node *node = &g->node[n];
  if (node->kind == GATE_LEAF)
    return leaf_allows (g, node, v);
  bool want = node->kind == GATE_OR;
  uint16_t *kid = g->kid + node->at;
  for (size_t k = 0; k < node->n; k++)
    {
      const struct gate_node *sub = &g->node[kid[k]];
      bool holds = sub->kind == GATE_LEAF ? leaf_allows (g, sub, v) : gate_allows (g, kid[k], v);
      if (holds == want)
        {
          if (!want && k > 0)
            {
              uint16_t before = kid[k - 1];
              kid[k - 1] = kid[k];
              kid[k] = before;
            }
          return want;
        }
    }
  return !want;
}

/* May a pattern with the prefilter LIT match in the view V?  Only if its gate holds there.
   Count the answer in USE, and turn the prefilter off if it does not pay. */
static bool
literals_allow (const struct rule_literals *lit, struct lit_use *use, const struct gate_view *v)
{
  bool allow = gate_allows (lit->gate, 0, v);
  use->checks++;
  use->rejects += !allow;
  if (use->checks == LIT_TRIAL && use->rejects < LIT_TRIAL / LIT_KEEP_RATIO)
    use->state = LIT_OFF;
  return allow;
}

/* Append node N of the gate G to B, its kids and strings after it. */
static void
describe_gate (struct strbuf *b, const struct rule_gate *g, size_t n)
{
  const struct gate_node *node = &g->node[n];
  char head[32];
  snprintf (head, sizeof head, "(%c%u", "LAO"[node->kind], (unsigned) node->n);
  strbuf_str (b, head);
  for (size_t k = 0; k < node->n; k++)
    {
      strbuf_chr (b, ' ');
      if (node->kind != GATE_LEAF)
        {
          describe_gate (b, g, g->kid[node->at + k]);
          continue;
        }
      const struct gate_str *x = &g->str[node->at + k];
      strbuf_add (b, g->bytes + x->off, x->len);
      for (size_t j = 0; j < x->npair; j++)
        {
          snprintf (head, sizeof head, ":%u", (unsigned) x->pair[j]);
          strbuf_str (b, head);
        }
    }
  strbuf_chr (b, ')');
}

/* Append the strings of S to B. */
static void
describe_set (struct strbuf *b, const struct lit_set *s)
{
  char num[16];
  snprintf (num, sizeof num, "%u[", (unsigned) s->n);
  strbuf_str (b, num);
  for (unsigned k = 0; k < s->n; k++)
    {
      snprintf (num, sizeof num, "%s%u:", k ? " " : "", (unsigned) s->len[k]);
      strbuf_str (b, num);
      strbuf_add (b, s->s[k], s->len[k]);
    }
  strbuf_chr (b, ']');
}

char *
rules_literals_describe (const char *pattern, unsigned flags, bool sentence, bool plain)
{
  struct rule_literals lit;
  pattern_literals (pattern, flags, sentence ? SIZE_MAX : LIT_MAX, plain, &lit);
  struct strbuf b = { 0 };
  char num[64];
  snprintf (num, sizeof num, "caseless %d signs %d no_anchored %d gate ", lit.caseless,
            lit.no_signs, lit.no_anchored);
  strbuf_str (&b, num);
  if (lit.gate)
    describe_gate (&b, lit.gate, 0);
  else
    strbuf_str (&b, "none");
  if (lit.starts)
    {
      snprintf (num, sizeof num, " starts %d ", lit.start_caseless);
      strbuf_str (&b, num);
      describe_set (&b, &lit.start);
      for (unsigned f = 0; f < lit.nfirst; f++)
        {
          snprintf (num, sizeof num, " %02x/%04x", lit.first[f], (unsigned) lit.first_of[f]);
          strbuf_str (&b, num);
        }
      for (size_t w = 0; w < 4; w++)
        {
          snprintf (num, sizeof num, " %016llx.%016llx", (unsigned long long) lit.open[w],
                    (unsigned long long) lit.second[w]);
          strbuf_str (&b, num);
        }
    }
  strbuf_chr (&b, '\n');
  free (lit.gate);
  if (b.failed)
    {
      strbuf_free (&b);
      return NULL;
    }
  return b.s;
}

int
rules_lower_sig_agree (const char *text, size_t len)
{
  char *lower = malloc (len + 1);
  if (!lower)
    return -1;
  lower_ascii (lower, text, len);
  bool agree = true;
  for (size_t k = 0; k < len && agree; k++)
    {
      unsigned char c = (unsigned char) text[k];
      agree = (unsigned char) lower[k] == (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
  /* Ranges that start and end anywhere in a block of sixteen. */
  const size_t from[] = { 0, 1, 7, 15, 16, len / 3 }, cut[] = { 0, 1, 2, 15, 16, 17 };
  for (size_t a = 0; a < sizeof from / sizeof *from && agree; a++)
    for (size_t b = 0; b < sizeof cut / sizeof *cut && agree; b++)
      {
        size_t off = from[a], end = len > cut[b] ? len - cut[b] : 0;
        if (off > end)
          continue;
        uint64_t sig[SIG_WORDS], plain[SIG_WORDS] = { 0 };
        sig_fill (sig, lower, off, end);
        for (size_t k = off; k + 1 < end; k++)
          {
            unsigned bit = sig_bit ((unsigned char) lower[k], (unsigned char) lower[k + 1]);
            plain[bit / 64] |= UINT64_C (1) << (bit % 64);
          }
        agree = memcmp (sig, plain, sizeof sig) == 0;
      }
  free (lower);
  return agree;
}

int
rules_gate_allows (const char *pattern, unsigned flags, const char *text, size_t len,
                   bool sentence)
{
  struct rule_literals lit;
  pattern_literals (pattern, flags, sentence ? SIZE_MAX : LIT_MAX, false, &lit);
  if (!lit.gate)
    return 2;
  int allow = 1;
  char *lower = malloc (len + 1);
  if (!lower)
    allow = -1;
  else if (!lit.no_signs || !has_sign (text, len))
    {
      lower_ascii (lower, text, len);
      uint64_t sig[SIG_WORDS];
      sig_fill (sig, lower, 0, len);
      /* A message is asked twice, as the second of several rules would find FIRST. */
      uint32_t first[256] = { 0 };
      struct gate_view v = { lit.caseless ? lower : text, 0, len, sentence ? sig : NULL,
                             sentence || len > GATE_FIRST_MAX_LEN ? NULL : first };
      allow = gate_allows (lit.gate, 0, &v);
      if (v.first && gate_allows (lit.gate, 0, &v) != allow)
        allow = -2;
    }
  free (lower);
  free (lit.gate);
  return allow;
}

bool
rules_sentence_in_scope (const struct rule *r, const struct text *t, size_t s)
{
  unsigned char needs = scope_needs (r->scope);
  return (sentence_scope (t, s) & needs) == needs;
}

bool
rules_triggers_in_subject (const struct rule *r, const char *subject)
{
  if (r->ntrigger == 0)
    return true;
  if (!subject)
    return false;
  size_t len = strlen (subject);
  for (size_t k = 0; k < r->ntrigger; k++)
    {
      const char *tr = r->trigger[k];
      size_t n = strlen (tr);
      bool prefix = n > 0 && tr[n - 1] == '*';
      if (prefix)
        n--;
      if (n == 0)
        continue;
      /* Only where the trigger's first byte stands: a compare at every byte was most of a
         short mail's subject rules. */
      for (const char *p = subject; (p = memchr (p, tr[0], len - (size_t) (p - subject))); p++)
        {
          if (strncmp (p, tr, n) != 0)
            continue;
          unsigned char before = p > subject ? (unsigned char) p[-1] : ' ';
          unsigned char after = (unsigned char) p[n];
          bool word_before = before >= 0x80 || (before >= 'a' && before <= 'z')
            || (before >= '0' && before <= '9');
          bool word_after = after >= 0x80 || (after >= 'a' && after <= 'z')
            || (after >= '0' && after <= '9');
          if (!word_before && (prefix || !word_after))
            return true;
        }
    }
  return false;
}

int
rules_lang_code (const char *l)
{
  return !l ? 3 : strcmp (l, "de") == 0 ? 1 : 2;
}

/* May a rule of language WANT (rule_lang_code) run on sentence S?  Undecided sentences
   (short ones such as "Interesse?") follow the whole text; an undecided text lets every rule
   run. */
static bool
lang_allows (struct match_run *run, int want, size_t s)
{
  if (want == 0)
    return true;
  const struct text_memo *memo = run->memo;
  int got = s != LANG_WHOLE_TEXT && memo->sent_lang ? memo->sent_lang[s] : 3;
  if (got == 3)
    got = memo->text_lang;
  return got == 3 || got == want;
}

static const char *
default_class (const char *tool)
{
  if (!tool)
    return "RULE";
  if (strcmp (tool, "detect-bait-question") == 0)
    return "BAIT";
  if (strcmp (tool, "detect-template") == 0)
    return "TEMPLATE";
  if (strcmp (tool, "detect-duzen") == 0)
    return "DU";
  if (strcmp (tool, "score-outreach") == 0)
    return "OUTREACH";
  return "RULE";
}

static bool
starts_character (const char *s, size_t len, size_t i)
{
  return i >= len || ((unsigned char) s[i] & 0xC0) != 0x80;
}

/* u8_check's loop costs a few instructions a byte, and a body is mostly ASCII: only the runs
   of non-ASCII bytes go to u8_check.  Cutting the text before each ASCII byte changes nothing,
   as an ASCII byte always starts a character: valid UTF-8 never has a character across such a
   cut, and a run that ends inside a character is invalid in the whole text too. */
bool
rules_utf8_valid (const char *s, size_t n)
{
  size_t i = 0;
  while ((i += charset_ascii_run ((const unsigned char *) s + i, n - i)) < n)
    {
      size_t j = i;
      while (j < n && (unsigned char) s[j] >= 0x80)
        j++;
      if (u8_check ((const uint8_t *) s + i, j - i))
        return false;
      i = j;
    }
  return true;
}

/* PCRE2_NO_UTF_CHECK when SUBJ[START, END) is known valid UTF-8 (checked once per call for the
   body and the subject, not once per pattern and match attempt), else 0. */
static uint32_t
utf_check_option (struct match_run *run, const char *subj, size_t start, size_t end, bool in_body)
{
  int *known = in_body ? &run->memo->body_utf : &run->subject_utf;
  size_t len = in_body ? run->t->len : strlen (subj);
  if (*known < 0)
    *known = rules_utf8_valid (subj, len);
  if (*known && starts_character (subj, len, start) && starts_character (subj, len, end))
    return PCRE2_NO_UTF_CHECK;
  return 0;
}

/* Append the finding of R's match SUBJ[START + MSTART, START + MEND) (a range of the body, or of
   the subject when IN_BODY is false), unless it starts in text that is not the sender's own.
   Return 0, or -1 on ENOMEM. */
static int
add_match (const struct rule *r, const struct match_run *run, const char *subj, size_t start,
           size_t mstart, size_t mend, bool in_body, struct findings *out)
{
  const struct text *t = run->t;
  unsigned flags = 0;
  if (in_body)
    {
      uint8_t m = t->mask ? t->mask[start + mstart < t->len ? start + mstart : t->len - 1] : 0;
      if (m & TEXT_NOT_OWN)
        return 0;
      if (m & TEXT_SPEECH)
        flags |= FIND_QUOTED;
    }
  const char *cls = r->cls ? r->cls : default_class (r->tool);
  int st = in_body
    ? findings_add (out, subj, r->id, cls, SEV_MEDIUM, flags, start + mstart, mend - mstart)
    : findings_add (out, NULL, r->id, cls, SEV_MEDIUM, flags, 0, 0);
  if (st < 0)
    return -1;
  out->v[out->n - 1].weight = r->weight;
  if (!in_body)
    {
      /* A subject finding has no body range; keep the matched words for people. */
      char *m = malloc (mend - mstart + 1);
      if (m)
        {
          memcpy (m, subj + start + mstart, mend - mstart);
          m[mend - mstart] = '\0';
          free (out->v[out->n - 1].match);
          out->v[out->n - 1].match = m;
        }
    }
  return 0;
}

/* Rule I's pattern compiled anchored, for trying it at one start at a time, if that is worth
   it for STARTS (its start strings, in use): NULL if not.  PCRE2's JIT finds a pattern's first
   byte quickly if there is one (or one letter in two cases), but with more it tests every byte
   against a bitmap; TEMPLATE_PLACEHOLDER ("[", "{", "-", "~") scanned 3 MB of the corpus
   bodies so, from the first "[" of a body to its end, at some 3 cycles a byte.  The anchored
   copy is made once the pattern itself is JIT-compiled, as only a batch gets that far. */
static pcre2_code *
anchored_code (struct match_run *run, const struct rule *r, size_t i,
               const struct rule_literals *starts)
{
  struct rule_literals *lit = &run->ix->lit[i];
  if (starts != lit || lit->no_anchored || lit->nfirst <= 2 || !run->ix->jit_tried[i])
    return NULL;
  if (!lit->anchored)
    {
      int errcode;
      PCRE2_SIZE erroff;
      lit->anchored = pcre2_compile ((PCRE2_SPTR) r->pattern, PCRE2_ZERO_TERMINATED,
                                     r->pattern_flags | PCRE2_ANCHORED, &errcode, &erroff, NULL);
      if (!lit->anchored)
        {
          lit->no_anchored = true;
          return NULL;
        }
      pcre2_jit_compile (lit->anchored, PCRE2_JIT_COMPLETE);   /* failure only means no JIT */
    }
  return lit->anchored;
}

/* Run R over SUBJ[START, END) (a range of the body, or the subject when IN_BODY is false) and
   append a finding per match.  With LOG, also append each match (relative to START) to LOG,
   unless it is full: then set LOG->full.  Return 0, or -1 on ENOMEM. */
static int
match_range (struct rule *r, size_t i, struct match_run *run, const char *subj, size_t start,
             size_t end, bool in_body, struct match_log *log, struct findings *out)
{
  pcre2_code *code = rules_pattern_code (r, run->cache, NULL, 0);
  if (!code)
    return 0;
  r->scanned += end - start;
  if (r->scanned >= run->jit_after && !run->ix->jit_tried[i])
    {
      run->ix->jit_tried[i] = 1;
      pcre2_jit_compile (code, PCRE2_JIT_COMPLETE);   /* failure only means no JIT */
    }

  uint32_t options = utf_check_option (run, subj, start, end, in_body);
  PCRE2_SPTR base = (PCRE2_SPTR) subj + start;
  size_t len = end - start, pos = 0;
  /* Where the pattern's start strings say no match can begin, PCRE2 need not look: the search
     starts at the first place one of them stands, and ends when there is none.  PCRE2 tries
     each start position afresh (its match limit counts per position), so it finds the same
     matches.  Only for text known to be valid UTF-8: PCRE2 checks the subject from the start
     offset on, and a later one could pass over a fault that makes the whole search fail. */
  const struct rule_literals *starts = options & PCRE2_NO_UTF_CHECK ? rule_starts (run->ix, i) : NULL;
  if (starts && starts->no_signs)
    starts = in_body ? literals_for_body (run, starts) : has_sign (subj, end) ? NULL : starts;
  /* In a long range, each start is first tried on its own (see anchored_code): where no
     match begins, the next start is looked for.  Where one does, or the try fails otherwise,
     the search runs from there as before, and finds what it found before.  After
     ANCHORED_TRIES tries a range is searched as before. */
  pcre2_code *anchored = starts && len >= ANCHORED_MIN_LEN ? anchored_code (run, r, i, starts)
    : NULL;
  int tries = ANCHORED_TRIES;
  for (int found = 0; found < MATCHES_PER_RANGE && pos <= len; found++)
    {
      if (starts && (pos = next_start (starts, base, len, pos)) == SIZE_MAX)
        break;
      for (; anchored && tries > 0; tries--)
        if (pcre2_match (anchored, base, len, pos, options, run->md, run->mctx)
            != PCRE2_ERROR_NOMATCH
            || (pos = next_start (starts, base, len, pos + 1)) == SIZE_MAX)
          break;
      if (pos == SIZE_MAX)
        break;
      int rc = pcre2_match (code, base, len, pos, options, run->md, run->mctx);
      if (rc < 0)
        break;                  /* no match, a limit hit, or invalid UTF-8: all "no match" */
      PCRE2_SIZE *ov = pcre2_get_ovector_pointer (run->md);
      size_t mstart = ov[0], mend = ov[1];
      if (mend < mstart)
        break;                  /* \K games; nothing sensible to report */
      if (log && !log_add (log, mstart, mend))
        return -1;
      if (add_match (r, run, subj, start, mstart, mend, in_body, out) < 0)
        return -1;
      if (mend > mstart)
        pos = mend;
      else
        {
          /* An empty match: step over one UTF-8 character. */
          pos = mend + 1;
          while (pos < len && (base[pos] & 0xC0) == 0x80)
            pos++;
        }
    }
  return 0;
}

/* Run R (rule I) over sentence S of the text.  A pattern's matches in a sentence depend on its
   bytes alone (the match runs on the sentence as its own subject), so a sentence that repeats
   an earlier one with the same bytes takes the earlier one's matches from RUN's memo instead
   of running the pattern again; only whether each match is the sender's own text is looked at
   anew.  Return 0, or -1 on ENOMEM. */
static int
match_sentence (struct rule *r, size_t i, struct match_run *run, size_t s, struct findings *out)
{
  const struct text *t = run->t;
  const struct text_sentence *sent = &t->sent[s];
  struct text_memo *memo = run->memo;
  /* Looked for when a sentence rule first runs: many texts have none that does. */
  if (!memo->repeats_found)
    {
      if (find_repeats (memo, t) < 0)
        return -1;
      memo->repeats_found = true;
    }
  if (!memo->repeats || !memo->repeated[memo->first_same[s]])
    return match_range (r, i, run, t->s, sent->off, sent->end, true, NULL, out);
  struct match_log *log = &memo->log;
  size_t first = memo->first_same[s];
  if (log->rule != i + 1)
    {
      /* A new rule: forget the last one's matches. */
      log->rule = i + 1;
      log->n = 0;
      log->full = false;
      for (size_t k = 0; k < memo->nrepeated; k++)
        memo->logged[memo->repeated_list[k]] = false;
    }
  if (memo->logged[first])
    {
      for (uint32_t k = 0; k < memo->log_n[first]; k++)
        {
          const struct logged_match *m = &log->v[memo->log_at[first] + k];
          if (add_match (r, run, t->s, sent->off, m->start, m->end, true, out) < 0)
            return -1;
        }
      return 0;
    }
  size_t at = log->n;
  if (match_range (r, i, run, t->s, sent->off, sent->end, true, log->full ? NULL : log, out) < 0)
    return -1;
  if (!log->full)
    {
      memo->logged[first] = true;
      memo->log_at[first] = (uint32_t) at;
      memo->log_n[first] = (uint32_t) (log->n - at);
    }
  return 0;
}

/* SUBJECT lower-cased (or SUBJECT itself if it cannot be), remembered in MEMO; NULL on
   ENOMEM. */
static const char *
subject_lowered (struct text_memo *memo, const char *subject)
{
  if (!memo->subject || strcmp (memo->subject, subject) != 0)
    {
      free (memo->subject);
      free (memo->subject_lower);
      memo->subject_lower = NULL;
      if (!(memo->subject = strdup (subject)))
        return NULL;
      size_t n = strlen (subject);
      if (charset_ascii_run ((const unsigned char *) subject, n) == n)
        {
          /* u8_tolower without a language changes only A to Z in ASCII text, at some 70
             instructions a byte. */
          if ((memo->subject_lower = malloc (n + 1)))
            {
              lower_ascii (memo->subject_lower, subject, n);
              memo->subject_lower[n] = '\0';
            }
          return memo->subject_lower ? memo->subject_lower : memo->subject;
        }
      uint8_t *low = u8_tolower ((const uint8_t *) subject, n, NULL, NULL, NULL, &n);
      if (low)
        {
          char *z = realloc (low, n + 1);
          if (!z)
            {
              free (low);
              free (memo->subject);
              memo->subject = NULL;
              return NULL;
            }
          z[n] = '\0';
          memo->subject_lower = z;
        }
    }
  return memo->subject_lower ? memo->subject_lower : memo->subject;
}

/* Run rule I of the ruleset, R, over the text of RUN. */
static int
run_rule (struct rule *r, size_t i, struct match_run *run, const char *subject,
          struct findings *out)
{
  const struct text *t = run->t;
  if (r->scope == SCOPE_SUBJECT)
    {
      if (!subject)
        return 0;
      const char *lower = subject_lowered (run->memo, subject);
      if (!lower)
        return -1;
      if (!rules_triggers_in_subject (r, lower))
        return 0;
      return match_range (r, i, run, subject, 0, strlen (subject), false, NULL, out);
    }
  if (r->ntrigger && !bit_test (run->memo->text_rules, i))
    return 0;
  if (!body_may_match (run, &run->ix->need[i]))
    return 0;
  const struct rule_literals *lit = literals_for_body (run, rule_literals (run->ix, r, i));
  struct lit_use *use = &run->ix->lit_use[i];
  if (r->scope == SCOPE_MESSAGE)
    {
      const char *hay = !lit ? NULL : lit->caseless ? lowered_body (run, true) : t->s;
      if (hay)
        {
          uint32_t *first = NULL;
          if (t->len <= GATE_FIRST_MAX_LEN)
            {
              first = run->body_first[lit->caseless];
              if (!run->body_first_ready[lit->caseless])
                {
                  memset (first, 0, sizeof *run->body_first);
                  run->body_first_ready[lit->caseless] = true;
                }
            }
          struct gate_view v = { hay, 0, t->len, NULL, first };
          if (!literals_allow (lit, use, &v))
            return 0;
        }
      if (!lang_allows (run, run->ix->lang[i], LANG_WHOLE_TEXT))
        return 0;
      return match_range (r, i, run, t->s, 0, t->len, true, NULL, out);
    }
  /* The sentences to look at: those its triggers occur in, or all. */
  const struct text_memo *memo = run->memo;
  const uint32_t *list = r->ntrigger ? memo->rule_sent + memo->rule_sent_at[i] : NULL;
  size_t n = r->ntrigger ? memo->rule_sent_at[i + 1] - memo->rule_sent_at[i] : t->nsent;
  unsigned char needs = scope_needs (r->scope);
  for (size_t k = 0; k < n; k++)
    {
      size_t s = list ? list[k] : k;
      const struct text_sentence *sent = &t->sent[s];
      if ((memo->sent_scope[s] & needs) != needs)
        continue;
      if (use->state == LIT_NOT_YET)
        lit = literals_for_body (run, rule_literals (run->ix, r, i));   /* it may have scanned
                                                                            enough now */
      const uint64_t *sig;
      if (lit && use->state == LIT_ON && (sig = sentence_sig (run, s)))
        {
          struct gate_view v = { lit->caseless ? run->memo->ascii_lower : t->s,
                                 sent->off, sent->end, sig, NULL };
          if (!literals_allow (lit, use, &v))
            continue;
        }
      if (!lang_allows (run, run->ix->lang[i], s))
        continue;
      if (match_sentence (r, i, run, s, out) < 0)
        return -1;
    }
  return 0;
}

/* The index in IX->tools of TOOL; IX->ntools if no rule is of it. */
static size_t
index_tool (const struct rules_index *ix, const char *tool)
{
  size_t k = 1;
  while (k < ix->ntools && strcmp (ix->tools[k], tool) != 0)
    k++;
  return k;
}

int
rules_match (struct ruleset *rs, const char *tool, const struct text *t, const char *subject,
             struct findings *out)
{
  uint32_t body_first[2][256];
  struct match_run run = { .t = t, .subject_utf = -1, .body_first = body_first };
  int status = -1;

  /* Nothing to do (and no index to build) for a tool without pattern rules. */
  bool any = false;
  const struct rules_index *known = rs->priv ? rs->priv->index : NULL;
  if (known && known->nrules == rs->n)
    {
      size_t k = index_tool (known, tool);
      for (size_t j = known->tool_at[k]; j < known->tool_at[k + 1] && !any; j++)
        any = !rs->v[known->tool_rules[j]].compile_failed;
    }
  else
    for (size_t i = 0; i < rs->n && !any; i++)
      any = rs->v[i].pattern && !rs->v[i].compile_failed && rs->v[i].tool
        && strcmp (rs->v[i].tool, tool) == 0;
  if (!any)
    return 0;

  struct rules_private *priv = rules_private_get (rs);
  if (!priv)
    goto out;
  if (priv->index && priv->index->nrules != rs->n)
    {
      rules_index_free (priv->index);
      priv->index = NULL;
    }
  if (!priv->index)
    {
      if (!(priv->index = index_build (rs)))
        goto out;
      priv->index_gen++;
    }
  run.ix = priv->index;
  if (!run.ix->words_cache && priv->calls >= BATCH_CALLS)
    {
      /* Only in batch mode: one message's words seldom repeat across its two calls (which
         share the memo anyway), and the table's pages would cost a single delivery more than
         it saves.  Without memory for it, words are looked up afresh. */
      struct word_cache *c = calloc (1, sizeof *c);
      if (c && !(c->bitmaps = malloc (WORD_CACHE_BITMAPS * run.ix->words * sizeof *c->bitmaps)))
        {
          free (c);
          c = NULL;
        }
      if (c)
        c->gen = 1;             /* calloc's slots, of generation 0, are empty */
      priv->index->words_cache = c;
    }
  if (!priv->mctx)
    {
      if (!(priv->mctx = pcre2_match_context_create (NULL)))
        goto out;
      pcre2_set_match_limit (priv->mctx, MATCH_LIMIT);
      pcre2_set_depth_limit (priv->mctx, DEPTH_LIMIT);
      pcre2_set_heap_limit (priv->mctx, HEAP_LIMIT_KIB);
    }
  if (!priv->md && !(priv->md = pcre2_match_data_create (1, NULL)))
    goto out;
  run.mctx = priv->mctx;
  run.md = priv->md;
  run.jit_after = ++priv->calls > BATCH_CALLS ? JIT_BATCH_BYTES : JIT_AFTER_BYTES;
  priv->index->lit_after = priv->calls > BATCH_CALLS ? LIT_BATCH_BYTES : LIT_AFTER_BYTES;
  run.cache = rules_cache (rs);
  if (!priv->memo && !(priv->memo = calloc (1, sizeof *priv->memo)))
    goto out;
  run.memo = priv->memo;
  if (!memo_knows (priv->memo, t, priv->index_gen))
    {
      memo_start (priv->memo, t, priv->index_gen);
      if (find_triggered (&run) < 0)
        {
          rules_memo_clear (priv->memo);
          goto out;
        }
    }

  status = 0;
  size_t tool_id = index_tool (run.ix, tool), words = run.ix->words;
  const uint64_t *always = run.ix->tool_always + tool_id * words;
  const uint64_t *triggered = run.ix->tool_triggered + tool_id * words;
  const uint64_t *text_rules = run.memo->text_rules;
  /* The tool's rules in rule order, as in tool_rules, less those no word triggered. */
  for (size_t w = 0; w < words && status == 0; w++)
    for (uint64_t b = always[w] | (triggered[w] & text_rules[w]); b && status == 0; b &= b - 1)
      {
        size_t i = w * 64 + (size_t) __builtin_ctzll (b);
        struct rule *r = &rs->v[i];
        if (!r->compile_failed)
          status = run_rule (r, i, &run, subject, out);
      }

out:
  if (status < 0)
    errno = ENOMEM;
  return status;
}
