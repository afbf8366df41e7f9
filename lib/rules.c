/* rules.c: parse rule files, match their PCRE2 patterns lazily behind trigger words, check their examples. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* The rule file format (section 5 of the manual is written from this comment).

   A rule file is UTF-8 text read line by line.  Lines that are empty, hold only white space, or
   whose first non-blank character is '#' are ignored.  Every other line is "KEY VALUE": the key,
   then white space, then the value, which is the rest of the line with trailing white space
   (and a CR) removed.  Leading white space before the key is allowed.  A line may not contain a
   NUL byte.

   A record starts with "rule ID", ID matching [A-Z][A-Z0-9_]* and at most 64 characters long.
   The keys that follow, up to the next "rule" line, belong to it:

     tool NAME          the tool that runs the rule (detect-duzen, detect-template,
                        detect-bait-question, score-outreach)
     class NAME         evidence class of its findings (default: the tool's, e.g. BAIT)
     side SIDE          sach, selbst, beziehung or appell (Schulz von Thun)          required
     scope SCOPE        sentence (default), question, greeting, message or subject
     lang LANG          de, en or any (default).  A de or en rule skips a sentence that
                        lang_guess judges to be in the other language; a sentence too short
                        to judge ("Interesse?") follows the whole text, and an undecided text
                        runs every rule.  Scope message and subject use the whole text.
     weight NUMBER      score contribution of one finding (default 0)
     cap NUMBER         most the rule may add per message (default 0: its weight once)
     pattern /RE/FLAGS  a PCRE2 pattern.  The delimiter is the first character of the value (not
                        a letter, digit, backslash or blank), the pattern ends at the LAST
                        occurrence of that character on the line, so it need not be escaped
                        inside.  FLAGS are any of i (caseless), m (multiline), s (dot matches
                        newline), x (extended).  Patterns always run in UTF and UCP mode.
     trigger WORD...    lower-case words; the rule runs on a sentence only if one of them
                        occurs there as a word (on the whole body for scope message, in the
                        subject for scope subject).  "WORD*" matches every word starting with
                        WORD.  Without triggers the rule runs everywhere.  Repeatable.
     describe-de TEXT   what the finding means, German                               required
     describe-en TEXT   the same in English                                          required
     advice-de TEXT     what a sender doing it right would have done, German
     advice-en TEXT     the same in English
     match TEXT         an example the tool must flag with this rule; repeatable
     nomatch TEXT       an example it must not flag with this rule; repeatable
                        (in examples, \n stands for a line break, \t for a tab, \\ for \)

   Every key other than trigger, match and nomatch may appear once per rule.  A rule without a
   pattern is implemented in code; its record still carries descriptions, weight and examples.

   Errors are reported as "FILE:LINE: message" with the 1-based line: an unknown key, a key
   before the first rule, a missing or malformed id, an id defined twice in one file, a bad side,
   scope or lang, a bad number, a repeated key, a key without value, a pattern without closing
   delimiter, a bad delimiter, an empty pattern or an unknown flag, a trigger with an upper-case
   letter, a NUL byte, and (at the rule's "rule" line) a rule without side, describe-de or
   describe-en.  A file is loaded whole or not at all.  Pattern syntax is checked only when the
   pattern is compiled (rules_compile_all, e.g. for --check-rules): "FILE:LINE: rule ID:
   pattern: MESSAGE at offset N" at the pattern's line; a pattern that fails to compile at run
   time is skipped.

   Self-check (rules_check_examples): each match example must yield a counted finding (neither
   quoted nor allowed) of its rule from the tool's whole detector, and must contain one of the
   rule's triggers as a word; each nomatch example must yield none.  Failures are reported as
   "FILE:LINE: rule ID: match example not matched: TEXT", "... nomatch example matched: TEXT" or
   "... match example contains none of the triggers: TEXT", at the example's line.

   Files are loaded in order; a rule id defined in a later file replaces the earlier rule (this
   is how user rules override the shipped ones).  rules_load_dir loads DIR/ *.rules in strcmp
   order of the names, skipping names that start with '.'.

   Matching (rules_match): scope sentence and question run the pattern over each sentence of the
   text (subject = the sentence alone, so ^ and $ are its ends), skipping sentences whose first
   word is quoted, forwarded, signature, disclaimer, code or URL text (TEXT_NOT_OWN); question
   takes only sentences ending in '?', greeting only salutation lines; message runs over the whole
   body, subject over the Subject header.  A match that starts in TEXT_NOT_OWN text is dropped,
   one in direct speech (TEXT_SPEECH) is reported with FIND_QUOTED.  Each finding carries the
   rule's id, class (default: the tool's, e.g. BAIT), weight and SEV_MEDIUM; subject findings
   have offset and length 0 and the matched words as their text.  At most 64 findings per rule
   and sentence.

   Patterns are compiled only when a rule must first run in a process: most rules never run on
   most messages because their triggers do not occur, so start-up stays cheap.  A rule without
   triggers whose pattern needs a punctuation character in every match (a merge tag's "{{")
   is skipped on text without one.  Compiled patterns are kept between processes in a cache
   file (see "the compiled-pattern cache" below).  Every match runs
   under a match limit and depth limit; hitting one counts as no match.  A pattern is
   JIT-compiled only after it has scanned enough text in one process (batch mode) to pay for it. */

#include <config.h>
#include "rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unicase.h>
#include <unistr.h>

#include "lang.h"

#ifndef RULESDIR
# define RULESDIR "rules"
#endif

enum
{
  RULE_ID_MAX = 64,
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
};

/* A block the rules' strings point into: one rule file's text, split and unescaped in place,
   or the file's name.  Parsing in place costs one allocation per file instead of one per
   string, which is most of what loading the rules used to cost at start-up. */
struct rules_chunk
{
  struct rules_chunk *next;
  char data[];
};

struct rules_index;
struct pattern_cache;

/* rules.c's own part of a ruleset (struct ruleset.priv). */
struct rules_private
{
  struct rules_chunk *chunks;
  struct pattern_cache *cache;  /* compiled patterns kept between processes */
  struct rules_index *index;    /* triggers and prefilters, built by the first rules_match */
  pcre2_match_context *mctx;    /* made once, not per message */
  pcre2_match_data *md;
  unsigned long calls;          /* rules_match calls so far: many mean batch mode */
  /* Rule ids by hash for rules_find (index + 1, 0 empty), built for the rules array it names:
     callers look a rule up once per finding, and a 1 MB message has tens of thousands. */
  size_t *id_slots;
  size_t id_nslots;
  const struct rule *id_v;
  size_t id_n;
};

static void index_free (struct rules_index *ix);
static void cache_free (struct pattern_cache *c);
static void cache_save (struct pattern_cache *c, const struct ruleset *rs);

static struct rules_private *
ruleset_private (struct ruleset *rs)
{
  if (!rs->priv)
    rs->priv = calloc (1, sizeof *rs->priv);
  return rs->priv;
}

static struct rules_chunk *
chunk_new (size_t size)
{
  struct rules_chunk *c = malloc (sizeof *c + size);
  if (c)
    c->next = NULL;
  return c;
}

static void
chunks_free (struct rules_chunk *c)
{
  while (c)
    {
      struct rules_chunk *next = c->next;
      free (c);
      c = next;
    }
}

/* ---- small helpers ---- */

static void
set_error (char *err, size_t errlen, const char *fmt, ...)
{
  if (!err || errlen == 0)
    return;
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (err, errlen, fmt, ap);
  va_end (ap);
}

static bool
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The capacity push_string keeps for N entries: powers of two, so that loading a rule file
   does not realloc (and free) once per example line. */
static size_t
string_capacity (size_t n)
{
  size_t cap = 4;
  while (cap < n)
    cap *= 2;
  return cap;
}

/* Append S to the NULL-terminated array *V of *N strings, with its line in *LINES. */
static int
push_string (char ***v, size_t *n, unsigned long **lines, char *s, unsigned long line)
{
  size_t need = *n + 2;         /* the new entry and the terminating NULL */
  if (!*v || string_capacity (need) != string_capacity (*n + 1))
    {
      char **nv = realloc (*v, string_capacity (need) * sizeof *nv);
      if (!nv)
        return -1;
      *v = nv;
      if (lines)
        {
          unsigned long *nl = realloc (*lines, string_capacity (need) * sizeof *nl);
          if (!nl)
            return -1;
          *lines = nl;
        }
    }
  if (lines)
    (*lines)[*n] = line;
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
  return 0;
}

static void
free_strings (char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

/* Every string of a rule points into a buffer of its rule file, and its arrays (triggers,
   examples, their lines) into the file's arena (both kept in struct rules_private), so a rule
   owns only its compiled pattern. */
static void
rule_release (struct rule *r)
{
  if (r->code)
    pcre2_code_free (r->code);
  memset (r, 0, sizeof *r);
}

static struct rule *
ruleset_append (struct ruleset *rs)
{
  if (rs->n == rs->cap)
    {
      size_t cap = rs->cap ? 2 * rs->cap : 32;
      struct rule *v = realloc (rs->v, cap * sizeof *v);
      if (!v)
        return NULL;
      rs->v = v;
      rs->cap = cap;
    }
  struct rule *r = &rs->v[rs->n++];
  memset (r, 0, sizeof *r);
  return r;
}

static uint64_t hash_string (const char *s);

/* Build PRIV's id hash for the N rules at V; false if out of memory. */
static bool
id_index_build (struct rules_private *priv, const struct rule *v, size_t n)
{
  size_t nslots = 64;
  while (nslots < 2 * n)
    nslots *= 2;
  size_t *slots = calloc (nslots, sizeof *slots);
  if (!slots)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      size_t k = hash_string (v[i].id) & (nslots - 1);
      while (slots[k])
        k = (k + 1) & (nslots - 1);
      slots[k] = i + 1;
    }
  free (priv->id_slots);
  priv->id_slots = slots;
  priv->id_nslots = nslots;
  priv->id_v = v;
  priv->id_n = n;
  return true;
}

const struct rule *
rules_find (const struct ruleset *rs, const char *id)
{
  struct rules_private *priv = rs->priv;
  if (priv && rs->n >= 16
      && ((priv->id_v == rs->v && priv->id_n == rs->n)
          || id_index_build (priv, rs->v, rs->n)))
    {
      size_t mask = priv->id_nslots - 1;
      for (size_t k = hash_string (id) & mask; priv->id_slots[k]; k = (k + 1) & mask)
        if (strcmp (rs->v[priv->id_slots[k] - 1].id, id) == 0)
          return &rs->v[priv->id_slots[k] - 1];
      return NULL;
    }
  for (size_t i = 0; i < rs->n; i++)
    if (strcmp (rs->v[i].id, id) == 0)
      return &rs->v[i];
  return NULL;
}

const char *
rules_side_name (enum rule_side side)
{
  switch (side)
    {
    case SIDE_SACH:
      return "sach";
    case SIDE_SELBST:
      return "selbst";
    case SIDE_BEZIEHUNG:
      return "beziehung";
    case SIDE_APPELL:
      return "appell";
    default:
      return "none";
    }
}

const char *
rules_default_dir (const char *override)
{
  const char *env = getenv ("RITTBERGER_RULES");
  if (env && *env)
    return env;
  if (override)
    return override;
  return RULESDIR;
}

/* ---- parsing ---- */

static bool
valid_id (const char *s)
{
  size_t n = strlen (s);
  if (n == 0 || n > RULE_ID_MAX || !(s[0] >= 'A' && s[0] <= 'Z'))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
      return false;
  return true;
}

static bool
parse_number (const char *s, double *out)
{
  char *end;
  errno = 0;
  double d = strtod (s, &end);
  if (end == s || *end || errno || !isfinite (d))
    return false;
  *out = d;
  return true;
}

/* Undo the \n, \t and \\ escapes of an example, in place. */
static void
unescape_example (char *s)
{
  s = strchr (s, '\\');
  if (!s)
    return;                     /* most examples have no escapes: skip the byte loop */
  char *w = s;
  for (const char *r = s; *r; r++)
    {
      if (r[0] == '\\' && (r[1] == 'n' || r[1] == 't' || r[1] == '\\'))
        {
          r++;
          *w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : '\\';
        }
      else
        *w++ = *r;
    }
  *w = '\0';
}

/* A growing list of strings with their lines, reused from rule to rule. */
struct string_list
{
  char **v;
  unsigned long *line;
  size_t n, cap;
};

static int
string_list_push (struct string_list *l, char *s, unsigned long line)
{
  if (l->n == l->cap)
    {
      size_t cap = l->cap ? 2 * l->cap : 16;
      char **nv = realloc (l->v, cap * sizeof *nv);
      if (!nv)
        return -1;
      l->v = nv;
      unsigned long *nl = realloc (l->line, cap * sizeof *nl);
      if (!nl)
        return -1;
      l->line = nl;
      l->cap = cap;
    }
  l->line[l->n] = line;
  l->v[l->n++] = s;
  return 0;
}

static void
string_list_free (struct string_list *l)
{
  free (l->v);
  free (l->line);
  memset (l, 0, sizeof *l);
}

/* FNV-1a of the NUL-terminated S. */
static uint64_t
hash_string (const char *s)
{
  uint64_t h = 0xcbf29ce484222325u;
  for (; *s; s++)
    h = (h ^ (unsigned char) *s) * 0x100000001b3u;
  return h;
}

/* Bits for the keys that may appear only once per rule. */
enum seen_key
{
  SEEN_TOOL = 1 << 0, SEEN_CLASS = 1 << 1, SEEN_SIDE = 1 << 2, SEEN_SCOPE = 1 << 3,
  SEEN_LANG = 1 << 4, SEEN_WEIGHT = 1 << 5, SEEN_CAP = 1 << 6, SEEN_PATTERN = 1 << 7,
  SEEN_DESCRIBE_DE = 1 << 8, SEEN_DESCRIBE_EN = 1 << 9, SEEN_ADVICE_DE = 1 << 10,
  SEEN_ADVICE_EN = 1 << 11,
};

struct parser
{
  const char *path;
  unsigned long line;
  char *err;
  size_t errlen;
  struct ruleset file_rules;    /* this file's rules, merged only when all parsed */
  char *file_name;              /* PATH, for every rule of the file */
  char *any_lang;               /* "any", the default lang of every rule of the file */
  struct rule *cur;
  unsigned seen;
  bool has_nul;                 /* the file holds a NUL byte: look for it line by line */
  /* The current rule's triggers and examples, collected here and copied into the arena at its
     end: one exact allocation instead of a realloc per line. */
  struct string_list trig, match, nomatch;
  /* Arena for every rule's arrays: blocks chained like the file text, handed to the ruleset
     with it (or freed if the file fails). */
  struct rules_chunk *arena;
  size_t arena_used, arena_cap;
  /* Ids of this file's rules by hash (indices into file_rules + 1; 0 is empty), to find a
     duplicate id without comparing with every earlier rule. */
  size_t *id_slots;
  size_t id_nslots;
};

#define PARSE_ERROR(p, ...)                                             \
  do {                                                                  \
    char msg_[512];                                                     \
    snprintf (msg_, sizeof msg_, __VA_ARGS__);                          \
    set_error ((p)->err, (p)->errlen, "%s:%lu: %s", (p)->path, (p)->line, msg_); \
    errno = EINVAL;                                                     \
    return -1;                                                          \
  } while (0)

/* N bytes from P's arena, aligned for pointers; NULL with errno ENOMEM. */
static void *
arena_alloc (struct parser *p, size_t n)
{
  n = (n + 7) & ~(size_t) 7;
  if (p->arena_cap - p->arena_used < n)
    {
      size_t cap = n > 8192 ? n : 8192;
      struct rules_chunk *c = chunk_new (cap);
      if (!c)
        {
          errno = ENOMEM;
          return NULL;
        }
      c->next = p->arena;
      p->arena = c;
      p->arena_used = 0;
      p->arena_cap = cap;
    }
  void *m = p->arena->data + p->arena_used;
  p->arena_used += n;
  return m;
}

/* Copy list L into the arena as a NULL-terminated array *V of *N strings (and their lines
   into *LINES unless LINES is NULL); empty lists stay NULL.  Empty L afterwards. */
static int
copy_list (struct parser *p, struct string_list *l, char ***v, size_t *n, unsigned long **lines)
{
  *n = l->n;
  if (l->n == 0)
    return 0;
  char **nv = arena_alloc (p, (l->n + 1) * sizeof *nv);
  unsigned long *nl = lines ? arena_alloc (p, l->n * sizeof *nl) : NULL;
  if (!nv || (lines && !nl))
    return -1;
  memcpy (nv, l->v, l->n * sizeof *nv);
  nv[l->n] = NULL;
  *v = nv;
  if (lines)
    {
      memcpy (nl, l->line, l->n * sizeof *nl);
      *lines = nl;
    }
  l->n = 0;
  return 0;
}

/* Give the current rule R the triggers and examples collected for it. */
static int
copy_lists (struct parser *p, struct rule *r)
{
  if (copy_list (p, &p->trig, &r->trigger, &r->ntrigger, NULL) < 0
      || copy_list (p, &p->match, &r->match, &r->nmatch, &r->match_line) < 0
      || copy_list (p, &p->nomatch, &r->nomatch, &r->nnomatch, &r->nomatch_line) < 0)
    return -1;
  return 0;
}

/* The index of the rule of this file with id ID, or -1; with INSERT_AS >= 0 and ID absent,
   remember ID as rule INSERT_AS.  Return -2 on ENOMEM. */
static long
file_id_lookup (struct parser *p, const char *id, long insert_as)
{
  if (insert_as >= 0 && 2 * (p->file_rules.n + 1) > p->id_nslots)
    {
      size_t nslots = p->id_nslots ? 2 * p->id_nslots : 256;
      size_t *slots = calloc (nslots, sizeof *slots);
      if (!slots)
        return -2;
      for (size_t k = 0; k < p->id_nslots; k++)
        if (p->id_slots[k])
          {
            size_t j = hash_string (p->file_rules.v[p->id_slots[k] - 1].id) & (nslots - 1);
            while (slots[j])
              j = (j + 1) & (nslots - 1);
            slots[j] = p->id_slots[k];
          }
      free (p->id_slots);
      p->id_slots = slots;
      p->id_nslots = nslots;
    }
  if (p->id_nslots == 0)
    return -1;
  size_t j = hash_string (id) & (p->id_nslots - 1);
  for (; p->id_slots[j]; j = (j + 1) & (p->id_nslots - 1))
    if (strcmp (p->file_rules.v[p->id_slots[j] - 1].id, id) == 0)
      return (long) p->id_slots[j] - 1;
  if (insert_as >= 0)
    p->id_slots[j] = (size_t) insert_as + 1;
  return -1;
}

/* Check what every finished rule must have; report at its "rule" line. */
static int
finish_rule (struct parser *p)
{
  struct rule *r = p->cur;
  if (!r)
    return 0;
  const char *missing = !(p->seen & SEEN_SIDE) ? "side"
    : !(p->seen & SEEN_DESCRIBE_DE) ? "describe-de"
    : !(p->seen & SEEN_DESCRIBE_EN) ? "describe-en" : NULL;
  if (missing)
    {
      set_error (p->err, p->errlen, "%s:%lu: rule %s: missing %s", p->path, r->line, r->id,
                 missing);
      errno = EINVAL;
      return -1;
    }
  if (!r->lang)
    r->lang = p->any_lang;
  if (copy_lists (p, r) < 0)
    return -1;
  p->cur = NULL;
  return 0;
}

static int
set_once (struct parser *p, const char *key, unsigned bit)
{
  if (p->seen & bit)
    PARSE_ERROR (p, "rule %s: duplicate key '%s'", p->cur->id, key);
  p->seen |= bit;
  return 0;
}

static int
store_string (struct parser *p, const char *key, unsigned bit, char **slot, char *value)
{
  if (set_once (p, key, bit) < 0)
    return -1;
  *slot = value;
  return 0;
}

static int
parse_pattern (struct parser *p, char *value)
{
  struct rule *r = p->cur;
  char delim = value[0];
  if ((delim >= 'a' && delim <= 'z') || (delim >= 'A' && delim <= 'Z')
      || (delim >= '0' && delim <= '9') || delim == '\\' || (unsigned char) delim >= 0x80)
    PARSE_ERROR (p, "pattern: bad delimiter '%c'", delim);
  char *close = strrchr (value + 1, delim);
  if (!close)
    PARSE_ERROR (p, "pattern: no closing delimiter '%c'", delim);
  if (close == value + 1)
    PARSE_ERROR (p, "pattern: empty pattern");
  unsigned flags = PCRE2_UTF | PCRE2_UCP;
  for (const char *f = close + 1; *f; f++)
    switch (*f)
      {
      case 'i':
        flags |= PCRE2_CASELESS;
        break;
      case 'm':
        flags |= PCRE2_MULTILINE;
        break;
      case 's':
        flags |= PCRE2_DOTALL;
        break;
      case 'x':
        flags |= PCRE2_EXTENDED;
        break;
      default:
        PARSE_ERROR (p, "pattern: unknown flag '%c' (i, m, s, x)", *f);
      }
  *close = '\0';               /* the flags are read: end the pattern in place */
  r->pattern = value + 1;
  r->pattern_flags = flags;
  r->pattern_line = p->line;
  return 0;
}

/* Split VALUE at blanks and tabs (in place) into the current rule's triggers. */
static int
parse_triggers (struct parser *p, char *value)
{
  char *c = value;
  for (;;)
    {
      while (*c == ' ' || *c == '\t')
        c++;
      if (!*c)
        return 0;
      char *w = c;
      bool upper = false;
      for (; *c && *c != ' ' && *c != '\t'; c++)
        upper |= *c >= 'A' && *c <= 'Z';
      if (*c)
        *c++ = '\0';
      if (upper)
        PARSE_ERROR (p, "trigger: '%s' is not lower case", w);
      if (w[0] == '*' && w[1] == '\0')
        PARSE_ERROR (p, "trigger: '*' alone would match every word");
      if (string_list_push (&p->trig, w, 0) < 0)
        return -1;
    }
}

enum key_kind
{
  KEY_UNKNOWN, KEY_RULE, KEY_TOOL, KEY_CLASS, KEY_SIDE, KEY_SCOPE, KEY_LANG, KEY_WEIGHT, KEY_CAP,
  KEY_PATTERN, KEY_TRIGGER, KEY_DESCRIBE_DE, KEY_DESCRIBE_EN, KEY_ADVICE_DE, KEY_ADVICE_EN,
  KEY_MATCH, KEY_NOMATCH,
};

/* Every line goes through here: one switch on the length, then one comparison. */
static enum key_kind
lookup_key (const char *key, size_t len)
{
#define KEY_IS(name) (memcmp (key, name, sizeof name - 1) == 0)
  switch (len)
    {
    case 3:
      return KEY_IS ("cap") ? KEY_CAP : KEY_UNKNOWN;
    case 4:
      return KEY_IS ("rule") ? KEY_RULE : KEY_IS ("tool") ? KEY_TOOL
        : KEY_IS ("side") ? KEY_SIDE : KEY_IS ("lang") ? KEY_LANG : KEY_UNKNOWN;
    case 5:
      return KEY_IS ("match") ? KEY_MATCH : KEY_IS ("class") ? KEY_CLASS
        : KEY_IS ("scope") ? KEY_SCOPE : KEY_UNKNOWN;
    case 6:
      return KEY_IS ("weight") ? KEY_WEIGHT : KEY_UNKNOWN;
    case 7:
      return KEY_IS ("nomatch") ? KEY_NOMATCH : KEY_IS ("pattern") ? KEY_PATTERN
        : KEY_IS ("trigger") ? KEY_TRIGGER : KEY_UNKNOWN;
    case 9:
      return KEY_IS ("advice-de") ? KEY_ADVICE_DE : KEY_IS ("advice-en") ? KEY_ADVICE_EN
        : KEY_UNKNOWN;
    case 11:
      return KEY_IS ("describe-de") ? KEY_DESCRIBE_DE : KEY_IS ("describe-en") ? KEY_DESCRIBE_EN
        : KEY_UNKNOWN;
    default:
      return KEY_UNKNOWN;
    }
#undef KEY_IS
}

static int
parse_line (struct parser *p, char *line, size_t len)
{
  if (p->has_nul && memchr (line, '\0', len))
    PARSE_ERROR (p, "NUL byte in line");
  while (len > 0 && (line[len - 1] == '\n' || is_blank (line[len - 1])))
    line[--len] = '\0';
  char *key = line;
  while (is_blank (*key))
    key++;
  if (*key == '\0' || *key == '#')
    return 0;
  char *value = key;
  while (*value && !is_blank (*value))
    value++;
  enum key_kind kind = lookup_key (key, value - key);
  if (*value)
    {
      *value++ = '\0';
      while (is_blank (*value))
        value++;
    }

  if (kind == KEY_RULE)
    {
      if (finish_rule (p) < 0)
        return -1;
      if (!*value)
        PARSE_ERROR (p, "rule: missing id");
      if (!valid_id (value))
        PARSE_ERROR (p, "rule: bad id '%s' (A-Z, 0-9, _, starting with a letter, at most %d)",
                     value, RULE_ID_MAX);
      long dup = file_id_lookup (p, value, -1);
      if (dup >= 0)
        PARSE_ERROR (p, "rule %s: defined twice (first at line %lu)", value,
                     p->file_rules.v[dup].line);
      if (file_id_lookup (p, value, (long) p->file_rules.n) == -2)
        {
          errno = ENOMEM;
          return -1;
        }
      struct rule *r = ruleset_append (&p->file_rules);
      if (!r)
        return -1;
      r->line = p->line;
      r->scope = SCOPE_SENTENCE;
      r->id = value;
      r->file = p->file_name;
      p->cur = r;
      p->seen = 0;
      return 0;
    }

  if (kind == KEY_UNKNOWN)
    PARSE_ERROR (p, "unknown key '%s'", key);
  if (!p->cur)
    PARSE_ERROR (p, "%s: outside a rule (a record starts with \"rule ID\")", key);
  if (!*value)
    PARSE_ERROR (p, "%s: missing value", key);

  struct rule *r = p->cur;
  switch (kind)
    {
    case KEY_TOOL:
      return store_string (p, key, SEEN_TOOL, &r->tool, value);
    case KEY_CLASS:
      return store_string (p, key, SEEN_CLASS, &r->cls, value);
    case KEY_DESCRIBE_DE:
      return store_string (p, key, SEEN_DESCRIBE_DE, &r->describe[0], value);
    case KEY_DESCRIBE_EN:
      return store_string (p, key, SEEN_DESCRIBE_EN, &r->describe[1], value);
    case KEY_ADVICE_DE:
      return store_string (p, key, SEEN_ADVICE_DE, &r->advice[0], value);
    case KEY_ADVICE_EN:
      return store_string (p, key, SEEN_ADVICE_EN, &r->advice[1], value);
    case KEY_SIDE:
      {
        if (set_once (p, key, SEEN_SIDE) < 0)
          return -1;
        static const char *const names[] = { "sach", "selbst", "beziehung", "appell" };
        static const enum rule_side sides[] = { SIDE_SACH, SIDE_SELBST, SIDE_BEZIEHUNG, SIDE_APPELL };
        for (size_t i = 0; i < 4; i++)
          if (strcmp (value, names[i]) == 0)
            {
              r->side = sides[i];
              return 0;
            }
        PARSE_ERROR (p, "side: bad value '%s' (sach, selbst, beziehung, appell)", value);
      }
    case KEY_SCOPE:
      {
        if (set_once (p, key, SEEN_SCOPE) < 0)
          return -1;
        static const char *const names[] = { "sentence", "question", "greeting", "message", "subject" };
        static const enum rule_scope scopes[] = { SCOPE_SENTENCE, SCOPE_QUESTION, SCOPE_GREETING,
          SCOPE_MESSAGE, SCOPE_SUBJECT };
        for (size_t i = 0; i < 5; i++)
          if (strcmp (value, names[i]) == 0)
            {
              r->scope = scopes[i];
              return 0;
            }
        PARSE_ERROR (p, "scope: bad value '%s' (sentence, question, greeting, message, subject)",
                     value);
      }
    case KEY_LANG:
      if (set_once (p, key, SEEN_LANG) < 0)
        return -1;
      if (strcmp (value, "de") && strcmp (value, "en") && strcmp (value, "any"))
        PARSE_ERROR (p, "lang: bad value '%s' (de, en, any)", value);
      r->lang = value;
      return 0;
    case KEY_WEIGHT:
    case KEY_CAP:
      {
        bool is_weight = kind == KEY_WEIGHT;
        if (set_once (p, key, is_weight ? SEEN_WEIGHT : SEEN_CAP) < 0)
          return -1;
        double d;
        if (!parse_number (value, &d))
          PARSE_ERROR (p, "%s: bad number '%s'", key, value);
        *(is_weight ? &r->weight : &r->cap) = d;
        return 0;
      }
    case KEY_PATTERN:
      if (set_once (p, key, SEEN_PATTERN) < 0)
        return -1;
      return parse_pattern (p, value);
    case KEY_TRIGGER:
      return parse_triggers (p, value);
    case KEY_MATCH:
    case KEY_NOMATCH:
      {
        unescape_example (value);
        return string_list_push (kind == KEY_MATCH ? &p->match : &p->nomatch, value, p->line);
      }
    default:
      PARSE_ERROR (p, "unknown key '%s'", key);
    }
}

/* Move the rules parsed from one file into RS, replacing rules of the same id. */
static int
merge_rules (struct ruleset *rs, struct ruleset *from)
{
  index_free (rs->priv->index);
  rs->priv->index = NULL;
  if (from->n == 0)
    return 0;
  /* The ids of RS by hash (index + 1, 0 empty): comparing every new rule with every rule
     loaded so far was a tenth of loading. */
  size_t nslots = 64;
  while (nslots < 2 * (rs->n + from->n))
    nslots *= 2;
  size_t *slots = calloc (nslots, sizeof *slots);
  if (!slots)
    return -1;
  for (size_t j = 0; j < rs->n; j++)
    {
      size_t k = hash_string (rs->v[j].id) & (nslots - 1);
      while (slots[k])
        k = (k + 1) & (nslots - 1);
      slots[k] = j + 1;
    }
  for (size_t i = 0; i < from->n; i++)
    {
      struct rule *dest = NULL;
      size_t k = hash_string (from->v[i].id) & (nslots - 1);
      for (; slots[k]; k = (k + 1) & (nslots - 1))
        if (strcmp (rs->v[slots[k] - 1].id, from->v[i].id) == 0)
          {
            dest = &rs->v[slots[k] - 1];
            rule_release (dest);
            break;
          }
      if (!dest)
        {
          if (!(dest = ruleset_append (rs)))
            {
              free (slots);
              return -1;
            }
          slots[k] = rs->n;
        }
      *dest = from->v[i];
      memset (&from->v[i], 0, sizeof from->v[i]);
    }
  free (slots);
  from->n = 0;
  return 0;
}

/* Read the file PATH whole into a new chunk with a NUL after its *LEN bytes; NULL with errno
   on failure. */
static struct rules_chunk *
read_whole (const char *path, size_t *len)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  size_t cap = fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0
    && (uintmax_t) st.st_size < SIZE_MAX / 2 ? (size_t) st.st_size + 1 : 8192;
  struct rules_chunk *c = chunk_new (cap + 1);
  size_t n = 0;
  while (c)
    {
      if (n == cap)
        {
          struct rules_chunk *bigger = cap < SIZE_MAX / 4 ? realloc (c, sizeof *c + 2 * cap + 1) : NULL;
          if (!bigger)
            {
              free (c);
              c = NULL;
              errno = ENOMEM;
              break;
            }
          c = bigger;
          cap *= 2;
        }
      ssize_t r = read (fd, c->data + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int saved = errno;
          free (c);
          c = NULL;
          errno = saved;
          break;
        }
      if (r == 0)
        break;
      n += r;
    }
  int saved = errno;
  close (fd);
  errno = saved;
  if (c)
    {
      c->data[n] = '\0';
      *len = n;
    }
  return c;
}

int
rules_load_file (struct ruleset *rs, const char *path, char *err, size_t errlen)
{
  size_t size = 0;
  struct rules_chunk *text = read_whole (path, &size);
  size_t path_len = strlen (path);
  struct rules_chunk *names = text ? chunk_new (path_len + 1 + sizeof "any") : NULL;
  if (!names || !ruleset_private (rs))
    {
      int saved = text && names ? ENOMEM : errno;
      set_error (err, errlen, "%s: %s", path, strerror (saved));
      free (text);
      free (names);
      errno = saved;
      return -1;
    }
  memcpy (names->data, path, path_len + 1);
  memcpy (names->data + path_len + 1, "any", sizeof "any");
  struct parser p = { .path = path, .err = err, .errlen = errlen, .file_name = names->data,
                      .any_lang = names->data + path_len + 1,
                      .has_nul = memchr (text->data, '\0', size) != NULL };
  int status = 0;
  char *end = text->data + size;
  for (char *line = text->data; line < end;)
    {
      char *nl = memchr (line, '\n', end - line);
      size_t len = (nl ? nl : end) - line;
      line[len] = '\0';
      p.line++;
      if (parse_line (&p, line, len) < 0)
        {
          status = -1;
          break;
        }
      line += len + 1;
    }
  if (status == 0)
    status = finish_rule (&p);
  if (status == 0)
    status = merge_rules (rs, &p.file_rules);
  if (status < 0 && errno == ENOMEM)
    set_error (err, errlen, "%s:%lu: %s", path, p.line, strerror (ENOMEM));
  int saved = errno;
  rules_free (&p.file_rules);
  string_list_free (&p.trig);
  string_list_free (&p.match);
  string_list_free (&p.nomatch);
  free (p.id_slots);
  if (status == 0)
    {
      /* The merged rules point into the chunks: the ruleset keeps them. */
      struct rules_chunk *last = names;
      names->next = p.arena;
      while (last->next)
        last = last->next;
      text->next = names;
      last->next = rs->priv->chunks;
      rs->priv->chunks = text;
    }
  else
    {
      free (text);
      free (names);
      chunks_free (p.arena);
    }
  errno = saved;
  return status;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
rules_load_dir (struct ruleset *rs, const char *dir, char *err, size_t errlen)
{
  DIR *d = opendir (dir);
  if (!d)
    {
      int saved = errno;
      set_error (err, errlen, "%s: %s", dir, strerror (saved));
      errno = saved;
      return -1;
    }
  char **names = NULL;
  size_t n = 0;
  int status = 0;
  struct dirent *e;
  while ((e = readdir (d)))
    {
      size_t len = strlen (e->d_name);
      if (e->d_name[0] == '.' || len <= 6 || strcmp (e->d_name + len - 6, ".rules") != 0)
        continue;
      char *name = strdup (e->d_name);
      if (!name || push_string (&names, &n, NULL, name, 0) < 0)
        {
          free (name);
          set_error (err, errlen, "%s: %s", dir, strerror (ENOMEM));
          status = -1;
          break;
        }
    }
  closedir (d);
  if (n > 1)
    qsort (names, n, sizeof *names, compare_names);
  for (size_t i = 0; status == 0 && i < n; i++)
    {
      size_t need = strlen (dir) + strlen (names[i]) + 2;
      char *path = malloc (need);
      if (!path)
        {
          set_error (err, errlen, "%s: %s", dir, strerror (ENOMEM));
          status = -1;
          break;
        }
      snprintf (path, need, "%s/%s", dir, names[i]);
      status = rules_load_file (rs, path, err, errlen);
      free (path);
    }
  int saved = errno;
  free_strings (names, n);
  errno = saved;
  return status;
}

void
rules_free (struct ruleset *rs)
{
  if (rs->priv && rs->priv->cache)
    {
      cache_save (rs->priv->cache, rs);
      cache_free (rs->priv->cache);
      rs->priv->cache = NULL;
    }
  for (size_t i = 0; i < rs->n; i++)
    rule_release (&rs->v[i]);
  free (rs->v);
  rs->v = NULL;
  rs->n = rs->cap = 0;
  struct rules_private *priv = rs->priv;
  if (priv)
    {
      chunks_free (priv->chunks);
      index_free (priv->index);
      free (priv->id_slots);
      pcre2_match_data_free (priv->md);
      pcre2_match_context_free (priv->mctx);
      free (priv);
      rs->priv = NULL;
    }
}

/* ---- compiling ---- */

/* ---- the compiled-pattern cache ----

   Compiling the patterns a message triggers is most of what a delivery costs (a long caseless
   UCP pattern takes half a million instructions), and a mail hook starts a new process for
   every message.  So compiled patterns are kept between processes in
   $XDG_CACHE_HOME/rittberger/patterns-<pcre2 version>.bin (else ~/.cache/...), serialised with
   pcre2_serialize_encode; decoding one costs a copy.  The file is only a cache: a record is
   used only when its pattern text and flags equal the rule's byte for byte, its checksum is
   right and PCRE2 accepts it, and anything unreadable is ignored and rewritten.  It is written
   (to a temporary file, then renamed) by rules_free when the process compiled patterns the
   file did not have, so a warm cache is only ever read.  RITTBERGER_PATTERN_CACHE=off turns
   it off.

   File: "rittberger-pcre2-cache 1\n", then records of native-endian u32 flags, u32 pattern
   length, u32 blob length, u64 checksum (FNV-1a over pattern and blob), the pattern bytes and
   the serialised code. */

#define CACHE_MAGIC "rittberger-pcre2-cache 1\n"

enum
{
  CACHE_MAX_BYTES = 8 << 20,    /* a bigger file is ignored; a new one keeps the newest */
};

struct cached_pattern
{
  const char *pattern;
  uint32_t plen, flags;
  const uint8_t *blob;
  uint32_t blen;
  uint64_t sum;                 /* checked when the record is used, not for every record */
};

struct pattern_cache
{
  bool loaded;                  /* the file was looked for */
  bool dirty;                   /* a pattern was compiled that the file lacks */
  char *path;                   /* NULL: no cache */
  char *data;                   /* the file as read */
  struct cached_pattern *v;
  size_t n;
};

static uint64_t
checksum (const void *a, size_t alen, const void *b, size_t blen)
{
  uint64_t h = UINT64_C (0xcbf29ce484222325);
  for (size_t i = 0; i < alen; i++)
    h = (h ^ ((const unsigned char *) a)[i]) * UINT64_C (0x100000001b3);
  for (size_t i = 0; i < blen; i++)
    h = (h ^ ((const unsigned char *) b)[i]) * UINT64_C (0x100000001b3);
  return h;
}

static char *
cache_path (void)
{
  const char *off = getenv ("RITTBERGER_PATTERN_CACHE");
  if (off && strcmp (off, "off") == 0)
    return NULL;
  char version[64];
  if (pcre2_config (PCRE2_CONFIG_VERSION, version) < 0)
    return NULL;
  for (char *c = version; *c; c++)
    if (!((*c >= '0' && *c <= '9') || *c == '.'))
      *c = '_';
  const char *xdg = getenv ("XDG_CACHE_HOME");
  const char *home = getenv ("HOME");
  char buf[4096];
  int n;
  if (xdg && *xdg == '/')
    n = snprintf (buf, sizeof buf, "%s/rittberger/patterns-%s.bin", xdg, version);
  else if (home && *home == '/')
    n = snprintf (buf, sizeof buf, "%s/.cache/rittberger/patterns-%s.bin", home, version);
  else
    return NULL;
  return n > 0 && (size_t) n < sizeof buf ? strdup (buf) : NULL;
}

static void
cache_free (struct pattern_cache *c)
{
  if (!c)
    return;
  free (c->path);
  free (c->data);
  free (c->v);
  free (c);
}

/* Read the cache file into C, keeping the records that look whole. */
static void
cache_load (struct pattern_cache *c)
{
  c->loaded = true;
  if (!(c->path = cache_path ()))
    return;
  int fd = open (c->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > CACHE_MAX_BYTES
      || st.st_size < (off_t) sizeof CACHE_MAGIC - 1 || !(c->data = malloc (st.st_size)))
    {
      close (fd);
      return;
    }
  size_t len = 0, size = st.st_size;
  while (len < size)
    {
      ssize_t r = read (fd, c->data + len, size - len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      len += r;
    }
  close (fd);
  if (len != size || memcmp (c->data, CACHE_MAGIC, sizeof CACHE_MAGIC - 1) != 0)
    return;
  size_t pos = sizeof CACHE_MAGIC - 1, cap = 0;
  enum { HEAD = 3 * sizeof (uint32_t) + sizeof (uint64_t) };
  while (size - pos >= HEAD)
    {
      uint32_t flags, plen, blen;
      uint64_t sum;
      memcpy (&flags, c->data + pos, 4);
      memcpy (&plen, c->data + pos + 4, 4);
      memcpy (&blen, c->data + pos + 8, 4);
      memcpy (&sum, c->data + pos + 12, 8);
      pos += HEAD;
      if (plen > size - pos || blen > size - pos - plen)
        break;
      const char *pattern = c->data + pos;
      const uint8_t *blob = (const uint8_t *) pattern + plen;
      pos += (size_t) plen + blen;
      if (c->n == cap)
        {
          cap = cap ? 2 * cap : 64;
          struct cached_pattern *nv = realloc (c->v, cap * sizeof *nv);
          if (!nv)
            break;
          c->v = nv;
        }
      c->v[c->n++] = (struct cached_pattern) { pattern, plen, flags, blob, blen, sum };
    }
}

/* The code of R decoded from the cache, or NULL. */
static pcre2_code *
cache_find (struct pattern_cache *c, const struct rule *r)
{
  if (!c->loaded)
    cache_load (c);
  size_t plen = strlen (r->pattern);
  for (size_t i = 0; i < c->n; i++)
    {
      const struct cached_pattern *x = &c->v[i];
      if (x->plen != plen || x->flags != r->pattern_flags || memcmp (x->pattern, r->pattern, plen))
        continue;
      if (checksum (x->pattern, x->plen, x->blob, x->blen) != x->sum)
        return NULL;            /* damaged: compile it, and the file is rewritten */
      pcre2_code *code = NULL;
      if (pcre2_serialize_get_number_of_codes (x->blob) == 1
          && pcre2_serialize_decode (&code, 1, x->blob, NULL) == 1)
        {
          uint32_t options;
          /* One more guard: the decoded pattern must have been compiled with the same flags. */
          if (pcre2_pattern_info (code, PCRE2_INFO_ARGOPTIONS, &options) == 0
              && options == r->pattern_flags)
            return code;
          pcre2_code_free (code);
        }
      return NULL;
    }
  return NULL;
}

static bool
write_all (int fd, const void *p, size_t n)
{
  while (n)
    {
      ssize_t w = write (fd, p, n);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return false;
      p = (const char *) p + w;
      n -= w;
    }
  return true;
}

static bool
write_record (int fd, const char *pattern, uint32_t flags, const uint8_t *blob, size_t blen)
{
  uint32_t plen = strlen (pattern), b = blen;
  uint64_t sum = checksum (pattern, plen, blob, blen);
  char head[20];
  memcpy (head, &flags, 4);
  memcpy (head + 4, &plen, 4);
  memcpy (head + 8, &b, 4);
  memcpy (head + 12, &sum, 8);
  return write_all (fd, head, sizeof head) && write_all (fd, pattern, plen)
    && write_all (fd, blob, blen);
}

/* Write the patterns RS compiled, then the file's other records, as the new cache file. */
static void
cache_save (struct pattern_cache *c, const struct ruleset *rs)
{
  if (!c->dirty || !c->path)
    return;
  char *slash = strrchr (c->path, '/');
  char *tmp = malloc (strlen (c->path) + 16);
  if (!slash || !tmp)
    {
      free (tmp);
      return;
    }
  /* Create the directories (private: ~/.cache/rittberger). */
  for (char *p = strchr (c->path + 1, '/'); p && p <= slash; p = strchr (p + 1, '/'))
    {
      *p = '\0';
      if (mkdir (c->path, 0700) < 0 && errno != EEXIST)
        {
          *p = '/';
          free (tmp);
          return;
        }
      *p = '/';
    }
  sprintf (tmp, "%s.%ld", c->path, (long) getpid ());
  int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      free (tmp);
      return;
    }
  bool ok = write_all (fd, CACHE_MAGIC, sizeof CACHE_MAGIC - 1);
  size_t total = sizeof CACHE_MAGIC - 1;
  for (size_t i = 0; ok && i < rs->n; i++)
    {
      const struct rule *r = &rs->v[i];
      if (!r->code)
        continue;
      uint8_t *blob;
      PCRE2_SIZE blen;
      const pcre2_code *one = r->code;
      if (pcre2_serialize_encode (&one, 1, &blob, &blen, NULL) != 1)
        continue;
      total += 20 + strlen (r->pattern) + blen;
      ok = total <= CACHE_MAX_BYTES && write_record (fd, r->pattern, r->pattern_flags, blob, blen);
      pcre2_serialize_free (blob);
    }
  for (size_t i = 0; ok && i < c->n; i++)
    {
      const struct cached_pattern *x = &c->v[i];
      if (checksum (x->pattern, x->plen, x->blob, x->blen) != x->sum)
        continue;               /* a damaged record is dropped */
      bool current = false;     /* already written above from the ruleset */
      for (size_t k = 0; k < rs->n && !current; k++)
        current = rs->v[k].code && rs->v[k].pattern_flags == x->flags
          && strlen (rs->v[k].pattern) == x->plen && memcmp (rs->v[k].pattern, x->pattern, x->plen) == 0;
      if (current)
        continue;
      total += 20 + x->plen + x->blen;
      if (total > CACHE_MAX_BYTES)
        break;
      char *pattern = strndup (x->pattern, x->plen);
      ok = pattern && write_record (fd, pattern, x->flags, x->blob, x->blen);
      free (pattern);
    }
  if (close (fd) < 0)
    ok = false;
  if (!ok || rename (tmp, c->path) < 0)
    unlink (tmp);
  free (tmp);
}

/* RS's pattern cache, made on first use; NULL if there is no memory for it. */
static struct pattern_cache *
rules_cache (struct ruleset *rs)
{
  struct rules_private *priv = ruleset_private (rs);
  if (priv && !priv->cache)
    priv->cache = calloc (1, sizeof *priv->cache);
  return priv ? priv->cache : NULL;
}


/* Compile R's pattern if that has not been tried (or take it from CACHE, which may be NULL);
   return it, or NULL if it does not compile.  On failure write the reason into MSG when MSG is
   non-NULL. */
static pcre2_code *
rule_code (struct rule *r, struct pattern_cache *cache, char *msg, size_t msglen)
{
  if (r->code)
    return r->code;
  if (!r->pattern)
    return NULL;
  if (cache && (r->code = cache_find (cache, r)))
    return r->code;
  int errcode;
  PCRE2_SIZE erroff;
  pcre2_code *code = pcre2_compile ((PCRE2_SPTR) r->pattern, PCRE2_ZERO_TERMINATED,
                                    r->pattern_flags, &errcode, &erroff, NULL);
  if (!code)
    {
      r->compile_failed = true;
      if (msg)
        {
          PCRE2_UCHAR text[256];
          if (pcre2_get_error_message (errcode, text, sizeof text) < 0)
            snprintf ((char *) text, sizeof text, "error %d", errcode);
          snprintf (msg, msglen, "%s at offset %lu", (char *) text, (unsigned long) erroff);
        }
      return NULL;
    }
  r->code = code;
  if (cache)
    cache->dirty = true;
  return code;
}

int
rules_compile_all (struct ruleset *rs, FILE *errs)
{
  int problems = 0;
  for (size_t i = 0; i < rs->n; i++)
    {
      struct rule *r = &rs->v[i];
      if (!r->pattern || r->code)
        continue;
      char msg[320];
      if (!rule_code (r, rules_cache (rs), msg, sizeof msg))
        {
          problems++;
          if (errs)
            fprintf (errs, "%s:%lu: rule %s: pattern: %s\n", r->file, r->pattern_line, r->id, msg);
        }
    }
  return problems;
}

/* ---- matching ---- */

/* The trigger index: every trigger of every rule in one hash table, each with the bitmap of the
   rules it belongs to.  A message's words are looked up once per rules_match call, which gives
   a bitmap of triggered rules per sentence and for the whole text; comparing every trigger of
   every rule with every word of every sentence cost more than the patterns themselves. */
struct trigger_slot
{
  const char *word;             /* the trigger without its star; NULL: an empty slot */
  uint32_t len;
  bool prefix;                  /* "word*" */
  size_t bits;                  /* offset of the rule bitmap in rules_index.bits */
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
  struct trigger_slot *slot;
  size_t nslots;                /* a power of two, at most half full */
  uint64_t *bits;
  size_t nbits;
  bool *prefix_len;             /* prefix_len[L]: some prefix trigger has L bytes */
  size_t max_prefix;
  uint64_t *every_word;         /* rules an empty prefix trigger lets run on any word */
  struct rule_need *need;       /* per rule */
  unsigned char *jit_tried;     /* per rule: pcre2_jit_compile was called for its pattern */
};

static void
index_free (struct rules_index *ix)
{
  if (!ix)
    return;
  free (ix->slot);
  free (ix->bits);
  free (ix->prefix_len);
  free (ix->every_word);
  free (ix->need);
  free (ix->jit_tried);
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

static size_t
slot_of (uint64_t h, bool prefix, size_t nslots)
{
  h = fnv_step (h, prefix ? 0xff : 0xfe);   /* 0xfe and 0xff never occur in UTF-8 */
  return (size_t) (h ^ (h >> 29)) & (nslots - 1);
}

/* The slot of WORD[0, LEN) as a prefix or exact trigger whose hash is H, or NULL. */
static const struct trigger_slot *
find_slot (const struct rules_index *ix, const char *word, size_t len, bool prefix, uint64_t h)
{
  for (size_t i = slot_of (h, prefix, ix->nslots);; i = (i + 1) & (ix->nslots - 1))
    {
      const struct trigger_slot *s = &ix->slot[i];
      if (!s->word)
        return NULL;
      if (s->len == len && s->prefix == prefix && memcmp (s->word, word, len) == 0)
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
  size_t at = slot_of (h, prefix, ix->nslots);
  while (ix->slot[at].word && !(ix->slot[at].len == len && ix->slot[at].prefix == prefix
                                && memcmp (ix->slot[at].word, word, len) == 0))
    at = (at + 1) & (ix->nslots - 1);
  struct trigger_slot *s = &ix->slot[at];
  if (!s->word)
    {
      s->word = word;
      s->len = (uint32_t) len;
      s->prefix = prefix;
      s->bits = ix->nbits;
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
  ix->nslots = 16;
  while (ix->nslots < 2 * ntriggers + 2)
    ix->nslots *= 2;
  ix->slot = calloc (ix->nslots, sizeof *ix->slot);
  ix->bits = calloc ((ntriggers + 1) * ix->words, sizeof *ix->bits);
  ix->every_word = calloc (ix->words, sizeof *ix->every_word);
  ix->need = calloc (rs->n + 1, sizeof *ix->need);
  ix->jit_tried = calloc (rs->n + 1, 1);
  if (!ix->slot || !ix->bits || !ix->every_word || !ix->need || !ix->jit_tried)
    {
      index_free (ix);
      return NULL;
    }
  for (size_t i = 0; i < rs->n; i++)
    {
      const struct rule *r = &rs->v[i];
      for (size_t k = 0; k < r->ntrigger; k++)
        if (index_add (ix, r->trigger[k], i) < 0)
          {
            index_free (ix);
            return NULL;
          }
      if (r->pattern && r->ntrigger == 0)
        pattern_needs (r->pattern, r->pattern_flags, &ix->need[i]);
    }
  return ix;
}

/* What one rules_match call shares between rules. */
struct match_run
{
  const struct text *t;
  const struct rules_index *ix;
  uint64_t *text_rules;         /* rules triggered by a word of the sender's own text */
  uint64_t *sent_rules;         /* per sentence, rules triggered by one of its words */
  signed char *sent_lang;       /* per sentence: 0 not yet guessed, 1 de, 2 en, 3 undecided */
  int text_lang;                /* the same for the whole text */
  int body_utf;                 /* -1 not yet checked, 0 invalid UTF-8, 1 valid */
  int subject_utf;
  signed char has_byte[256];    /* -1 not yet looked for, 0 absent from the body, 1 present */
  char *subject_lower;
  struct pattern_cache *cache;
  pcre2_match_context *mctx;
  pcre2_match_data *md;
  size_t jit_after;             /* bytes a pattern scans before it is JIT-compiled */
};

static bool
trigger_matches (const char *trigger, const char *word)
{
  size_t n = strlen (trigger);
  if (n > 0 && trigger[n - 1] == '*')
    return strncmp (trigger, word, n - 1) == 0;
  return strcmp (trigger, word) == 0;
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
  size_t words = ix->words;
  run->text_rules = calloc (words * (t->nsent + 1), sizeof *run->text_rules);
  uint64_t *acc = calloc (words, sizeof *acc);
  /* The words that trigger something, in token order, with what they trigger. */
  size_t *hit_tok = NULL;
  uint64_t *hit_bits = NULL;
  size_t nhits = 0, cap = 0;
  int status = -1;
  if (!run->text_rules || !acc)
    goto out;
  run->sent_rules = run->text_rules + words;
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
        bits_or (run->text_rules, acc, words);
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
        bits_or (run->sent_rules + s * words, hit_bits + k * words, words);
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
      if (run->has_byte[c] < 0)
        run->has_byte[c] = memchr (run->t->s, c, run->t->len) != NULL;
      if (run->has_byte[c])
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

/* May a rule of language LANG run on sentence S?  Undecided sentences (short ones such as
   "Interesse?") follow the whole text; an undecided text lets every rule run. */
static bool
lang_allows (struct match_run *run, const char *lang, size_t s)
{
  if (!lang || strcmp (lang, "any") == 0)
    return true;
  int want = strcmp (lang, "de") == 0 ? 1 : 2;
  int got = 3;
  if (s != LANG_WHOLE_TEXT && run->sent_lang)
    {
      if (run->sent_lang[s] == 0)
        run->sent_lang[s] = lang_code (lang_guess (run->t, s));
      got = run->sent_lang[s];
    }
  if (got == 3)
    {
      if (run->text_lang == 0)
        run->text_lang = lang_code (lang_guess (run->t, LANG_WHOLE_TEXT));
      got = run->text_lang;
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
  int *known = in_body ? &run->body_utf : &run->subject_utf;
  size_t len = in_body ? run->t->len : strlen (subj);
  if (*known < 0)
    *known = u8_check ((const uint8_t *) subj, len) == NULL;
  if (*known && starts_character (subj, len, start) && starts_character (subj, len, end))
    return PCRE2_NO_UTF_CHECK;
  return 0;
}

/* Run R over SUBJ[START, END) (a range of the body, or the subject when IN_BODY is false) and
   append a finding per match.  Return 0, or -1 on ENOMEM. */
static int
match_range (struct rule *r, size_t i, struct match_run *run, const char *subj, size_t start,
             size_t end, bool in_body, struct findings *out)
{
  pcre2_code *code = rule_code (r, run->cache, NULL, 0);
  if (!code)
    return 0;
  r->scanned += end - start;
  if (r->scanned >= run->jit_after && !run->ix->jit_tried[i])
    {
      run->ix->jit_tried[i] = 1;
      pcre2_jit_compile (code, PCRE2_JIT_COMPLETE);   /* failure only means no JIT */
    }

  const struct text *t = run->t;
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
      unsigned flags = 0;
      bool keep = true;
      if (in_body)
        {
          uint8_t m = t->mask ? t->mask[start + mstart < t->len ? start + mstart : t->len - 1] : 0;
          if (m & TEXT_NOT_OWN)
            keep = false;
          else if (m & TEXT_SPEECH)
            flags |= FIND_QUOTED;
        }
      if (keep)
        {
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
                  memcpy (m, base + mstart, mend - mstart);
                  m[mend - mstart] = '\0';
                  free (out->v[out->n - 1].match);
                  out->v[out->n - 1].match = m;
                }
            }
        }
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

/* Run rule I of the ruleset, R, over the text of RUN. */
static int
run_rule (struct rule *r, size_t i, struct match_run *run, const char *subject,
          struct findings *out)
{
  const struct text *t = run->t;
  size_t words = run->ix->words;
  if (r->scope == SCOPE_SUBJECT)
    {
      if (!subject || !triggers_in_subject (r, run->subject_lower ? run->subject_lower : subject))
        return 0;
      return match_range (r, i, run, subject, 0, strlen (subject), false, out);
    }
  if (r->ntrigger && !bit_test (run->text_rules, i))
    return 0;
  if (!body_may_match (run, &run->ix->need[i]))
    return 0;
  if (r->scope == SCOPE_MESSAGE)
    {
      if (!lang_allows (run, r->lang, LANG_WHOLE_TEXT))
        return 0;
      return match_range (r, i, run, t->s, 0, t->len, true, out);
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
      if (r->ntrigger && !bit_test (run->sent_rules + s * words, i))
        continue;
      if (!lang_allows (run, r->lang, s))
        continue;
      if (match_range (r, i, run, t->s, sent->off, sent->end, true, out) < 0)
        return -1;
    }
  return 0;
}

int
rules_match (struct ruleset *rs, const char *tool, const struct text *t, const char *subject,
             struct findings *out)
{
  struct match_run run = { .t = t, .body_utf = -1, .subject_utf = -1 };
  int status = -1;

  bool any = false;
  for (size_t i = 0; i < rs->n && !any; i++)
    any = rs->v[i].pattern && !rs->v[i].compile_failed && rs->v[i].tool
      && strcmp (rs->v[i].tool, tool) == 0;
  if (!any)
    return 0;

  struct rules_private *priv = ruleset_private (rs);
  if (!priv)
    goto out;
  if (priv->index && priv->index->nrules != rs->n)
    {
      index_free (priv->index);
      priv->index = NULL;
    }
  if (!priv->index && !(priv->index = index_build (rs)))
    goto out;
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
  memset (run.has_byte, -1, sizeof run.has_byte);

  if (find_triggered (&run) < 0)
    goto out;
  if (t->nsent && !(run.sent_lang = calloc (t->nsent, 1)))
    goto out;
  if (subject)
    {
      size_t n = 0;
      uint8_t *low = u8_tolower ((const uint8_t *) subject, strlen (subject), NULL, NULL, NULL, &n);
      if (low)
        {
          char *z = realloc (low, n + 1);
          if (!z)
            {
              free (low);
              goto out;
            }
          z[n] = '\0';
          run.subject_lower = z;
        }
    }

  status = 0;
  for (size_t i = 0; i < rs->n && status == 0; i++)
    {
      struct rule *r = &rs->v[i];
      if (!r->pattern || r->compile_failed || !r->tool || strcmp (r->tool, tool) != 0)
        continue;
      status = run_rule (r, i, &run, subject, out);
    }

out:
  if (status < 0)
    errno = ENOMEM;
  free (run.text_rules);
  free (run.sent_lang);
  free (run.subject_lower);
  return status;
}

/* ---- self-check ---- */

static bool
has_counted_finding (const struct findings *f, const char *id)
{
  for (size_t i = 0; i < f->n; i++)
    if (strcmp (f->v[i].rule, id) == 0 && !(f->v[i].flags & (FIND_QUOTED | FIND_ALLOWED)))
      return true;
  return false;
}

static void
put_example (FILE *errs, const char *s)
{
  for (; *s; s++)
    if (*s == '\n')
      fputs ("\\n", errs);
    else
      putc (*s, errs);
}

int
rules_check_examples (struct ruleset *rs, const char *tool, rules_detector detect, void *arg,
                      FILE *errs)
{
  int failures = 0;
  for (size_t i = 0; i < rs->n; i++)
    {
      struct rule *r = &rs->v[i];
      if (!r->tool || strcmp (r->tool, tool) != 0)
        continue;
      for (int kind = 0; kind < 2; kind++)
        {
          char **ex = kind == 0 ? r->match : r->nomatch;
          size_t n = kind == 0 ? r->nmatch : r->nnomatch;
          unsigned long *lines = kind == 0 ? r->match_line : r->nomatch_line;
          for (size_t k = 0; k < n; k++)
            {
              struct findings f = { 0 };
              const char *problem = NULL;
              if (detect (ex[k], strlen (ex[k]), &f, arg) < 0)
                problem = "the detector failed on";
              else if (kind == 0 && !has_counted_finding (&f, r->id))
                problem = "match example not matched";
              else if (kind == 1 && has_counted_finding (&f, r->id))
                problem = "nomatch example matched";
              findings_clear (&f);
              free (f.v);

              if (!problem && kind == 0 && r->ntrigger && r->scope != SCOPE_SUBJECT)
                {
                  struct text t;
                  if (text_analyze (&t, ex[k], strlen (ex[k])) == 0)
                    {
                      bool seen = false;
                      for (size_t w = 0; w < t.ntok && !seen; w++)
                        for (size_t j = 0; j < r->ntrigger && !seen; j++)
                          seen = trigger_matches (r->trigger[j], text_lower (&t, w));
                      text_free (&t);
                      if (!seen)
                        problem = "match example contains none of the triggers";
                    }
                  else
                    problem = "the detector failed on";
                }
              if (problem)
                {
                  failures++;
                  if (errs)
                    {
                      fprintf (errs, "%s:%lu: rule %s: %s: ", r->file, lines ? lines[k] : r->line,
                               r->id, problem);
                      put_example (errs, ex[k]);
                      putc ('\n', errs);
                    }
                }
            }
        }
    }
  return failures;
}
