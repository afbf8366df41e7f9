/* rule-cost.c: what each pattern rule costs over a corpus, and whether two rule sets find alike. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* Usage:
     rule-cost [--jit=engine|always|never] RULES_DIR INPUT...
     rule-cost --compare OLD_RULES_DIR NEW_RULES_DIR INPUT...
     rule-cost --compare OLD_RULES_DIR NEW_RULES_DIR --lines FILE...

   Cost mode reads every message of each INPUT (mail, mbox or plain text), analyses its body as
   the tools do and runs every pattern rule where rules_match would: the rule's scope, its
   trigger words (own words for the text, every word of the sentence), its language gate and
   PCRE2's limits.  It prints per rule: calls to pcre2_match, bytes of subject offered, matches,
   nanoseconds in the interpreter, in JIT code and in JIT compiling, most expensive first.
   --jit=engine JIT-compiles a pattern as the engine does in a batch (after 32 KB scanned, after
   1 KB from the 9th message on); always and never do what they say.  The byte prefilter the
   engine has for rules without triggers is not modelled: those rules are charged a little
   more here than they cost.

   Every rule's pcre2_match and pcre2_jit_compile calls go through a function of its own,
   match_XX (XX the hex number printed in the "fn" column), so that
   valgrind --tool=callgrind shows each rule's instructions; bench/rule-cost-instr does that.

   Compare mode runs, for every rule whose pattern, flags, triggers, scope or language differ
   between the two directories, both patterns over every sentence, the whole body and the
   subject (matches found one after another from where the last ended, as the engine does) and
   reports any range where the sequences of (start, end) differ, for the interpreter and the JIT;
   then it compares the findings the engine would make with each rule's own triggers and gates.
   --lines treats each line of FILE as one text and as a subject (a backslash and "n" stand for
   a line break): near misses written by hand.
   Exit status 1 if anything differed.

   Build (from the top of the built tree):
     cc -O2 -g -I. -Igl -Ilib -o bench/rule-cost bench/rule-cost.c lib/librittberger.a \
        gl/libgnu.a -lpcre2-8 -lsqlite3 -lunistring -lm  */

#include <config.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicase.h>
#include <unistr.h>

#include "lang.h"
#include "msg.h"
#include "rules-priv.h"
#include "text.h"

/* The engine's settings (lib/rules.c), repeated so that costs and limits are alike. */
enum
{
  MATCH_LIMIT = 100000,
  DEPTH_LIMIT = 1000,
  HEAP_LIMIT_KIB = 20000,
  MATCHES_PER_RANGE = 64,
  JIT_AFTER_BYTES = 32 << 10,
  JIT_BATCH_BYTES = 1 << 10,
  BATCH_MESSAGES = 8,           /* the engine's 16 rules_match calls, two tools per message */
  MAX_RULES = 256,
};

enum jit_policy { JIT_ENGINE, JIT_ALWAYS, JIT_NEVER };

/* One rule's compiled pattern and what it cost. */
struct rule_run
{
  const struct rule *r;
  pcre2_code *code;
  bool jitted;
  bool failed;
  size_t index;                 /* its matcher: match_XX with XX this number in hex */
  uint64_t scanned;             /* bytes offered, for the JIT policy */
  uint64_t calls, bytes, matches, ns_interp, ns_jit, ns_jit_compile;
};

/* ---- one function per rule, so that callgrind can tell the rules apart ---- */

typedef int (*matcher) (pcre2_code *code, PCRE2_SPTR s, size_t len, size_t pos, uint32_t options,
                        pcre2_match_data *md, pcre2_match_context *mctx, bool compile_jit);

#define MATCHER(hi, lo)                                                                       \
  static __attribute__ ((noipa)) int                                                        \
  match_##hi##lo (pcre2_code *code, PCRE2_SPTR s, size_t len, size_t pos, uint32_t options,   \
                pcre2_match_data *md, pcre2_match_context *mctx, bool compile_jit)          \
  {                                                                                         \
    static volatile unsigned used;                                                          \
    used++;                                                                                 \
    if (compile_jit)                                                                        \
      return pcre2_jit_compile (code, PCRE2_JIT_COMPLETE);                                  \
    return pcre2_match (code, s, len, pos, options, md, mctx);                              \
  }
#define MATCHERS16(hi)                                                                      \
  MATCHER (hi, 0) MATCHER (hi, 1) MATCHER (hi, 2) MATCHER (hi, 3) MATCHER (hi, 4)              \
  MATCHER (hi, 5) MATCHER (hi, 6) MATCHER (hi, 7) MATCHER (hi, 8) MATCHER (hi, 9)              \
  MATCHER (hi, a) MATCHER (hi, b) MATCHER (hi, c) MATCHER (hi, d) MATCHER (hi, e)              \
  MATCHER (hi, f)
MATCHERS16 (0) MATCHERS16 (1) MATCHERS16 (2) MATCHERS16 (3) MATCHERS16 (4) MATCHERS16 (5)
MATCHERS16 (6) MATCHERS16 (7) MATCHERS16 (8) MATCHERS16 (9) MATCHERS16 (a) MATCHERS16 (b)
MATCHERS16 (c) MATCHERS16 (d) MATCHERS16 (e) MATCHERS16 (f)
#define NAMES16(hi)                                                                         \
  match_##hi##0, match_##hi##1, match_##hi##2, match_##hi##3, match_##hi##4, match_##hi##5, \
  match_##hi##6, match_##hi##7, match_##hi##8, match_##hi##9, match_##hi##a, match_##hi##b, \
  match_##hi##c, match_##hi##d, match_##hi##e, match_##hi##f
static const matcher matchers[MAX_RULES] = {
  NAMES16 (0), NAMES16 (1), NAMES16 (2), NAMES16 (3), NAMES16 (4), NAMES16 (5), NAMES16 (6),
  NAMES16 (7), NAMES16 (8), NAMES16 (9), NAMES16 (a), NAMES16 (b), NAMES16 (c), NAMES16 (d),
  NAMES16 (e), NAMES16 (f)
};

static uint64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* ---- the engine's gates, as lib/rules.c has them ---- */

/* Every trigger word of the rules being run, hashed, with a bitmap of the rules it belongs to;
   a message's words are looked up once per text, as the engine does. */
enum { RULE_WORDS = MAX_RULES / 64 };

struct trigger_slot
{
  const char *word;             /* without the '*' of a prefix */
  size_t len;
  bool prefix;
  uint64_t rules[RULE_WORDS];
};

struct trigger_index
{
  struct trigger_slot *slot;
  size_t nslots;
  bool prefix_len[65];          /* prefix triggers of these lengths exist (longer ones: rare) */
  uint64_t every[RULE_WORDS];   /* rules without triggers, or with "*" */
  /* Per text: */
  uint64_t *sent_bits;          /* RULE_WORDS per sentence */
  uint64_t text_bits[RULE_WORDS];
  uint64_t *tok_bits;           /* RULE_WORDS per token */
  size_t sent_cap, tok_cap;
};

static uint64_t
hash_bytes (const char *w, size_t len, bool prefix)
{
  uint64_t h = prefix ? 0x9e3779b97f4a7c15u : 0xcbf29ce484222325u;
  for (size_t k = 0; k < len; k++)
    h = (h ^ (unsigned char) w[k]) * 0x100000001b3u;
  return h;
}

static struct trigger_slot *
trigger_slot_find (struct trigger_index *ix, const char *w, size_t len, bool prefix, bool add)
{
  size_t at = hash_bytes (w, len, prefix) & (ix->nslots - 1);
  while (ix->slot[at].word)
    {
      struct trigger_slot *sl = &ix->slot[at];
      if (sl->len == len && sl->prefix == prefix && memcmp (sl->word, w, len) == 0)
        return sl;
      at = (at + 1) & (ix->nslots - 1);
    }
  if (!add)
    return NULL;
  ix->slot[at].word = w;
  ix->slot[at].len = len;
  ix->slot[at].prefix = prefix;
  return &ix->slot[at];
}

static void
trigger_index_build (struct trigger_index *ix, const struct rule **rules, size_t n)
{
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += rules[i]->ntrigger;
  ix->nslots = 64;
  while (ix->nslots < 2 * total + 2)
    ix->nslots *= 2;
  ix->slot = calloc (ix->nslots, sizeof *ix->slot);
  if (!ix->slot)
    abort ();
  for (size_t i = 0; i < n; i++)
    {
      const struct rule *r = rules[i];
      if (r->ntrigger == 0)
        ix->every[i / 64] |= UINT64_C (1) << (i % 64);
      for (size_t k = 0; k < r->ntrigger; k++)
        {
          const char *w = r->trigger[k];
          size_t len = strlen (w);
          bool prefix = len > 0 && w[len - 1] == '*';
          len -= prefix;
          if (len == 0 || (prefix && len > 64))
            {
              ix->every[i / 64] |= UINT64_C (1) << (i % 64);
              continue;
            }
          if (prefix)
            ix->prefix_len[len] = true;
          trigger_slot_find (ix, w, len, prefix, true)->rules[i / 64] |= UINT64_C (1) << (i % 64);
        }
    }
}

static void
bits_or (uint64_t *to, const uint64_t *from)
{
  for (size_t w = 0; w < RULE_WORDS; w++)
    to[w] |= from[w];
}

/* Fill IX's per-text bitmaps from T's words. */
static void
trigger_index_scan (struct trigger_index *ix, const struct text *t)
{
  if (t->nsent > ix->sent_cap)
    {
      ix->sent_cap = t->nsent;
      ix->sent_bits = realloc (ix->sent_bits, ix->sent_cap * RULE_WORDS * sizeof *ix->sent_bits);
      if (!ix->sent_bits)
        abort ();
    }
  if (t->ntok > ix->tok_cap)
    {
      ix->tok_cap = t->ntok;
      ix->tok_bits = realloc (ix->tok_bits, ix->tok_cap * RULE_WORDS * sizeof *ix->tok_bits);
      if (!ix->tok_bits)
        abort ();
    }
  memset (ix->sent_bits, 0, t->nsent * RULE_WORDS * sizeof *ix->sent_bits);
  memcpy (ix->text_bits, ix->every, sizeof ix->text_bits);
  for (size_t s = 0; s < t->nsent; s++)
    bits_or (ix->sent_bits + s * RULE_WORDS, ix->every);
  for (size_t i = 0; i < t->ntok; i++)
    {
      uint64_t *acc = ix->tok_bits + i * RULE_WORDS;
      memset (acc, 0, RULE_WORDS * sizeof *acc);
      const char *w = text_lower (t, i);
      size_t len = strlen (w);
      for (size_t l = 1; l <= len && l <= 64; l++)
        if (ix->prefix_len[l])
          {
            struct trigger_slot *sl = trigger_slot_find (ix, w, l, true, false);
            if (sl)
              bits_or (acc, sl->rules);
          }
      struct trigger_slot *sl = trigger_slot_find (ix, w, len, false, false);
      if (sl)
        bits_or (acc, sl->rules);
      if (!(t->tok[i].mask & TEXT_NOT_OWN))
        bits_or (ix->text_bits, acc);
    }
  /* A sentence's words are its token range, as the engine has it. */
  for (size_t s = 0; s < t->nsent; s++)
    {
      size_t first = t->sent[s].first_tok, end = first + t->sent[s].ntok;
      for (size_t i = first; i < end && i < t->ntok; i++)
        bits_or (ix->sent_bits + s * RULE_WORDS, ix->tok_bits + i * RULE_WORDS);
    }
}

/* Does a trigger of rule INDEX occur among the own words of the text last scanned (SENT ==
   SIZE_MAX) or in its sentence SENT? */
static bool
triggered (const struct trigger_index *ix, size_t index, size_t sent)
{
  const uint64_t *bits = sent == SIZE_MAX ? ix->text_bits : ix->sent_bits + sent * RULE_WORDS;
  return bits[index / 64] >> (index % 64) & 1;
}


/* One text being run: its words' triggers and its language guesses, made once. */
struct text_run
{
  const struct text *t;
  struct trigger_index *ix;
  signed char *sent_lang;       /* 0 not yet guessed, else rules_lang_code */
  int text_lang;
};

static bool
lang_allows (struct text_run *tr, const char *lang, size_t s)
{
  if (!lang || strcmp (lang, "any") == 0)
    return true;
  int want = strcmp (lang, "de") == 0 ? 1 : 2;
  int got = 3;
  if (s != SIZE_MAX)
    {
      if (!tr->sent_lang[s])
        tr->sent_lang[s] = (signed char) rules_lang_code (lang_guess (tr->t, s));
      got = tr->sent_lang[s];
    }
  if (got == 3)
    {
      if (!tr->text_lang)
        tr->text_lang = rules_lang_code (lang_guess (tr->t, LANG_WHOLE_TEXT));
      got = tr->text_lang;
    }
  return got == 3 || got == want;
}

static void
text_run_start (struct text_run *tr, const struct text *t, struct trigger_index *ix)
{
  tr->t = t;
  tr->ix = ix;
  tr->text_lang = 0;
  tr->sent_lang = calloc (t->nsent + 1, 1);
  if (!tr->sent_lang)
    abort ();
  trigger_index_scan (ix, t);
}

/* ---- matching ---- */

struct matcher_env
{
  pcre2_match_context *mctx;
  pcre2_match_data *md;
  uint32_t options;             /* PCRE2_NO_UTF_CHECK while the text is valid, as in the engine */
};

/* A match found: its range relative to the start of the range searched. */
struct hit
{
  size_t start, end;
};

/* Run RR over S[START, END) as the engine's match_range does; put up to MATCHES_PER_RANGE
   hits into HITS (may be NULL) and return their count; *LAST_RC gets the final return code. */
static int
run_range (struct rule_run *rr, size_t index, const struct matcher_env *env, const char *s,
           size_t start, size_t end, struct hit *hits, int *last_rc)
{
  PCRE2_SPTR base = (PCRE2_SPTR) s + start;
  size_t len = end - start, pos = 0;
  int found = 0;
  *last_rc = 0;
  rr->bytes += len;
  while (found < MATCHES_PER_RANGE && pos <= len)
    {
      uint64_t t0 = now_ns ();
      int rc = matchers[index] (rr->code, base, len, pos, env->options, env->md, env->mctx,
                                false);
      uint64_t dt = now_ns () - t0;
      if (rr->jitted)
        rr->ns_jit += dt;
      else
        rr->ns_interp += dt;
      rr->calls++;
      *last_rc = rc;
      if (rc < 0)
        break;
      PCRE2_SIZE *ov = pcre2_get_ovector_pointer (env->md);
      size_t ms = ov[0], me = ov[1];
      if (me < ms)
        break;
      if (hits)
        hits[found] = (struct hit) { ms, me };
      found++;
      rr->matches++;
      if (me > ms)
        pos = me;
      else
        {
          pos = me + 1;
          while (pos < len && (base[pos] & 0xC0) == 0x80)
            pos++;
        }
    }
  return found;
}

static bool
compile_rule (struct rule_run *rr)
{
  if (rr->code || rr->failed)
    return rr->code != NULL;
  int err;
  PCRE2_SIZE off;
  rr->code = pcre2_compile ((PCRE2_SPTR) rr->r->pattern, PCRE2_ZERO_TERMINATED,
                            rr->r->pattern_flags, &err, &off, NULL);
  if (!rr->code)
    {
      rr->failed = true;
      fprintf (stderr, "rule-cost: %s: pattern does not compile\n", rr->r->id);
    }
  return rr->code != NULL;
}

static void
jit_rule (struct rule_run *rr, size_t index)
{
  if (rr->jitted)
    return;
  uint64_t t0 = now_ns ();
  rr->jitted = matchers[index] (rr->code, NULL, 0, 0, 0, NULL, NULL, true) == 0;
  rr->ns_jit_compile += now_ns () - t0;
}

static int
env_init (struct matcher_env *env)
{
  env->mctx = pcre2_match_context_create (NULL);
  env->md = pcre2_match_data_create (1, NULL);
  if (!env->mctx || !env->md)
    return -1;
  pcre2_set_match_limit (env->mctx, MATCH_LIMIT);
  pcre2_set_depth_limit (env->mctx, DEPTH_LIMIT);
  pcre2_set_heap_limit (env->mctx, HEAP_LIMIT_KIB);
  return 0;
}

static char *
lower_subject (const char *subject)
{
  size_t n = 0;
  uint8_t *low = u8_tolower ((const uint8_t *) subject, strlen (subject), NULL, NULL, NULL, &n);
  if (!low)
    return NULL;
  char *z = realloc (low, n + 1);
  if (!z)
    {
      free (low);
      return NULL;
    }
  z[n] = '\0';
  return z;
}

/* The findings the engine would make for one rule: where they are. */
struct finding_list
{
  size_t *v;                    /* triples: where (0 body, 1 subject), start, end */
  size_t n, cap;
};

static void
list_push (struct finding_list *l, size_t where, size_t start, size_t end)
{
  if (l->n + 3 > l->cap)
    {
      l->cap = l->cap ? 2 * l->cap : 96;
      l->v = realloc (l->v, l->cap * sizeof *l->v);
      if (!l->v)
        abort ();
    }
  l->v[l->n++] = where;
  l->v[l->n++] = start;
  l->v[l->n++] = end;
}

struct policy
{
  enum jit_policy jit;
  size_t jit_after;
};

static void
maybe_jit (struct rule_run *rr, size_t index, const struct policy *pol, size_t len)
{
  rr->scanned += len;
  if (pol->jit == JIT_ALWAYS || (pol->jit == JIT_ENGINE && rr->scanned >= pol->jit_after))
    jit_rule (rr, index);
}

/* Run RR where the engine would over T (body) and SUBJECT (may be NULL); findings into OUT
   (may be NULL). */
static void
engine_rule (struct rule_run *rr, const struct matcher_env *env, const struct policy *pol,
             struct text_run *tr, const char *subject, const char *subject_lower,
             struct finding_list *out)
{
  const struct rule *r = rr->r;
  const struct text *t = tr->t;
  size_t index = rr->index;
  struct hit hits[MATCHES_PER_RANGE];
  int rc;
  if (r->scope == SCOPE_SUBJECT)
    {
      if (!subject || !rules_triggers_in_subject (r, subject_lower ? subject_lower : subject)
          || !compile_rule (rr))
        return;
      size_t len = strlen (subject);
      maybe_jit (rr, index, pol, len);
      int n = run_range (rr, index, env, subject, 0, len, hits, &rc);
      for (int k = 0; k < n && out; k++)
        list_push (out, 1, hits[k].start, hits[k].end);
      return;
    }
  if (!triggered (tr->ix, index, SIZE_MAX))
    return;
  if (r->scope == SCOPE_MESSAGE)
    {
      if (!lang_allows (tr, r->lang, SIZE_MAX) || !compile_rule (rr))
        return;
      maybe_jit (rr, index, pol, t->len);
      int n = run_range (rr, index, env, t->s, 0, t->len, hits, &rc);
      for (int k = 0; k < n && out; k++)
        if (!(t->mask && (t->mask[hits[k].start < t->len ? hits[k].start : t->len - 1]
                          & TEXT_NOT_OWN)))
          list_push (out, 0, hits[k].start, hits[k].end);
      return;
    }
  for (size_t s = 0; s < t->nsent; s++)
    {
      const struct text_sentence *sent = &t->sent[s];
      if (!rules_sentence_in_scope (r, t, s))
        continue;
      if (!triggered (tr->ix, index, s) || !lang_allows (tr, r->lang, s) || !compile_rule (rr))
        continue;
      maybe_jit (rr, index, pol, sent->end - sent->off);
      int n = run_range (rr, index, env, t->s, sent->off, sent->end, hits, &rc);
      for (int k = 0; k < n && out; k++)
        {
          size_t at = sent->off + hits[k].start;
          if (!(t->mask && (t->mask[at < t->len ? at : t->len - 1] & TEXT_NOT_OWN)))
            list_push (out, 0, at, sent->off + hits[k].end);
        }
    }
}

/* ---- input ---- */

/* Call FN on the body (and subject) of every message of PATH, or of every line with --lines. */
typedef void (*text_fn) (const struct text *t, const char *subject, void *arg);

static int
for_each_text (const char *path, bool lines, text_fn fn, void *arg)
{
  if (lines)
    {
      FILE *f = fopen (path, "r");
      if (!f)
        return -1;
      char *line = NULL;
      size_t cap = 0;
      ssize_t n;
      while ((n = getline (&line, &cap, f)) > 0)
        {
          if (line[n - 1] == '\n')
            line[--n] = '\0';
          if (n == 0 || line[0] == '#')
            continue;
          /* A backslash and "n" stand for a line break, as in the rule files' examples. */
          char *w = line;
          for (const char *r = line; *r; r++)
            if (r[0] == '\\' && r[1] == 'n')
              {
                *w++ = '\n';
                r++;
              }
            else
              *w++ = *r;
          *w = '\0';
          n = w - line;
          struct text t;
          if (text_analyze (&t, line, (size_t) n) == 0)
            {
              fn (&t, line, arg);
              text_free (&t);
            }
        }
      free (line);
      fclose (f);
      return 0;
    }
  struct msg_input *in = msg_input_open (path);
  if (!in)
    return -1;
  struct msg m;
  int got;
  while ((got = msg_input_next (in, &m)) > 0)
    {
      struct text t;
      if (text_analyze (&t, m.body, m.body_len) == 0)
        {
          fn (&t, msg_header (&m, "Subject"), arg);
          text_free (&t);
        }
      msg_free (&m);
    }
  msg_input_close (in);
  return got < 0 ? -1 : 0;
}

/* Are T's body and SUBJECT valid UTF-8?  Then the matches skip PCRE2's check (ranges start
   and end on character boundaries), as the engine's do. */
static bool
valid_utf8 (const struct text *t, const char *subject)
{
  return u8_check ((const uint8_t *) t->s, t->len) == NULL
    && (!subject || u8_check ((const uint8_t *) subject, strlen (subject)) == NULL);
}

/* ---- cost mode ---- */

struct cost_run
{
  struct rule_run *rr;
  size_t n;
  struct matcher_env env;
  struct policy pol;
  size_t messages;
  struct trigger_index ix;
};

static void
cost_text (const struct text *t, const char *subject, void *arg)
{
  struct cost_run *c = arg;
  c->env.options = valid_utf8 (t, subject) ? PCRE2_NO_UTF_CHECK : 0;
  if (c->pol.jit == JIT_ENGINE && ++c->messages > BATCH_MESSAGES)
    c->pol.jit_after = JIT_BATCH_BYTES;
  char *low = subject ? lower_subject (subject) : NULL;
  struct text_run tr;
  text_run_start (&tr, t, &c->ix);
  for (size_t i = 0; i < c->n; i++)
    engine_rule (&c->rr[i], &c->env, &c->pol, &tr, subject, low, NULL);
  free (tr.sent_lang);
  free (low);
}

static int
by_cost (const void *a, const void *b)
{
  const struct rule_run *x = a, *y = b;
  uint64_t cx = x->ns_interp + x->ns_jit + x->ns_jit_compile;
  uint64_t cy = y->ns_interp + y->ns_jit + y->ns_jit_compile;
  return cx < cy ? 1 : cx > cy ? -1 : strcmp (x->r->id, y->r->id);
}

static int
load (struct ruleset *rs, const char *dir)
{
  char err[512];
  if (rules_load_dir (rs, dir, err, sizeof err) < 0)
    {
      fprintf (stderr, "rule-cost: %s\n", err);
      return -1;
    }
  return 0;
}

static int
cost_main (const char *dir, enum jit_policy jit, int nin, char **in)
{
  struct ruleset rs = { 0 };
  if (load (&rs, dir) < 0)
    return 2;
  struct cost_run c = { .pol = { jit, JIT_AFTER_BYTES } };
  c.rr = calloc (rs.n, sizeof *c.rr);
  if (!c.rr || env_init (&c.env) < 0)
    return 2;
  for (size_t i = 0; i < rs.n; i++)
    if (rs.v[i].pattern && c.n < MAX_RULES)
      {
        c.rr[c.n].index = c.n;
        c.rr[c.n++].r = &rs.v[i];
      }
  const struct rule **list = malloc ((c.n + 1) * sizeof *list);
  if (!list)
    return 2;
  for (size_t i = 0; i < c.n; i++)
    list[i] = c.rr[i].r;
  trigger_index_build (&c.ix, list, c.n);
  free (list);
  for (int k = 0; k < nin; k++)
    if (for_each_text (in[k], false, cost_text, &c) < 0)
      {
        fprintf (stderr, "rule-cost: %s: %s\n", in[k], strerror (errno));
        return 2;
      }
  qsort (c.rr, c.n, sizeof *c.rr, by_cost);
  uint64_t tot[6] = { 0 };
  printf ("fn\trule\ttool\tcalls\tbytes\tmatches\tinterp_us\tjit_us\tjitc_us\ttotal_us\n");
  for (size_t i = 0; i < c.n; i++)
    {
      struct rule_run *rr = &c.rr[i];
      uint64_t total = rr->ns_interp + rr->ns_jit + rr->ns_jit_compile;
      printf ("%02zx\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%.0f\t%.0f\t%.0f\t%.0f\n",
              rr->index, rr->r->id, rr->r->tool ? rr->r->tool : "-", rr->calls,
              rr->bytes, rr->matches, rr->ns_interp / 1e3, rr->ns_jit / 1e3,
              rr->ns_jit_compile / 1e3, total / 1e3);
      tot[0] += rr->calls;
      tot[1] += rr->bytes;
      tot[2] += rr->matches;
      tot[3] += rr->ns_interp;
      tot[4] += rr->ns_jit;
      tot[5] += rr->ns_jit_compile;
    }
  printf ("--\tTOTAL\t-\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%.0f\t%.0f\t%.0f\t%.0f\n",
          tot[0], tot[1], tot[2], tot[3] / 1e3, tot[4] / 1e3, tot[5] / 1e3,
          (tot[3] + tot[4] + tot[5]) / 1e3);
  for (size_t i = 0; i < c.n; i++)
    pcre2_code_free (c.rr[i].code);
  free (c.rr);
  rules_free (&rs);
  return 0;
}

/* ---- compare mode ---- */

struct pair
{
  struct rule_run old, new;     /* interpreter */
  struct rule_run old_jit, new_jit;
  size_t old_index, new_index;
  unsigned long range_diffs, finding_diffs, ranges, reported;
};

struct compare_run
{
  struct pair *p;
  size_t n;
  struct matcher_env env;
  struct policy never;           /* findings through the interpreter (compare_range does both) */
  unsigned long texts;
  struct trigger_index ix;      /* rule 2k is pair k's old rule, 2k + 1 its new one */
};

static bool
same_strings (char **a, size_t na, char **b, size_t nb)
{
  if (na != nb)
    return false;
  for (size_t i = 0; i < na; i++)
    if (strcmp (a[i], b[i]) != 0)
      return false;
  return true;
}

static bool
rules_differ (const struct rule *a, const struct rule *b)
{
  return strcmp (a->pattern, b->pattern) != 0 || a->pattern_flags != b->pattern_flags
    || a->scope != b->scope || strcmp (a->lang ? a->lang : "any", b->lang ? b->lang : "any") != 0
    || !same_strings (a->trigger, a->ntrigger, b->trigger, b->ntrigger)
    || strcmp (a->tool ? a->tool : "", b->tool ? b->tool : "") != 0;
}

static void
show_range (struct pair *p, const char *what, const char *s, size_t start, size_t end)
{
  if (p->reported++ >= 5)
    return;
  int len = (int) (end - start > 300 ? 300 : end - start);
  printf ("DIFF %s %s: «%.*s»\n", p->new.r->id, what, len, s + start);
}

/* Compare the pure matches of both patterns of P over S[START, END). */
static void
compare_range (struct pair *p, const struct compare_run *c, const char *s, size_t start,
               size_t end, const char *what)
{
  struct hit ho[MATCHES_PER_RANGE], hn[MATCHES_PER_RANGE];
  int rco, rcn;
  p->ranges++;
  struct { struct rule_run *a, *b; size_t ia, ib; } runs[2] = {
    { &p->old, &p->new, p->old_index, p->new_index },
    { &p->old_jit, &p->new_jit, p->old_index, p->new_index },
  };
  for (int k = 0; k < 2; k++)
    {
      if (!compile_rule (runs[k].a) || !compile_rule (runs[k].b))
        return;
      if (k == 1)
        {
          jit_rule (runs[k].a, runs[k].ia);
          jit_rule (runs[k].b, runs[k].ib);
        }
      int no = run_range (runs[k].a, runs[k].ia, &c->env, s, start, end, ho, &rco);
      int nn = run_range (runs[k].b, runs[k].ib, &c->env, s, start, end, hn, &rcn);
      bool differ = no != nn || (rco < 0) != (rcn < 0)
        || (rco < PCRE2_ERROR_NOMATCH) != (rcn < PCRE2_ERROR_NOMATCH);
      for (int i = 0; i < no && !differ; i++)
        differ = ho[i].start != hn[i].start || ho[i].end != hn[i].end;
      if (differ)
        {
          p->range_diffs++;
          char buf[96];
          snprintf (buf, sizeof buf, "%s %s old %d hits rc %d, new %d hits rc %d", what,
                    k ? "jit" : "interp", no, rco, nn, rcn);
          show_range (p, buf, s, start, end);
          return;
        }
    }
}

static bool
same_findings (const struct finding_list *a, const struct finding_list *b)
{
  return a->n == b->n && (a->n == 0 || memcmp (a->v, b->v, a->n * sizeof *a->v) == 0);
}

static void
compare_text (const struct text *t, const char *subject, void *arg)
{
  struct compare_run *c = arg;
  c->texts++;
  c->env.options = valid_utf8 (t, subject) ? PCRE2_NO_UTF_CHECK : 0;
  char *low = subject ? lower_subject (subject) : NULL;
  struct text_run tr;
  text_run_start (&tr, t, &c->ix);
  for (size_t i = 0; i < c->n; i++)
    {
      struct pair *p = &c->p[i];
      for (size_t s = 0; s < t->nsent; s++)
        {
          const struct text_sentence *sent = &t->sent[s];
          if (sent->end > sent->off && sent->end <= t->len)
            compare_range (p, c, t->s, sent->off, sent->end, "sentence");
        }
      compare_range (p, c, t->s, 0, t->len, "body");
      if (subject)
        compare_range (p, c, subject, 0, strlen (subject), "subject");
      struct finding_list fo = { 0 }, fnew = { 0 };
      engine_rule (&p->old, &c->env, &c->never, &tr, subject, low, &fo);
      engine_rule (&p->new, &c->env, &c->never, &tr, subject, low, &fnew);
      if (!same_findings (&fo, &fnew))
        {
          p->finding_diffs++;
          char buf[96];
          snprintf (buf, sizeof buf, "findings: old %zu, new %zu", fo.n / 3, fnew.n / 3);
          show_range (p, buf, t->s, 0, t->len);
        }
      free (fo.v);
      free (fnew.v);
    }
  free (tr.sent_lang);
  free (low);
}

static int
compare_main (const char *old_dir, const char *new_dir, bool lines, int nin, char **in)
{
  struct ruleset old = { 0 }, new = { 0 };
  if (load (&old, old_dir) < 0 || load (&new, new_dir) < 0)
    return 2;
  struct compare_run c = { .never = { JIT_NEVER, 0 } };
  c.p = calloc (new.n + 1, sizeof *c.p);
  if (!c.p || env_init (&c.env) < 0)
    return 2;
  for (size_t i = 0; i < new.n; i++)
    {
      const struct rule *b = &new.v[i];
      const struct rule *a = rules_find (&old, b->id);
      if (!b->pattern || !a || !a->pattern || !rules_differ (a, b) || 2 * c.n + 1 >= MAX_RULES)
        continue;
      struct pair *p = &c.p[c.n];
      p->old.r = p->old_jit.r = a;
      p->new.r = p->new_jit.r = b;
      p->old_index = p->old.index = p->old_jit.index = 2 * c.n;
      p->new_index = p->new.index = p->new_jit.index = 2 * c.n + 1;
      c.n++;
    }
  const struct rule **list = malloc ((2 * c.n + 1) * sizeof *list);
  if (!list)
    return 2;
  for (size_t i = 0; i < c.n; i++)
    {
      list[2 * i] = c.p[i].old.r;
      list[2 * i + 1] = c.p[i].new.r;
    }
  trigger_index_build (&c.ix, list, 2 * c.n);
  free (list);
  for (size_t i = 0; i < old.n; i++)
    if (old.v[i].pattern && !rules_find (&new, old.v[i].id))
      printf ("GONE %s\n", old.v[i].id);
  for (int k = 0; k < nin; k++)
    if (for_each_text (in[k], lines, compare_text, &c) < 0)
      {
        fprintf (stderr, "rule-cost: %s: %s\n", in[k], strerror (errno));
        return 2;
      }
  int status = 0;
  for (size_t i = 0; i < c.n; i++)
    {
      struct pair *p = &c.p[i];
      printf ("%s\t%s\tranges %lu\thits %" PRIu64 "\trange-diffs %lu\tfinding-diffs %lu\t"
              "old %.0f us new %.0f us (interp)\n",
              p->range_diffs || p->finding_diffs ? "DIFFER" : "same", p->new.r->id, p->ranges,
              p->old.matches, p->range_diffs, p->finding_diffs, p->old.ns_interp / 1e3,
              p->new.ns_interp / 1e3);
      if (p->range_diffs || p->finding_diffs)
        status = 1;
      pcre2_code_free (p->old.code);
      pcre2_code_free (p->new.code);
      pcre2_code_free (p->old_jit.code);
      pcre2_code_free (p->new_jit.code);
    }
  printf ("%lu texts, %zu changed rules\n", c.texts, c.n);
  free (c.p);
  rules_free (&old);
  rules_free (&new);
  return status;
}

int
main (int argc, char **argv)
{
  enum jit_policy jit = JIT_ENGINE;
  int a = 1;
  if (a < argc && strncmp (argv[a], "--jit=", 6) == 0)
    {
      const char *v = argv[a++] + 6;
      jit = strcmp (v, "always") == 0 ? JIT_ALWAYS : strcmp (v, "never") == 0 ? JIT_NEVER
        : JIT_ENGINE;
    }
  if (a < argc && strcmp (argv[a], "--compare") == 0)
    {
      if (argc - a < 4)
        goto usage;
      bool lines = strcmp (argv[a + 3], "--lines") == 0;
      int first = a + 3 + lines;
      return compare_main (argv[a + 1], argv[a + 2], lines, argc - first, argv + first);
    }
  if (argc - a < 2)
    goto usage;
  return cost_main (argv[a], jit, argc - a - 1, argv + a + 1);
usage:
  fprintf (stderr, "usage: rule-cost [--jit=engine|always|never] RULES_DIR INPUT...\n"
           "       rule-cost --compare OLD_DIR NEW_DIR [--lines] INPUT...\n");
  return 2;
}
