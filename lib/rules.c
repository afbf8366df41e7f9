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
   order of the names, skipping names that start with '.'.  It keeps what it parsed in a cache
   file and takes the rules from there while the files stay the same (see "the parsed-rules
   image" below); RITTBERGER_PATTERN_CACHE=off turns that off with the pattern cache.

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
   JIT-compiled only after it has scanned enough text in one process (batch mode) to pay for it.
   What a call learns about its text that does not depend on the tool (triggered rules,
   sentence languages) is kept for the next call on the same text, and a sentence that repeats
   an earlier one byte for byte reuses its pattern matches (see struct text_memo). */

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
  /* The largest text whose copy the ruleset keeps to recognise it in the next rules_match call
     (struct text_memo): bigger inputs are rare enough to analyse afresh for each tool. */
  MEMO_MAX_BYTES = 4 << 20,
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
struct text_memo;

/* rules.c's own part of a ruleset (struct ruleset.priv). */
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

static void index_free (struct rules_index *ix);
static void memo_clear (struct text_memo *memo);
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

/* A hash of the N bytes at P, eight at a time (a byte-wise FNV-1a of the rule ids was a tenth
   of loading the rules, and of the pattern-cache records a tenth of matching one message):
   each 64-bit word is mixed in with a multiplication, the tail is padded with zeros, and the
   length goes into the last step. */
static uint64_t
hash_bytes (const void *p, size_t n, uint64_t h)
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

/* A hash of a long text (a rule file: the parsed-rules image is used only if every file
   hashes as it did), fed in pieces: four words at a time, each into its own lane, which the
   processor multiplies in parallel; hash_bytes mixes the lanes and the last bytes at the end.
   Each step is a bijection of its lane, so changing one word always changes the result. */
struct text_hash
{
  uint64_t lane[4];
  uint64_t len;
};

static void
text_hash_start (struct text_hash *h)
{
  *h = (struct text_hash) { { UINT64_C (0xcbf29ce484222325), UINT64_C (0x84222325cbf29ce4),
                              UINT64_C (0x100000001b3), UINT64_C (0x5851f42d4c957f2d) }, 0 };
}

/* Feed the N bytes at P to H, whole 32-byte blocks only (N a multiple of 32). */
static void
text_hash_blocks (struct text_hash *h, const void *p, size_t n)
{
  const unsigned char *b = p;
  const uint64_t mul = UINT64_C (0x9e3779b97f4a7c15);
  h->len += n;
  for (; n >= 32; b += 32, n -= 32)
    {
      uint64_t w[4];
      memcpy (w, b, sizeof w);
      h->lane[0] = (h->lane[0] ^ w[0]) * mul;
      h->lane[1] = (h->lane[1] ^ w[1]) * mul;
      h->lane[2] = (h->lane[2] ^ w[2]) * mul;
      h->lane[3] = (h->lane[3] ^ w[3]) * mul;
    }
}

/* The hash of what H was fed and then the last N bytes at P (fewer than 32). */
static uint64_t
text_hash_end (const struct text_hash *h, const void *p, size_t n)
{
  return hash_bytes (p, n, hash_bytes (h->lane, sizeof h->lane, h->len + n));
}

/* The same in one piece, for the N bytes at P. */
static uint64_t
hash_text (const void *p, size_t n)
{
  struct text_hash h;
  text_hash_start (&h);
  text_hash_blocks (&h, p, n & ~(size_t) 31);
  return text_hash_end (&h, (const char *) p + (n & ~(size_t) 31), n & 31);
}

/* Hash the file PATH as hash_text would its contents, through BUF (BUFSIZE bytes, a multiple
   of 32), into *HASH and its size into *SIZE; false if it cannot be read whole. */
static bool
hash_file (const char *path, char *buf, size_t bufsize, uint64_t *hash, size_t *size)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct text_hash h;
  text_hash_start (&h);
  size_t fill = 0;
  bool ok = true;
  for (;;)
    {
      ssize_t r = read (fd, buf + fill, bufsize - fill);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        ok = false;
      if (r <= 0)
        break;
      fill += r;
      if (fill == bufsize)
        {
          text_hash_blocks (&h, buf, fill);
          fill = 0;
        }
    }
  close (fd);
  size_t whole = fill & ~(size_t) 31;
  text_hash_blocks (&h, buf, whole);
  *hash = text_hash_end (&h, buf + whole, fill - whole);
  *size = h.len + (fill - whole);
  return ok;
}

/* The hash of the NUL-terminated S. */
static uint64_t
hash_string (const char *s)
{
  return hash_bytes (s, strlen (s), UINT64_C (0xcbf29ce484222325));
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

struct image_writer;
static void image_add_file (struct image_writer *w, const char *path, size_t size,
                            uint64_t text_hash, const struct ruleset *file_rules);

/* Parse TEXT, the SIZE bytes of the rule file PATH as read_whole returned them (NULL: reading
   failed, with errno), and merge its rules into RS; the ruleset takes TEXT over.  With IMG,
   also describe the file's rules to IMG, TEXT_HASH being the hash_bytes of the unparsed text.
   Same contract as rules_load_file otherwise. */
static int
load_text (struct ruleset *rs, const char *path, struct rules_chunk *text, size_t size,
           struct image_writer *img, uint64_t text_hash, char *err, size_t errlen)
{
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
    image_add_file (img, path, size, text_hash, &p.file_rules);
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

int
rules_load_file (struct ruleset *rs, const char *path, char *err, size_t errlen)
{
  size_t size = 0;
  struct rules_chunk *text = read_whole (path, &size);
  return load_text (rs, path, text, size, NULL, 0, err, errlen);
}

static bool write_all (int fd, const void *p, size_t n);

/* ---- the parsed-rules image ----

   Parsing the rule files is a sixth of what a mail hook's delivery costs, the same work in
   every process.  So rules_load_dir keeps what it parsed from a directory in an image,
   $XDG_CACHE_HOME/rittberger/rules-<hash of the directory name>.bin (the directory of the
   compiled-pattern cache, and turned off with it by RITTBERGER_PATTERN_CACHE=off): the rules
   of each file, their strings in one block.  A later rules_load_dir of the same directory
   still reads every rule file, but instead of parsing them it compares their names, sizes and
   hash_bytes values with the image's and, if all are equal, builds the rules from the image
   (about a fifth of the cost).  Anything else (a changed, added or removed file, an image that
   does not read back whole) means parsing, as without an image, and rewriting the image (to a
   temporary file, then renamed).  Files with an error are never put in an image, so errors
   are reported as before.  The image is trusted as the user's own rule files are.

   File: IMAGE_MAGIC, u64 blob length, the blob (NUL-terminated strings, padded to 8 bytes),
   then u64 words: the directory name, the number of files, and per file its path, size, hash
   and number of rules, and per rule the strings id, tool, class, lang, pattern, describe-de,
   describe-en, advice-de, advice-en, then side, scope, pattern flags, weight and cap (their
   bits), line, pattern line, the triggers (count, strings), the match examples (count,
   string and line each) and the nomatch examples.  A string is its offset in the blob << 32
   | its length, or UINT64_MAX for none.  Native byte order. */

#define IMAGE_MAGIC "rittberger-rules-image 1\n\n\n\n\n\n\n\n"   /* 32 bytes */

struct image_writer
{
  bool failed;                  /* out of memory: write nothing */
  char *blob;
  size_t blob_len, blob_cap;
  uint64_t *w;
  size_t nw, wcap;
  size_t nfiles;
};

static void
image_word (struct image_writer *w, uint64_t v)
{
  if (w->failed)
    return;
  if (w->nw == w->wcap)
    {
      size_t cap = w->wcap ? 2 * w->wcap : 4096;
      uint64_t *nv = realloc (w->w, cap * sizeof *nv);
      if (!nv)
        {
          w->failed = true;
          return;
        }
      w->w = nv;
      w->wcap = cap;
    }
  w->w[w->nw++] = v;
}

static void
image_string (struct image_writer *w, const char *str)
{
  if (!str)
    {
      image_word (w, UINT64_MAX);
      return;
    }
  size_t len = strlen (str);
  if (w->failed || len >= UINT32_MAX || w->blob_len + len + 1 >= UINT32_MAX)
    {
      w->failed = true;
      return;
    }
  if (w->blob_cap - w->blob_len < len + 1)
    {
      size_t cap = w->blob_cap ? w->blob_cap : 64 << 10;
      while (cap - w->blob_len < len + 1)
        cap *= 2;
      char *nb = realloc (w->blob, cap);
      if (!nb)
        {
          w->failed = true;
          return;
        }
      w->blob = nb;
      w->blob_cap = cap;
    }
  memcpy (w->blob + w->blob_len, str, len + 1);
  image_word (w, (uint64_t) w->blob_len << 32 | len);
  w->blob_len += len + 1;
}

static uint64_t
double_bits (double d)
{
  uint64_t b;
  memcpy (&b, &d, sizeof b);
  return b;
}

static void
image_add_file (struct image_writer *w, const char *path, size_t size, uint64_t text_hash,
                const struct ruleset *file_rules)
{
  w->nfiles++;
  image_string (w, path);
  image_word (w, size);
  image_word (w, text_hash);
  image_word (w, file_rules->n);
  for (size_t i = 0; i < file_rules->n; i++)
    {
      const struct rule *r = &file_rules->v[i];
      const char *strings[] = { r->id, r->tool, r->cls, r->lang, r->pattern, r->describe[0],
        r->describe[1], r->advice[0], r->advice[1] };
      for (size_t k = 0; k < sizeof strings / sizeof *strings; k++)
        image_string (w, strings[k]);
      image_word (w, r->side);
      image_word (w, r->scope);
      image_word (w, r->pattern_flags);
      image_word (w, double_bits (r->weight));
      image_word (w, double_bits (r->cap));
      image_word (w, r->line);
      image_word (w, r->pattern_line);
      image_word (w, r->ntrigger);
      for (size_t k = 0; k < r->ntrigger; k++)
        image_string (w, r->trigger[k]);
      image_word (w, r->nmatch);
      for (size_t k = 0; k < r->nmatch; k++)
        {
          image_string (w, r->match[k]);
          image_word (w, r->match_line[k]);
        }
      image_word (w, r->nnomatch);
      for (size_t k = 0; k < r->nnomatch; k++)
        {
          image_string (w, r->nomatch[k]);
          image_word (w, r->nomatch_line[k]);
        }
    }
}

/* The image file of the rules directory DIR, or NULL (no cache, or no memory). */
static char *
image_path (const char *dir)
{
  const char *off = getenv ("RITTBERGER_PATTERN_CACHE");
  if (off && strcmp (off, "off") == 0)
    return NULL;
  const char *xdg = getenv ("XDG_CACHE_HOME");
  const char *home = getenv ("HOME");
  unsigned long long h = hash_string (dir);
  char buf[4096];
  int n;
  if (xdg && *xdg == '/')
    n = snprintf (buf, sizeof buf, "%s/rittberger/rules-%016llx.bin", xdg, h);
  else if (home && *home == '/')
    n = snprintf (buf, sizeof buf, "%s/.cache/rittberger/rules-%016llx.bin", home, h);
  else
    return NULL;
  return n > 0 && (size_t) n < sizeof buf ? strdup (buf) : NULL;
}

/* Start W, the image of directory DIR. */
static void
image_start (struct image_writer *w, const char *dir)
{
  image_string (w, dir);
  image_word (w, 0);            /* the number of files, set by image_finish */
}

/* Create the temporary file the image PATH is written to (and its directories); return its
   descriptor and name in *TMP, or -1 if it cannot be made: then an image is not even built. */
static int
image_create (const char *path, char **tmp)
{
  char *slash = strrchr (path, '/');
  char *dirs = strdup (path);
  *tmp = malloc (strlen (path) + 32);
  bool ok = slash && *tmp && dirs;
  /* Create the directories (private: ~/.cache/rittberger). */
  for (char *p = ok ? strchr (dirs + 1, '/') : NULL; ok && p && p - dirs <= slash - path;
       p = strchr (p + 1, '/'))
    {
      *p = '\0';
      if (mkdir (dirs, 0700) < 0 && errno != EEXIST)
        ok = false;
      *p = '/';
    }
  free (dirs);
  int fd = -1;
  if (ok)
    {
      sprintf (*tmp, "%s.%ld", path, (long) getpid ());
      fd = open (*tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    }
  if (fd < 0)
    {
      free (*tmp);
      *tmp = NULL;
    }
  return fd;
}

/* Write the image W into FD, the temporary file TMP from image_create, and rename it to PATH;
   with SAVE false (or on any failure) remove TMP instead.  Free TMP. */
static void
image_finish (struct image_writer *w, int fd, char *tmp, const char *path, bool save)
{
  bool ok = save && !w->failed && w->nw >= 2;
  if (ok)
    {
      w->w[1] = w->nfiles;
      uint64_t blob_len = (w->blob_len + 7) & ~(uint64_t) 7;
      static const char zeros[8];
      ok = write_all (fd, IMAGE_MAGIC, sizeof IMAGE_MAGIC - 1)
        && write_all (fd, &blob_len, sizeof blob_len)
        && write_all (fd, w->blob, w->blob_len)
        && write_all (fd, zeros, blob_len - w->blob_len)
        && write_all (fd, w->w, w->nw * sizeof *w->w);
    }
  if (close (fd) < 0)
    ok = false;
  if (!ok || rename (tmp, path) < 0)
    unlink (tmp);
  free (tmp);
}

static void
image_writer_free (struct image_writer *w)
{
  free (w->blob);
  free (w->w);
}

/* Reading an image: its words W[0, N) and its strings' block BLOB of BLOB_LEN bytes.  Every
   read is bounds-checked; a word out of range sets BAD. */
struct image_reader
{
  const char *w;                /* unaligned: read with memcpy */
  size_t n, at;
  const char *blob;
  size_t blob_len;
  bool bad;
  const char *arena_end;        /* where the memory for the rules' arrays ends */
};

/* Room for N more bytes of arrays at *ARENA?  If not, the image is bad. */
static bool
image_room (struct image_reader *r, void *const *arena, size_t n)
{
  if ((size_t) (r->arena_end - (const char *) *arena) < n)
    r->bad = true;
  return !r->bad;
}

static uint64_t
image_next (struct image_reader *r)
{
  if (r->at >= r->n)
    {
      r->bad = true;
      return 0;
    }
  uint64_t v;
  memcpy (&v, r->w + 8 * r->at++, sizeof v);
  return v;
}

/* The next count of items of ITEM_WORDS words each (0 if it cannot be). */
static size_t
image_next_count (struct image_reader *r, size_t item_words)
{
  uint64_t v = image_next (r);
  if (v > (r->n - r->at) / item_words)
    {
      r->bad = true;
      return 0;
    }
  return (size_t) v;
}

/* The next string, NULL for none (or a bad one: then BAD is set). */
static char *
image_next_string (struct image_reader *r)
{
  uint64_t v = image_next (r);
  if (r->bad || v == UINT64_MAX)
    return NULL;
  uint64_t off = v >> 32, len = v & UINT32_MAX;
  if (off >= r->blob_len || len >= r->blob_len - off || r->blob[off + len] != '\0')
    {
      r->bad = true;
      return NULL;
    }
  return (char *) r->blob + off;
}

static double
image_next_double (struct image_reader *r)
{
  uint64_t b = image_next (r);
  double d;
  memcpy (&d, &b, sizeof d);
  return d;
}

/* Read rule R's triggers and examples from RD; with ARENA (else only count the pointers and
   lines they need into *NPTR and *NLINES), store them there. */
static void
image_rule_lists (struct image_reader *rd, struct rule *r, void **arena, size_t *nptr,
                  size_t *nlines)
{
  size_t n = image_next_count (rd, 1);
  char **trig = n && arena && image_room (rd, arena, (n + 1) * sizeof *trig)
    ? (char **) *arena : NULL;
  for (size_t k = 0; k < n; k++)
    {
      char *w = image_next_string (rd);
      if (!w)
        rd->bad = true;
      if (trig)
        trig[k] = w;
    }
  if (n)
    {
      *nptr += n + 1;
      if (trig)
        {
          trig[n] = NULL;
          *arena = trig + n + 1;
          r->trigger = trig;
        }
    }
  if (r)
    r->ntrigger = n;
  for (int kind = 0; kind < 2; kind++)
    {
      n = image_next_count (rd, 2);
      char **ex = n && arena && image_room (rd, arena, (n + 1) * sizeof *ex + n * sizeof (unsigned long))
        ? (char **) *arena : NULL;
      unsigned long *lines = ex ? (unsigned long *) (ex + n + 1) : NULL;
      for (size_t k = 0; k < n; k++)
        {
          char *e = image_next_string (rd);
          uint64_t line = image_next (rd);
          if (!e)
            rd->bad = true;
          if (ex)
            {
              ex[k] = e;
              lines[k] = line;
            }
        }
      if (!n)
        continue;
      *nptr += n + 1;
      *nlines += n;
      if (ex)
        {
          ex[n] = NULL;
          *arena = lines + n;
          *(kind == 0 ? &r->match : &r->nomatch) = ex;
          *(kind == 0 ? &r->match_line : &r->nomatch_line) = lines;
          *(kind == 0 ? &r->nmatch : &r->nnomatch) = n;
        }
    }
}

/* Read one rule from RD into R (R NULL: only check it and count, as image_rule_lists). */
static void
image_rule (struct image_reader *rd, struct rule *r, void **arena, size_t *nptr, size_t *nlines)
{
  char *str[9];
  for (size_t k = 0; k < 9; k++)
    str[k] = image_next_string (rd);
  uint64_t side = image_next (rd), scope = image_next (rd), flags = image_next (rd);
  double weight = image_next_double (rd), cap = image_next_double (rd);
  uint64_t line = image_next (rd), pattern_line = image_next (rd);
  /* What every parsed rule has: an id, a lang, both descriptions, a side. */
  if (!str[0] || !str[3] || !str[5] || !str[6] || side == SIDE_NONE || side > SIDE_APPELL
      || scope > SCOPE_SUBJECT || flags > UINT_MAX)
    rd->bad = true;
  if (r && !rd->bad)
    {
      r->id = str[0];
      r->tool = str[1];
      r->cls = str[2];
      r->lang = str[3];
      r->pattern = str[4];
      r->describe[0] = str[5];
      r->describe[1] = str[6];
      r->advice[0] = str[7];
      r->advice[1] = str[8];
      r->side = (enum rule_side) side;
      r->scope = (enum rule_scope) scope;
      r->pattern_flags = (unsigned) flags;
      r->weight = weight;
      r->cap = cap;
      r->line = line;
      r->pattern_line = pattern_line;
    }
  image_rule_lists (rd, r, r ? arena : NULL, nptr, nlines);
}

/* If the image IMG (LEN bytes, from read_whole) describes directory DIR with the N rule files
   PATHS of SIZES bytes hashing to HASHES, merge its rules into RS file by file, as parsing
   them would, and give IMG to RS: return 1.  Return 0 if it does not (RS unchanged, IMG
   freed), -1 with errno ENOMEM. */
static int
image_load (struct ruleset *rs, struct rules_chunk *img, size_t len, const char *dir,
            char *const *paths, const size_t *sizes, const uint64_t *hashes, size_t n)
{
  enum { HEAD = sizeof IMAGE_MAGIC - 1 + sizeof (uint64_t) };
  uint64_t blob_len = 0;
  if (len >= HEAD)
    memcpy (&blob_len, img->data + HEAD - sizeof blob_len, sizeof blob_len);
  if (len < HEAD || memcmp (img->data, IMAGE_MAGIC, sizeof IMAGE_MAGIC - 1) != 0
      || blob_len % 8 || blob_len > len - HEAD || (len - HEAD - blob_len) % 8)
    {
      free (img);
      return 0;
    }
  struct image_reader rd = {
    .w = img->data + HEAD + blob_len, .n = (len - HEAD - blob_len) / 8,
    .blob = img->data + HEAD, .blob_len = blob_len,
  };
  /* Every pointer and line of the rules' arrays is a word of the image, and each list has one
     terminating NULL more: at most three per rule, and a rule takes 19 words or more. */
  size_t arena_size = (rd.n + 3 * (rd.n / 19 + 1)) * 8;
  struct rules_chunk *arena = chunk_new (arena_size);
  struct ruleset *files = calloc (n + 1, sizeof *files);
  if (!arena || !files)
    {
      free (arena);
      free (files);
      free (img);
      errno = ENOMEM;
      return -1;
    }
  /* Build every file's rules, checking as we go; merge only if the whole image is good. */
  void *at = arena->data;
  rd.arena_end = arena->data + arena_size;
  size_t nptr = 0, nlines = 0;
  const char *name = image_next_string (&rd);
  bool good = name && strcmp (name, dir) == 0 && image_next (&rd) == n;
  bool nomem = false;
  for (size_t f = 0; good && !rd.bad && f < n; f++)
    {
      char *path = image_next_string (&rd);
      good = path && strcmp (path, paths[f]) == 0 && image_next (&rd) == sizes[f]
        && image_next (&rd) == hashes[f];
      size_t nrules = image_next_count (&rd, 19);
      for (size_t i = 0; good && !rd.bad && i < nrules; i++)
        {
          struct rule *r = ruleset_append (&files[f]);
          if (!r)
            {
              nomem = true;
              good = false;
              break;
            }
          image_rule (&rd, r, &at, &nptr, &nlines);
          r->file = path;
        }
    }
  good = good && !rd.bad && rd.at == rd.n;
  if (good && !ruleset_private (rs))
    {
      nomem = true;
      good = false;
    }
  if (good)
    {
      /* The rules point into both from now on: the ruleset keeps them. */
      img->next = arena;
      arena->next = rs->priv->chunks;
      rs->priv->chunks = img;
    }
  int status = good ? 1 : 0;
  for (size_t f = 0; f < n; f++)
    {
      if (good && status > 0 && merge_rules (rs, &files[f]) < 0)
        status = -1;
      files[f].n = 0;           /* their strings are the image's, freed below if not kept */
      rules_free (&files[f]);
    }
  free (files);
  if (!good)
    {
      free (arena);
      free (img);
    }
  if (nomem || status < 0)
    {
      errno = ENOMEM;
      return -1;
    }
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
  /* Hash every file first: if the image was made of files with these names and contents, the
     rules come from it and nothing is parsed. */
  char **paths = status == 0 ? calloc (n + 1, sizeof *paths) : NULL;
  size_t *sizes = paths ? calloc (n + 1, sizeof *sizes) : NULL;
  uint64_t *hashes = sizes ? calloc (n + 1, sizeof *hashes) : NULL;
  enum { HASH_BUFFER = 16 << 10 };
  char *buf = NULL;
  if (status == 0 && !hashes)
    {
      set_error (err, errlen, "%s: %s", dir, strerror (ENOMEM));
      status = -1;
    }
  for (size_t i = 0; status == 0 && i < n; i++)
    {
      size_t need = strlen (dir) + strlen (names[i]) + 2;
      if (!(paths[i] = malloc (need)))
        {
          set_error (err, errlen, "%s: %s", dir, strerror (ENOMEM));
          status = -1;
          break;
        }
      snprintf (paths[i], need, "%s/%s", dir, names[i]);
    }
  char *image = status == 0 && n > 0 ? image_path (dir) : NULL;
  size_t image_len = 0;
  struct rules_chunk *img = image ? read_whole (image, &image_len) : NULL;
  bool hashed = img && (buf = malloc (HASH_BUFFER));
  for (size_t i = 0; hashed && i < n; i++)
    hashed = hash_file (paths[i], buf, HASH_BUFFER, &hashes[i], &sizes[i]);
  free (buf);
  int from_image = 0;
  if (hashed)
    {
      from_image = image_load (rs, img, image_len, dir, paths, sizes, hashes, n);
      if (from_image < 0)
        {
          set_error (err, errlen, "%s: %s", dir, strerror (ENOMEM));
          status = -1;
        }
    }
  else
    free (img);
  /* Else parse them one by one, and make a new image of them if it can be written. */
  struct image_writer w = { 0 };
  char *tmp = NULL;
  int fd = image && from_image == 0 && status == 0 ? image_create (image, &tmp) : -1;
  if (fd >= 0)
    image_start (&w, dir);
  for (size_t i = 0; status == 0 && from_image == 0 && i < n; i++)
    {
      size_t size = 0;
      struct rules_chunk *text = read_whole (paths[i], &size);
      uint64_t hash = text && fd >= 0 ? hash_text (text->data, size) : 0;
      status = load_text (rs, paths[i], text, size, fd >= 0 ? &w : NULL, hash, err, errlen);
    }
  int saved = errno;
  if (fd >= 0)
    image_finish (&w, fd, tmp, image, status == 0);
  image_writer_free (&w);
  free (image);
  for (size_t i = 0; paths && i < n; i++)
    free (paths[i]);
  free (paths);
  free (sizes);
  free (hashes);
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
      if (priv->memo)
        memo_clear (priv->memo);
      free (priv->memo);
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

   File: "rittberger-pcre2-cache 2\n", then records of native-endian u32 flags, u32 pattern
   length, u32 blob length, u64 checksum (hash_bytes over pattern, then blob), the pattern bytes
   and the serialised code.  (Version 1 had a byte-wise FNV-1a checksum; its files are ignored
   and rewritten.) */

#define CACHE_MAGIC "rittberger-pcre2-cache 2\n"

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
  return hash_bytes (b, blen, hash_bytes (a, alen, UINT64_C (0xcbf29ce484222325)));
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

static void
index_free (struct rules_index *ix)
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
      index_free (ix);          /* trigger_slot.bits could not say where its bitmap is */
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
      index_free (ix);
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
            index_free (ix);
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
static void
memo_clear (struct text_memo *memo)
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
  memo_clear (memo);
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
      hash[s] = hash_bytes (t->s + se->off, len, UINT64_C (0xcbf29ce484222325));
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
  pcre2_code *code = rule_code (r, run->cache, NULL, 0);
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

  struct rules_private *priv = ruleset_private (rs);
  if (!priv)
    goto out;
  if (priv->index && priv->index->nrules != rs->n)
    {
      index_free (priv->index);
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
          memo_clear (priv->memo);
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
