/* rules-match.c: run the rules' patterns over a text, behind the trigger index and prefilters. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* What rules_match does for the user is described in rules.c's opening comment ("Matching",
   and how patterns are compiled and run); this file is the machinery. */

#include <config.h>
#include "rules.h"
#include "rules-priv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unistr.h>

#include "lang.h"

enum
{
  MATCH_LIMIT = 100000,         /* backtracking steps per match attempt */
  DEPTH_LIMIT = 1000,           /* nested backtracking frames */
  HEAP_LIMIT_KIB = 20000,       /* heap for backtracking frames */
  MATCHES_PER_RANGE = 64,       /* findings one rule may report in one sentence */
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
  struct rule_need *need;       /* per rule */
  unsigned char *jit_tried;     /* per rule: pcre2_jit_compile was called for its pattern */
  /* Per rule: its language (0 any, 1 de, 2 en) and its tool, as an index into tools (the
     distinct tool names, tools[0] standing for none), so that a call compares the tool name
     a few times instead of once per rule. */
  unsigned char *lang;
  size_t *tool;
  const char **tools;
  size_t ntools;
};

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
  free (ix->jit_tried);
  free (ix->lang);
  free (ix->tool);
  free (ix->tools);
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
  ix->lang = calloc (rs->n + 1, 1);
  ix->tool = calloc (rs->n + 1, sizeof *ix->tool);
  ix->tools = calloc (rs->n + 1, sizeof *ix->tools);
  if (!ix->slot || !ix->entry || !ix->filter || !ix->bits || !ix->every_word || !ix->need || !ix->jit_tried
      || !ix->lang || !ix->tool || !ix->tools)
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
  signed char *sent_lang;       /* per sentence: 0 not yet guessed, 1 de, 2 en, 3 undecided */
  int text_lang;                /* the same for the whole text */
  int body_utf;                 /* -1 not yet checked, 0 invalid UTF-8, 1 valid */
  signed char has_byte[256];    /* -1 not yet looked for, 0 absent from the body, 1 present */
  /* The last subject a subject rule looked at, and its lower-cased form (NULL if it could not
     be lower-cased: then the subject itself serves); u8_tolower cost more than the rest of a
     rules_match call on a short mail. */
  char *subject;
  char *subject_lower;
  /* Sentences that repeat: first_same[s] is the first sentence with the same bytes as S;
     repeated[f] says that sentence F has later copies (listed in repeated_list); REPEATS says
     whether there are any.  And for the rule in LOG, the matches of each such first sentence
     that it ran on: logged[f], then log_n[f] matches from log->v[log_at[f]]. */
  bool repeats;
  uint32_t *first_same;
  bool *repeated;
  uint32_t *repeated_list;
  size_t nrepeated;
  bool *logged;
  uint32_t *log_at, *log_n;
  struct match_log log;
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
};

/* Forget what MEMO knew. */
void
rules_memo_clear (struct text_memo *memo)
{
  free (memo->s);
  free (memo->sent);
  free (memo->text_rules);
  free (memo->sent_lang);
  free (memo->subject);
  free (memo->subject_lower);
  free (memo->first_same);
  free (memo->repeated);
  free (memo->repeated_list);
  free (memo->logged);
  free (memo->log_at);
  free (memo->log_n);
  free (memo->log.v);
  memset (memo, 0, sizeof *memo);
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
  rules_memo_clear (memo);
  memo->index_gen = gen;
  memo->body_utf = -1;
  memset (memo->has_byte, -1, sizeof memo->has_byte);
  if (t->len > MEMO_MAX_BYTES || t->len == 0)
    return;
  memo->len = t->len;
  memo->ntok = t->ntok;
  memo->nsent = t->nsent;
  memo->s = malloc (t->len);
  memo->sent = malloc (t->nsent * sizeof *t->sent + 1);
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
  uint32_t *slot = calloc (nslots, sizeof *slot);     /* sentence index + 1, 0 empty */
  uint64_t *hash = malloc (t->nsent * sizeof *hash);
  memo->first_same = malloc (t->nsent * sizeof *memo->first_same);
  memo->repeated = calloc (t->nsent, sizeof *memo->repeated);
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
      memo->repeated_list = malloc (memo->nrepeated * sizeof *memo->repeated_list);
      memo->logged = calloc (t->nsent, sizeof *memo->logged);
      memo->log_at = malloc (t->nsent * sizeof *memo->log_at);
      memo->log_n = malloc (t->nsent * sizeof *memo->log_n);
      if (!memo->repeated_list || !memo->logged || !memo->log_at || !memo->log_n)
        goto out;
      size_t n = 0;
      for (size_t f = 0; f < t->nsent; f++)
        if (memo->repeated[f])
          memo->repeated_list[n++] = (uint32_t) f;
    }
  status = 0;
out:
  free (slot);
  free (hash);
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

/* Fill RUN's text_rules and sent_rules from the words of T; return 0 or -1 (ENOMEM). */
static int
find_triggered (struct match_run *run)
{
  const struct text *t = run->t;
  const struct rules_index *ix = run->ix;
  struct text_memo *memo = run->memo;
  size_t words = ix->words;
  memo->text_rules = calloc (words * (t->nsent + 1), sizeof *memo->text_rules);
  uint64_t *acc = calloc (words, sizeof *acc);
  /* The words that trigger something, in token order, with what they trigger. */
  size_t *hit_tok = NULL;
  uint64_t *hit_bits = NULL;
  size_t nhits = 0, cap = 0;
  int status = -1;
  if (!memo->text_rules || !acc)
    goto out;
  memo->sent_rules = memo->text_rules + words;
  bool any_every = false;
  for (size_t w = 0; w < words; w++)
    any_every |= ix->every_word[w] != 0;
  for (size_t i = 0; i < t->ntok; i++)
    {
      memset (acc, 0, words * sizeof *acc);
      word_rules (ix, text_lower (t, i), acc);
      if (any_every)
        bits_or (acc, ix->every_word, words);
      bool any = false;
      for (size_t w = 0; w < words && !any; w++)
        any = acc[w] != 0;
      if (!any)
        continue;
      if (!(t->tok[i].mask & TEXT_NOT_OWN))
        bits_or (memo->text_rules, acc, words);
      if (nhits == cap)
        {
          cap = cap ? 2 * cap : 64;
          size_t *nt = realloc (hit_tok, cap * sizeof *nt);
          if (nt)
            hit_tok = nt;
          uint64_t *nb = nt ? realloc (hit_bits, cap * words * sizeof *nb) : NULL;
          if (!nb)
            goto out;
          hit_bits = nb;
        }
      hit_tok[nhits] = i;
      memcpy (hit_bits + nhits * words, acc, words * sizeof *acc);
      nhits++;
    }
  for (size_t s = 0; s < t->nsent && nhits; s++)
    {
      const struct text_sentence *sent = &t->sent[s];
      size_t first = sent->first_tok, end = first + sent->ntok;
      if (end > t->ntok)
        end = t->ntok;
      size_t lo = 0, hi = nhits;
      while (lo < hi)
        {
          size_t mid = (lo + hi) / 2;
          if (hit_tok[mid] < first)
            lo = mid + 1;
          else
            hi = mid;
        }
      for (size_t k = lo; k < nhits && hit_tok[k] < end; k++)
        bits_or (memo->sent_rules + s * words, hit_bits + k * words, words);
    }
  status = 0;
out:
  free (acc);
  free (hit_tok);
  free (hit_bits);
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

/* Whole-word search of TRIGGER in the lower-cased subject. */
static bool
triggers_in_subject (const struct rule *r, const char *subject)
{
  if (r->ntrigger == 0)
    return true;
  if (!subject)
    return false;
  for (size_t k = 0; k < r->ntrigger; k++)
    {
      const char *tr = r->trigger[k];
      size_t n = strlen (tr);
      bool prefix = n > 0 && tr[n - 1] == '*';
      if (prefix)
        n--;
      if (n == 0)
        continue;
      for (const char *p = subject; *p; p++)
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

/* 1 de, 2 en, 3 undecided. */
static int
lang_code (const char *l)
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
  int got = 3;
  struct text_memo *memo = run->memo;
  if (s != LANG_WHOLE_TEXT && memo->sent_lang)
    {
      if (memo->sent_lang[s] == 0)
        memo->sent_lang[s] = lang_code (lang_guess (run->t, s));
      got = memo->sent_lang[s];
    }
  if (got == 3)
    {
      if (memo->text_lang == 0)
        memo->text_lang = lang_code (lang_guess (run->t, LANG_WHOLE_TEXT));
      got = memo->text_lang;
    }
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

/* PCRE2_NO_UTF_CHECK when SUBJ[START, END) is known valid UTF-8 (checked once per call for the
   body and the subject, not once per pattern and match attempt), else 0. */
static uint32_t
utf_check_option (struct match_run *run, const char *subj, size_t start, size_t end, bool in_body)
{
  int *known = in_body ? &run->memo->body_utf : &run->subject_utf;
  size_t len = in_body ? run->t->len : strlen (subj);
  if (*known < 0)
    *known = u8_check ((const uint8_t *) subj, len) == NULL;
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
  for (int found = 0; found < MATCHES_PER_RANGE && pos <= len; found++)
    {
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
      size_t n = 0;
      uint8_t *low = u8_tolower ((const uint8_t *) subject, strlen (subject), NULL, NULL, NULL, &n);
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
  size_t words = run->ix->words;
  if (r->scope == SCOPE_SUBJECT)
    {
      if (!subject)
        return 0;
      const char *lower = subject_lowered (run->memo, subject);
      if (!lower)
        return -1;
      if (!triggers_in_subject (r, lower))
        return 0;
      return match_range (r, i, run, subject, 0, strlen (subject), false, NULL, out);
    }
  if (r->ntrigger && !bit_test (run->memo->text_rules, i))
    return 0;
  if (!body_may_match (run, &run->ix->need[i]))
    return 0;
  if (r->scope == SCOPE_MESSAGE)
    {
      if (!lang_allows (run, run->ix->lang[i], LANG_WHOLE_TEXT))
        return 0;
      return match_range (r, i, run, t->s, 0, t->len, true, NULL, out);
    }
  for (size_t s = 0; s < t->nsent; s++)
    {
      const struct text_sentence *sent = &t->sent[s];
      if (sent->ntok == 0 || sent->first_tok >= t->ntok || sent->end <= sent->off
          || sent->end > t->len)
        continue;
      if (r->scope == SCOPE_QUESTION && !(sent->flags & SENT_QUESTION))
        continue;
      if (r->scope == SCOPE_GREETING && !(sent->flags & SENT_GREETING))
        continue;
      if (t->tok[sent->first_tok].mask & TEXT_NOT_OWN)
        continue;
      if (r->ntrigger && !bit_test (run->memo->sent_rules + s * words, i))
        continue;
      if (!lang_allows (run, run->ix->lang[i], s))
        continue;
      if (match_sentence (r, i, run, s, out) < 0)
        return -1;
    }
  return 0;
}

int
rules_match (struct ruleset *rs, const char *tool, const struct text *t, const char *subject,
             struct findings *out)
{
  struct match_run run = { .t = t, .subject_utf = -1 };
  int status = -1;

  bool any = false;
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
  run.cache = rules_cache (rs);
  if (!priv->memo && !(priv->memo = calloc (1, sizeof *priv->memo)))
    goto out;
  run.memo = priv->memo;
  if (!memo_knows (priv->memo, t, priv->index_gen))
    {
      memo_start (priv->memo, t, priv->index_gen);
      if (find_triggered (&run) < 0 || find_repeats (priv->memo, t) < 0
          || (t->nsent && !(priv->memo->sent_lang = calloc (t->nsent, 1))))
        {
          rules_memo_clear (priv->memo);
          goto out;
        }
    }

  size_t tool_id = 1;
  while (tool_id < run.ix->ntools && strcmp (run.ix->tools[tool_id], tool) != 0)
    tool_id++;
  status = 0;
  for (size_t i = 0; i < rs->n && status == 0; i++)
    {
      struct rule *r = &rs->v[i];
      if (run.ix->tool[i] != tool_id || !r->pattern || r->compile_failed)
        continue;
      status = run_rule (r, i, &run, subject, out);
    }

out:
  if (status < 0)
    errno = ENOMEM;
  return status;
}
