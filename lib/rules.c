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
   most messages because their triggers do not occur, so start-up stays cheap.  Every match runs
   under a match limit and depth limit; hitting one counts as no match.  A pattern is
   JIT-compiled only after it has scanned enough text in one process (batch mode) to pay for it. */

#include <config.h>
#include "rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>

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
  JIT_AFTER_BYTES = 1 << 20,    /* JIT a pattern once it has scanned this much in one process */
};

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

static void
rule_release (struct rule *r)
{
  free (r->id);
  free (r->tool);
  free (r->cls);
  free (r->lang);
  free (r->pattern);
  if (r->code)
    pcre2_code_free (r->code);
  for (int i = 0; i < 2; i++)
    {
      free (r->describe[i]);
      free (r->advice[i]);
    }
  free_strings (r->match, r->nmatch);
  free_strings (r->nomatch, r->nnomatch);
  free_strings (r->trigger, r->ntrigger);
  free (r->match_line);
  free (r->nomatch_line);
  free (r->file);
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

const struct rule *
rules_find (const struct ruleset *rs, const char *id)
{
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
  struct rule *cur;
  unsigned seen;
};

#define PARSE_ERROR(p, ...)                                             \
  do {                                                                  \
    char msg_[512];                                                     \
    snprintf (msg_, sizeof msg_, __VA_ARGS__);                          \
    set_error ((p)->err, (p)->errlen, "%s:%lu: %s", (p)->path, (p)->line, msg_); \
    errno = EINVAL;                                                     \
    return -1;                                                          \
  } while (0)

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
  if (!r->lang && !(r->lang = strdup ("any")))
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
store_string (struct parser *p, const char *key, unsigned bit, char **slot, const char *value)
{
  if (set_once (p, key, bit) < 0)
    return -1;
  if (!(*slot = strdup (value)))
    return -1;
  return 0;
}

static int
parse_pattern (struct parser *p, const char *value)
{
  struct rule *r = p->cur;
  char delim = value[0];
  if ((delim >= 'a' && delim <= 'z') || (delim >= 'A' && delim <= 'Z')
      || (delim >= '0' && delim <= '9') || delim == '\\' || (unsigned char) delim >= 0x80)
    PARSE_ERROR (p, "pattern: bad delimiter '%c'", delim);
  const char *close = strrchr (value + 1, delim);
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
  size_t n = close - (value + 1);
  if (!(r->pattern = malloc (n + 1)))
    return -1;
  memcpy (r->pattern, value + 1, n);
  r->pattern[n] = '\0';
  r->pattern_flags = flags;
  r->pattern_line = p->line;
  return 0;
}

static int
parse_triggers (struct parser *p, char *value)
{
  struct rule *r = p->cur;
  for (char *w = strtok (value, " \t"); w; w = strtok (NULL, " \t"))
    {
      for (const char *c = w; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
          PARSE_ERROR (p, "trigger: '%s' is not lower case", w);
      if (strcmp (w, "*") == 0)
        PARSE_ERROR (p, "trigger: '*' alone would match every word");
      char *copy = strdup (w);
      if (!copy || push_string (&r->trigger, &r->ntrigger, NULL, copy, 0) < 0)
        {
          free (copy);
          return -1;
        }
    }
  return 0;
}

enum key_kind
{
  KEY_UNKNOWN, KEY_RULE, KEY_TOOL, KEY_CLASS, KEY_SIDE, KEY_SCOPE, KEY_LANG, KEY_WEIGHT, KEY_CAP,
  KEY_PATTERN, KEY_TRIGGER, KEY_DESCRIBE_DE, KEY_DESCRIBE_EN, KEY_ADVICE_DE, KEY_ADVICE_EN,
  KEY_MATCH, KEY_NOMATCH,
};

/* Every line goes through here, so compare lengths before bytes: start-up time is the budget. */
static enum key_kind
lookup_key (const char *key, size_t len)
{
  static const struct
  {
    const char *name;
    unsigned char len;
    enum key_kind kind;
  } keys[] = {
    {"rule", 4, KEY_RULE}, {"tool", 4, KEY_TOOL}, {"class", 5, KEY_CLASS},
    {"side", 4, KEY_SIDE}, {"scope", 5, KEY_SCOPE}, {"lang", 4, KEY_LANG},
    {"weight", 6, KEY_WEIGHT}, {"cap", 3, KEY_CAP}, {"pattern", 7, KEY_PATTERN},
    {"trigger", 7, KEY_TRIGGER}, {"describe-de", 11, KEY_DESCRIBE_DE},
    {"describe-en", 11, KEY_DESCRIBE_EN}, {"advice-de", 9, KEY_ADVICE_DE},
    {"advice-en", 9, KEY_ADVICE_EN}, {"match", 5, KEY_MATCH}, {"nomatch", 7, KEY_NOMATCH},
  };
  if (len < 3 || len > 11)
    return KEY_UNKNOWN;
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
    if (keys[i].len == len && keys[i].name[0] == key[0] && memcmp (keys[i].name, key, len) == 0)
      return keys[i].kind;
  return KEY_UNKNOWN;
}

static int
parse_line (struct parser *p, char *line, size_t len)
{
  if (memchr (line, '\0', len))
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
  if (*value)
    {
      *value++ = '\0';
      while (is_blank (*value))
        value++;
    }

  size_t key_len = strlen (key);
  if (lookup_key (key, key_len) == KEY_RULE)
    {
      if (finish_rule (p) < 0)
        return -1;
      if (!*value)
        PARSE_ERROR (p, "rule: missing id");
      if (!valid_id (value))
        PARSE_ERROR (p, "rule: bad id '%s' (A-Z, 0-9, _, starting with a letter, at most %d)",
                     value, RULE_ID_MAX);
      for (size_t i = 0; i < p->file_rules.n; i++)
        if (strcmp (p->file_rules.v[i].id, value) == 0)
          PARSE_ERROR (p, "rule %s: defined twice (first at line %lu)", value,
                       p->file_rules.v[i].line);
      struct rule *r = ruleset_append (&p->file_rules);
      if (!r)
        return -1;
      r->line = p->line;
      r->scope = SCOPE_SENTENCE;
      if (!(r->id = strdup (value)) || !(r->file = strdup (p->path)))
        return -1;
      p->cur = r;
      p->seen = 0;
      return 0;
    }

  enum key_kind kind = lookup_key (key, key_len);
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
      return (r->lang = strdup (value)) ? 0 : -1;
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
        char *copy = strdup (value);
        if (!copy)
          return -1;
        unescape_example (copy);
        bool is_match = kind == KEY_MATCH;
        if (push_string (is_match ? &r->match : &r->nomatch, is_match ? &r->nmatch : &r->nnomatch,
                         is_match ? &r->match_line : &r->nomatch_line, copy, p->line) < 0)
          {
            free (copy);
            return -1;
          }
        return 0;
      }
    default:
      PARSE_ERROR (p, "unknown key '%s'", key);
    }
}

/* Move the rules parsed from one file into RS, replacing rules of the same id. */
static int
merge_rules (struct ruleset *rs, struct ruleset *from)
{
  for (size_t i = 0; i < from->n; i++)
    {
      struct rule *dest = NULL;
      for (size_t j = 0; j < rs->n; j++)
        if (strcmp (rs->v[j].id, from->v[i].id) == 0)
          {
            dest = &rs->v[j];
            rule_release (dest);
            break;
          }
      if (!dest && !(dest = ruleset_append (rs)))
        return -1;
      *dest = from->v[i];
      memset (&from->v[i], 0, sizeof from->v[i]);
    }
  from->n = 0;
  return 0;
}

int
rules_load_file (struct ruleset *rs, const char *path, char *err, size_t errlen)
{
  FILE *f = fopen (path, "r");
  if (!f)
    {
      int saved = errno;
      set_error (err, errlen, "%s: %s", path, strerror (saved));
      errno = saved;
      return -1;
    }
  struct parser p = { .path = path, .err = err, .errlen = errlen };
  char *line = NULL;
  size_t size = 0;
  ssize_t len;
  int status = 0;
  while ((len = getline (&line, &size, f)) >= 0)
    {
      p.line++;
      if (parse_line (&p, line, len) < 0)
        {
          status = -1;
          break;
        }
    }
  if (status == 0 && ferror (f))
    {
      set_error (err, errlen, "%s: %s", path, strerror (errno));
      status = -1;
    }
  if (status == 0)
    status = finish_rule (&p);
  if (status == 0)
    status = merge_rules (rs, &p.file_rules);
  if (status < 0 && errno == ENOMEM)
    set_error (err, errlen, "%s:%lu: %s", path, p.line, strerror (ENOMEM));
  int saved = errno;
  free (line);
  fclose (f);
  rules_free (&p.file_rules);
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
  for (size_t i = 0; i < rs->n; i++)
    rule_release (&rs->v[i]);
  free (rs->v);
  rs->v = NULL;
  rs->n = rs->cap = 0;
}

/* ---- compiling ---- */

/* Compile R's pattern if that has not been tried; return it, or NULL if it does not compile.
   On failure write the reason into MSG when MSG is non-NULL. */
static pcre2_code *
rule_code (struct rule *r, char *msg, size_t msglen)
{
  if (r->code)
    return r->code;
  if (!r->pattern)
    return NULL;
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
      if (!rule_code (r, msg, sizeof msg))
        {
          problems++;
          if (errs)
            fprintf (errs, "%s:%lu: rule %s: pattern: %s\n", r->file, r->pattern_line, r->id, msg);
        }
    }
  return problems;
}

/* ---- matching ---- */

/* What one rules_match call shares between rules. */
struct match_run
{
  const struct text *t;
  const char **words;           /* lower-cased words of the sender's own text, sorted */
  size_t nwords;
  signed char *sent_lang;       /* per sentence: 0 not yet guessed, 1 de, 2 en, 3 undecided */
  int text_lang;                /* the same for the whole text */
  char *subject_lower;
  pcre2_match_context *mctx;
  pcre2_match_data *md;
};

static int
compare_strptr (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static bool
trigger_matches (const char *trigger, const char *word)
{
  size_t n = strlen (trigger);
  if (n > 0 && trigger[n - 1] == '*')
    return strncmp (trigger, word, n - 1) == 0;
  return strcmp (trigger, word) == 0;
}

/* Does any trigger of R occur among the sorted words of the whole text? */
static bool
triggers_in_text (const struct rule *r, const struct match_run *run)
{
  for (size_t k = 0; k < r->ntrigger; k++)
    {
      const char *tr = r->trigger[k];
      size_t n = strlen (tr);
      bool prefix = n > 0 && tr[n - 1] == '*';
      /* Binary search for the first word >= the trigger (without its star). */
      size_t lo = 0, hi = run->nwords;
      while (lo < hi)
        {
          size_t mid = (lo + hi) / 2;
          int c = prefix ? strncmp (run->words[mid], tr, n - 1) : strcmp (run->words[mid], tr);
          if (c < 0)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo < run->nwords && trigger_matches (tr, run->words[lo]))
        return true;
    }
  return false;
}

static bool
triggers_in_sentence (const struct rule *r, const struct text *t, const struct text_sentence *s)
{
  if (r->ntrigger == 0)
    return true;
  size_t end = (size_t) s->first_tok + s->ntok;
  if (end > t->ntok)
    end = t->ntok;
  for (size_t i = s->first_tok; i < end; i++)
    {
      const char *w = text_lower (t, i);
      for (size_t k = 0; k < r->ntrigger; k++)
        if (trigger_matches (r->trigger[k], w))
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

/* Run R over SUBJ[START, END) (a range of the body, or the subject when IN_BODY is false) and
   append a finding per match.  Return 0, or -1 on ENOMEM. */
static int
match_range (struct rule *r, struct match_run *run, const char *subj, size_t start, size_t end,
             bool in_body, struct findings *out)
{
  pcre2_code *code = rule_code (r, NULL, 0);
  if (!code)
    return 0;
  size_t before = r->scanned;
  r->scanned += end - start;
  if (before < JIT_AFTER_BYTES && r->scanned >= JIT_AFTER_BYTES)
    pcre2_jit_compile (code, PCRE2_JIT_COMPLETE);   /* failure only means no JIT */

  const struct text *t = run->t;
  PCRE2_SPTR base = (PCRE2_SPTR) subj + start;
  size_t len = end - start, pos = 0;
  for (int found = 0; found < MATCHES_PER_RANGE && pos <= len; found++)
    {
      int rc = pcre2_match (code, base, len, pos, 0, run->md, run->mctx);
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

static int
run_rule (struct rule *r, struct match_run *run, const char *subject, struct findings *out)
{
  const struct text *t = run->t;
  if (r->scope == SCOPE_SUBJECT)
    {
      if (!subject || !triggers_in_subject (r, run->subject_lower ? run->subject_lower : subject))
        return 0;
      return match_range (r, run, subject, 0, strlen (subject), false, out);
    }
  if (r->ntrigger && !triggers_in_text (r, run))
    return 0;
  if (r->scope == SCOPE_MESSAGE)
    {
      if (!lang_allows (run, r->lang, LANG_WHOLE_TEXT))
        return 0;
      return match_range (r, run, t->s, 0, t->len, true, out);
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
      if (!triggers_in_sentence (r, t, sent))
        continue;
      if (!lang_allows (run, r->lang, s))
        continue;
      if (match_range (r, run, t->s, sent->off, sent->end, true, out) < 0)
        return -1;
    }
  return 0;
}

int
rules_match (struct ruleset *rs, const char *tool, const struct text *t, const char *subject,
             struct findings *out)
{
  struct match_run run = { .t = t };
  int status = -1;

  bool any = false;
  for (size_t i = 0; i < rs->n && !any; i++)
    any = rs->v[i].pattern && !rs->v[i].compile_failed && rs->v[i].tool
      && strcmp (rs->v[i].tool, tool) == 0;
  if (!any)
    return 0;

  run.mctx = pcre2_match_context_create (NULL);
  run.md = pcre2_match_data_create (1, NULL);
  if (!run.mctx || !run.md)
    goto out;
  pcre2_set_match_limit (run.mctx, MATCH_LIMIT);
  pcre2_set_depth_limit (run.mctx, DEPTH_LIMIT);
  pcre2_set_heap_limit (run.mctx, HEAP_LIMIT_KIB);

  if (t->ntok)
    {
      run.words = malloc (t->ntok * sizeof *run.words);
      if (!run.words)
        goto out;
      for (size_t i = 0; i < t->ntok; i++)
        if (!(t->tok[i].mask & TEXT_NOT_OWN))
          run.words[run.nwords++] = text_lower (t, i);
      qsort (run.words, run.nwords, sizeof *run.words, compare_strptr);
    }
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
      status = run_rule (r, &run, subject, out);
    }

out:
  if (status < 0)
    errno = ENOMEM;
  free (run.words);
  free (run.sent_lang);
  free (run.subject_lower);
  pcre2_match_data_free (run.md);
  pcre2_match_context_free (run.mctx);
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
