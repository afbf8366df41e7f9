/* rules.c: the rule file format; parse rule files, look rules up, check their examples. */
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
   order of the names, skipping names that start with '.'.  It keeps what it parsed in a cache
   file and takes the rules from there while the files stay the same (see "the parsed-rules
   image" in rules-image.c); RITTBERGER_PATTERN_CACHE=off turns that off with the pattern cache.

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
   file (see "the compiled-pattern cache" in rules-cache.c).  Every match runs
   under a match limit and depth limit; hitting one counts as no match.  A pattern is
   JIT-compiled only after it has scanned enough text in one process (batch mode) to pay for it.
   What a call learns about its text that does not depend on the tool (triggered rules,
   sentence languages) is kept for the next call on the same text, and a sentence that repeats
   an earlier one byte for byte reuses its pattern matches (see struct text_memo).

   The module's source files: rules.c (this format, parsing, lookups, the self-check),
   rules-image.c (rules_load_dir and its parsed-rules image), rules-cache.c (compiling
   patterns and the compiled-pattern cache), rules-match.c (the trigger index, prefilters
   and rules_match) and rules-priv.h (what they share). */

#include <config.h>
#include "rules.h"
#include "rules-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RULESDIR
# define RULESDIR "rules"
#endif

enum
{
  RULE_ID_MAX = 64,
};

struct rules_private *
rules_private_get (struct ruleset *rs)
{
  if (!rs->priv)
    rs->priv = calloc (1, sizeof *rs->priv);
  return rs->priv;
}

struct rules_chunk *
rules_chunk_new (size_t size)
{
  struct rules_chunk *c = malloc (sizeof *c + size);
  if (c)
    {
      c->next = NULL;
      c->map = NULL;
      c->map_len = 0;
    }
  return c;
}

void
rules_chunk_free (struct rules_chunk *c)
{
  if (c && c->map)
    munmap (c->map, c->map_len);
  free (c);
}

static void
chunks_free (struct rules_chunk *c)
{
  while (c)
    {
      struct rules_chunk *next = c->next;
      rules_chunk_free (c);
      c = next;
    }
}

/* ---- small helpers ---- */

void
rules_set_error (char *err, size_t errlen, const char *fmt, ...)
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

/* Does C end a key (a blank or the end of the line)?  One table lookup: the key scan runs over
   every line of every rule file. */
static bool
ends_word (char c)
{
  static const bool table[256] = {
    [0] = true, [' '] = true, ['\t'] = true, ['\r'] = true, ['\v'] = true, ['\f'] = true,
  };
  return table[(unsigned char) c];
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

struct rule *
rules_append_rule (struct ruleset *rs)
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
      size_t k = rules_hash_string (v[i].id) & (nslots - 1);
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
      for (size_t k = rules_hash_string (id) & mask; priv->id_slots[k]; k = (k + 1) & mask)
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

/* Read S as a plain decimal ("1.5", "-3", "0.25") without strtod, or return false to leave it
   to strtod: a weight or cap line went through strtod's locale and multi-precision machinery,
   some 800 instructions each, a tenth of loading the rules.  With at most 15 significant
   digits and 22 decimals, both the digits as an integer and the power of ten are exact
   doubles, so their quotient is the correctly rounded value strtod returns too. */
static bool
parse_plain_decimal (const char *s, double *out)
{
  bool negative = *s == '-';
  if (*s == '-' || *s == '+')
    s++;
  uint64_t digits = 0;
  int ndigits = 0, decimals = 0;
  bool point = false;
  for (; *s; s++)
    if (*s >= '0' && *s <= '9')
      {
        if (++ndigits > 15)
          return false;
        digits = digits * 10 + (uint64_t) (*s - '0');
        decimals += point;
      }
    else if (*s == '.' && !point)
      point = true;
    else
      return false;
  if (ndigits == 0 || decimals > 22)
    return false;
  static const double powers[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  };
  double d = (double) digits / powers[decimals];
  *out = negative ? -d : d;
  return true;
}

static bool
parse_number (const char *s, double *out)
{
  if (parse_plain_decimal (s, out))
    return true;
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
    rules_set_error ((p)->err, (p)->errlen, "%s:%lu: %s", (p)->path, (p)->line, msg_); \
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
      struct rules_chunk *c = rules_chunk_new (cap);
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
            size_t j = rules_hash_string (p->file_rules.v[p->id_slots[k] - 1].id) & (nslots - 1);
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
  size_t j = rules_hash_string (id) & (p->id_nslots - 1);
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
      rules_set_error (p->err, p->errlen, "%s:%lu: rule %s: missing %s", p->path, r->line, r->id,
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
      /* 0 a byte of the word, 1 a separator or the end, 2 an upper-case letter: one lookup a
         byte, in a loop that sees every byte of every trigger line. */
      static const unsigned char kind[256] = {
        [0] = 1, [' '] = 1, ['\t'] = 1,
        ['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2, ['E'] = 2, ['F'] = 2, ['G'] = 2, ['H'] = 2,
        ['I'] = 2, ['J'] = 2, ['K'] = 2, ['L'] = 2, ['M'] = 2, ['N'] = 2, ['O'] = 2, ['P'] = 2,
        ['Q'] = 2, ['R'] = 2, ['S'] = 2, ['T'] = 2, ['U'] = 2, ['V'] = 2, ['W'] = 2, ['X'] = 2,
        ['Y'] = 2, ['Z'] = 2,
      };
      bool upper = false;
      for (unsigned char k; (k = kind[(unsigned char) *c]) != 1; c++)
        upper |= k == 2;
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

/* The fast path for an example line that starts with "match " or "nomatch " (30 % of the lines
   of the shipped rule files and 20 % of their bytes): the generic path's key scan, key lookup
   and trailing-blank loop cost several times what the example itself does.  Return 1 if the
   line was taken, 0 to leave it to the generic path (which also reports every error), -1 on
   ENOMEM. */
static int
parse_example_line (struct parser *p, char *line, size_t len)
{
  bool is_match = line[0] == 'm';
  size_t keylen = is_match ? 5 : 7;
  if (!p->cur || len <= keylen || !is_blank (line[keylen])
      || memcmp (line, is_match ? "match" : "nomatch", keylen) != 0)
    return 0;
  char *value = line + keylen + 1, *end = line + len;
  while (value < end && is_blank (*value))
    value++;
  while (end > value && (end[-1] == '\n' || is_blank (end[-1])))
    end--;
  if (value == end)
    return 0;                   /* "missing value" */
  *end = '\0';
  if (memchr (value, '\\', end - value))
    unescape_example (value);
  return string_list_push (is_match ? &p->match : &p->nomatch, value, p->line) < 0 ? -1 : 1;
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
  while (!ends_word (*value))
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
      struct rule *r = rules_append_rule (&p->file_rules);
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
int
rules_merge (struct ruleset *rs, struct ruleset *from)
{
  rules_index_free (rs->priv->index);
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
      size_t k = rules_hash_string (rs->v[j].id) & (nslots - 1);
      while (slots[k])
        k = (k + 1) & (nslots - 1);
      slots[k] = j + 1;
    }
  for (size_t i = 0; i < from->n; i++)
    {
      struct rule *dest = NULL;
      size_t k = rules_hash_string (from->v[i].id) & (nslots - 1);
      for (; slots[k]; k = (k + 1) & (nslots - 1))
        if (strcmp (rs->v[slots[k] - 1].id, from->v[i].id) == 0)
          {
            dest = &rs->v[slots[k] - 1];
            rule_release (dest);
            break;
          }
      if (!dest)
        {
          if (!(dest = rules_append_rule (rs)))
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
struct rules_chunk *
rules_read_whole (const char *path, size_t *len)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  size_t cap = fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0
    && (uintmax_t) st.st_size < SIZE_MAX / 2 ? (size_t) st.st_size + 1 : 8192;
  struct rules_chunk *c = rules_chunk_new (cap + 1);
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

/* Parse TEXT, the SIZE bytes of the rule file PATH as rules_read_whole returned them (NULL:
   reading failed, with errno), and merge its rules into RS; the ruleset takes TEXT over.  With
   IMG, also describe the file's rules to IMG, TEXT_HASH being the hash of the unparsed text.
   Same contract as rules_load_file otherwise. */
int
rules_load_text (struct ruleset *rs, const char *path, struct rules_chunk *text, size_t size,
                 struct image_writer *img, uint64_t text_hash, char *err, size_t errlen)
{
  size_t path_len = strlen (path);
  struct rules_chunk *names = text ? rules_chunk_new (path_len + 1 + sizeof "any") : NULL;
  if (!names || !rules_private_get (rs))
    {
      int saved = text && names ? ENOMEM : errno;
      rules_set_error (err, errlen, "%s: %s", path, strerror (saved));
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
      int taken = !p.has_nul && (line[0] == 'm' || line[0] == 'n')
        ? parse_example_line (&p, line, len) : 0;
      if (taken < 0 || (taken == 0 && parse_line (&p, line, len) < 0))
        {
          status = -1;
          break;
        }
      line += len + 1;
    }
  if (status == 0)
    status = finish_rule (&p);
  if (status == 0 && img)
    rules_image_add_file (img, path, size, text_hash, &p.file_rules);
  if (status == 0)
    status = rules_merge (rs, &p.file_rules);
  if (status < 0 && errno == ENOMEM)
    rules_set_error (err, errlen, "%s:%lu: %s", path, p.line, strerror (ENOMEM));
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

int
rules_load_file (struct ruleset *rs, const char *path, char *err, size_t errlen)
{
  size_t size = 0;
  struct rules_chunk *text = rules_read_whole (path, &size);
  return rules_load_text (rs, path, text, size, NULL, 0, err, errlen);
}


bool
rules_write_all (int fd, const void *p, size_t n)
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


void
rules_free (struct ruleset *rs)
{
  if (rs->priv && rs->priv->cache)
    {
      rules_cache_save (rs->priv->cache, rs);
      rules_cache_free (rs->priv->cache);
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
      rules_index_free (priv->index);
      if (priv->memo)
        rules_memo_clear (priv->memo);
      free (priv->memo);
      free (priv->id_slots);
      pcre2_match_data_free (priv->md);
      pcre2_match_context_free (priv->mctx);
      free (priv);
      rs->priv = NULL;
    }
}

static bool
trigger_matches (const char *trigger, const char *word)
{
  size_t n = strlen (trigger);
  if (n > 0 && trigger[n - 1] == '*')
    return strncmp (trigger, word, n - 1) == 0;
  return strcmp (trigger, word) == 0;
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
