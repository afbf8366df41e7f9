/* duzen.c: detect German informal (du, ihr) and formal (Sie) address in a message body. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* The rules follow the detect-duzen specification (duzen.md): closed word classes (§2), the
   disambiguation of ihr/Ihr/Sie/Ihnen (§3), verb cues from the generated verb table (§4),
   imperatives (§5), masks (§6), the language gate and lookalikes (§7), lowercase chat (§8),
   greeting cues (§9) and the verdict table (§10).  Everything works on the tokens of text.h; no
   regular expression is compiled and nothing is allocated per token.  */

#include <config.h>
#include "duzen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "duzen-lexicon.h"

/* Per-token state of one analysis. */
enum tok_state
{
  TS_SKIP = 1 << 0,             /* code, URL, or a sentence in another language: not German words */
  TS_QUOTED = 1 << 1,           /* quoted, forwarded, signature or direct speech: reported, not counted */
  TS_USED = 1 << 2,             /* already part of a hit */
  TS_LONE_CAPS = 1 << 3,        /* an all-caps token in mixed-case text (DU-4711) */
  TS_T = 1 << 4,                /* part of a T hit */
  TS_VERB_KNOWN = 1 << 5,       /* verb has been looked up */
  TS_DU_NEAR = 1 << 6,          /* another token within two is du, dich or dir (set by prepare) */
};

struct tok
{
  uint64_t lex;                 /* L_* classes of the lower-cased word */
  const struct duzen_verbform *verb;    /* its row in the verb table, or NULL; see verb_of */
  uint8_t state;
};

struct scan
{
  const struct text *t;
  struct tok *k;
  uint32_t *marked;             /* the tokens passes 1, 2 and 4 can act on, ascending (prepare) */
  size_t nmarked;
  uint32_t *live;               /* the tokens pass 3 visits, ascending: all but those TS_SKIP */
  size_t nlive;
  struct findings *out;
  int du, ihr, sie;             /* counted points */
  int strong_v;                 /* counted strong V hits */
  int cue_t, cue_v, culture;    /* counted cues */
  bool t_greeting;              /* a counted T greeting or closing (for the register mismatch) */
  long first_v_cue, first_t_cue;        /* token of the first V and T cue, or -1 */
  bool offered;
  bool eager;                   /* duzen_analyze_eager: no look-up filters */
};

enum side
{
  SIDE_DU,
  SIDE_IHR,
  SIDE_SIE,
  SIDE_CUE,
};

static const char *const side_class[] = { "DU", "IHR", "SIE", "CUE" };

/* ---- look-ups ---- */

/* strcmp for the short words of the tables, inlined: the look-ups are the hot loop. */
static inline int
word_compare (const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return (unsigned char) *a - (unsigned char) *b;
}

/* The L_* classes of the lower-cased WORD of text.lower (LEN bytes in the body): the branch-free
   look-up of duzen-lexicon.h, which reads eight bytes at WORD (TEXT_LOWER_PAD allows it). */
static inline uint64_t
lexicon_classes (const char *word, size_t len)
{
  /* 0 if longer than any listed word, without a branch */
  return duzen_word_classes_padded (word) & -(uint64_t) (len <= 20);
}

/* The same by a binary search of the list: the plain look-up the eager analysis keeps. */
static uint64_t
lexicon_classes_plain (const char *word, size_t len)
{
  if (len > 20)
    return 0;
  return duzen_word_search (word);
}

/* The verb-table row of the lower-cased WORD of text.lower, or NULL; through the filter if
   FILTERED. */
static const struct duzen_verbform *
verb_lookup (const char *word, bool filtered)
{
  bool long_word;
  if (filtered && !duzen_verb_maybe (duzen_word_key_padded (word, &long_word)))
    return NULL;
  for (uint32_t slot = duzen_hash (word) % DUZEN_VERB_SLOTS;; slot = (slot + 1) % DUZEN_VERB_SLOTS)
    {
      unsigned entry = duzen_verbform_slot[slot];
      if (entry == 0)
        return NULL;
      if (word_compare (word, duzen_verbforms[entry - 1].form) == 0)
        return &duzen_verbforms[entry - 1];
    }
}

/* ---- token predicates ---- */

static const char *
lw (const struct scan *sc, size_t i)
{
  return text_lower (sc->t, i);
}

static bool
is_word (const struct scan *sc, size_t i, const char *w)
{
  return strcmp (lw (sc, i), w) == 0;
}

static uint16_t
tflags (const struct scan *sc, size_t i)
{
  return sc->t->tok[i].flags;
}

static uint16_t
sflags (const struct scan *sc, size_t i)
{
  return sc->t->sent[sc->t->tok[i].sentence].flags;
}

static bool
caps_sentence (const struct scan *sc, size_t i)
{
  return (sflags (sc, i) & SENT_ALL_UPPER) != 0;
}

/* Case carries no information here (§8). */
static bool
lower_sentence (const struct scan *sc, size_t i)
{
  return sc->t->all_lower || (sflags (sc, i) & SENT_ALL_LOWER);
}

/* Does token I start a line that merely continues a hard-wrapped sentence ("Gerne können\nSie
   mich anrufen")?  The previous line is long, ends in a lowercase word without punctuation, and
   no blank line separates them; text.h may still call I initial. */
static bool
soft_wrapped (const struct scan *sc, size_t i)
{
  const struct text *t = sc->t;
  if (i == 0 || !(t->tok[i - 1].flags & TOK_ALL_LOWER))
    return false;
  size_t a = t->tok[i - 1].off + t->tok[i - 1].len, b = t->tok[i].off;
  int newlines = 0;
  for (size_t x = a; x < b; x++)
    if (t->s[x] == '\n')
      newlines++;
    else if (t->s[x] != ' ' && t->s[x] != '\t' && t->s[x] != '\r')
      return false;
  if (newlines != 1)
    return false;
  size_t line = a;
  while (line > 0 && t->s[line - 1] != '\n')
    line--;
  return a - line >= 50;
}

static bool
initial (const struct scan *sc, size_t i)
{
  return (tflags (sc, i) & TOK_INITIAL) && !soft_wrapped (sc, i);
}

/* Capitalised like "Sie", not "SIE". */
static bool
capitalised (const struct scan *sc, size_t i)
{
  return (tflags (sc, i) & TOK_UPPER_INITIAL) && !(tflags (sc, i) & TOK_ALL_UPPER);
}

static bool
lowercase (const struct scan *sc, size_t i)
{
  return (tflags (sc, i) & TOK_ALL_LOWER) != 0;
}

/* Part of a compound such as Du-Form or E-Mail: never a pronoun, never context. */
static bool
in_compound (const struct scan *sc, size_t i)
{
  return (tflags (sc, i) & (TOK_COMPOUND | TOK_AFTER_HYPHEN)) != 0;
}

/* Token J, counted from I by DELTA, if it is in I's sentence, in the same quoting region and
   German; else -1. */
static long
near (const struct scan *sc, size_t i, long delta)
{
  long j = (long) i + delta;
  if (j < 0 || (size_t) j >= sc->t->ntok)
    return -1;
  if (sc->t->tok[j].sentence != sc->t->tok[i].sentence)
    return -1;
  if (sc->k[j].state & TS_SKIP)
    return -1;
  if ((sc->k[j].state & TS_QUOTED) != (sc->k[i].state & TS_QUOTED))
    return -1;
  return j;
}

static bool
has (const struct scan *sc, long j, uint64_t classes)
{
  return j >= 0 && (sc->k[j].lex & classes);
}

static bool
ends_with (const char *w, const char *suffix)
{
  size_t n = strlen (w), m = strlen (suffix);
  return n >= m && memcmp (w + n - m, suffix, m) == 0;
}

/* The punctuation right before token J, or 0 when only white space separates it from the
   previous word (text.c may report a line break there). */
static char
punct (const struct scan *sc, size_t j)
{
  char p = (char) sc->t->tok[j].punct_before;
  return p == '\n' || p == '\r' || p == '\t' || p == ' ' ? 0 : p;
}

/* A clause ends before token J (comma, semicolon, colon, bracket). */
static bool
clause_break_before (const struct scan *sc, size_t j)
{
  char p = punct (sc, j);
  return p == ',' || p == ';' || p == ':' || p == ')' || p == '-';
}

static bool
question (const struct scan *sc, size_t i)
{
  return (sflags (sc, i) & SENT_QUESTION) != 0;
}

/* Does I's sentence end in '!' within a few words of I (Sag Bescheid!)?  A '!' far away
   belongs to another clause. */
static bool
exclaim (const struct scan *sc, size_t i)
{
  const struct text_sentence *s = &sc->t->sent[sc->t->tok[i].sentence];
  return (s->flags & SENT_EXCLAIM) && s->first_tok + s->ntok <= i + 9;
}

/* A verb token counts only if it is lowercase, initial, or its sentence carries no case (§1):
   mid-sentence Hast, Dienst and Macht are nouns. */
static bool
verb_position (const struct scan *sc, size_t i)
{
  if (in_compound (sc, i) || (sc->k[i].state & TS_LONE_CAPS))
    return false;
  return lowercase (sc, i) || initial (sc, i) || caps_sentence (sc, i) || lower_sentence (sc, i);
}

/* The verb-table row of token I, looked up on first use: most tokens never need it. */
static const struct duzen_verbform *
verb_of (const struct scan *sc, size_t i)
{
  struct tok *k = &sc->k[i];
  if (!(k->state & TS_VERB_KNOWN))
    {
      k->verb = sc->t->tok[i].len <= 24 ? verb_lookup (lw (sc, i), !sc->eager) : NULL;
      k->state |= TS_VERB_KNOWN;
    }
  return k->verb;
}

/* Whether token I may have a verb-table row: verb_of's answer once it is known, else the
   filter's, without a call.  Pass 3 asks it of every word of the sentences the gate keeps,
   and the filter turns away nearly all of them. */
static inline bool
verb_may_exist (const struct scan *sc, size_t i)
{
  const struct tok *k = &sc->k[i];
  if (k->state & TS_VERB_KNOWN)
    return k->verb != NULL;
  bool long_word;
  return sc->t->tok[i].len <= 24
    && duzen_verb_maybe (duzen_word_key_padded (lw (sc, i), &long_word));
}

static const struct duzen_verbform *
verb_at (const struct scan *sc, long j)
{
  if (j < 0 || !verb_position (sc, (size_t) j))
    return NULL;
  return verb_of (sc, (size_t) j);
}

/* A pronoun token worth looking at: German, not in a compound, not a lone all-caps code. */
static bool
pronoun_candidate (const struct scan *sc, size_t i)
{
  return !(sc->k[i].state & (TS_SKIP | TS_USED | TS_LONE_CAPS)) && !in_compound (sc, i);
}

/* How far context scans reach (tokens).  Keeps a 1 MB run-on "sentence" linear. */
#define CLAUSE_REACH 16
#define SENTENCE_REACH 40

/* The first and one-past-last token of I's sentence, clipped to SENTENCE_REACH around I. */
static void
sentence_window (const struct scan *sc, size_t i, size_t *from, size_t *to)
{
  const struct text_sentence *s = &sc->t->sent[sc->t->tok[i].sentence];
  *from = s->first_tok;
  *to = s->first_tok + s->ntok;
  if (i > *from + SENTENCE_REACH)
    *from = i - SENTENCE_REACH;
  if (*to > i + SENTENCE_REACH + 1)
    *to = i + SENTENCE_REACH + 1;
}

/* ---- reporting ---- */

static const int severity_points[] = { 0, 1, 2, 3 };

/* Report tokens FIRST..LAST as one hit of RULE; count it unless it lies in quoted text. */
static int
hit (struct scan *sc, const char *rule, enum side side, enum finding_severity sev,
     size_t first, size_t last)
{
  if (last < first)
    {
      size_t x = first;
      first = last;
      last = x;
    }
  bool quoted = false;
  for (size_t j = first; j <= last; j++)
    {
      if (sc->k[j].state & TS_QUOTED)
        quoted = true;
      sc->k[j].state |= TS_USED | (side == SIDE_DU || side == SIDE_IHR ? TS_T : 0);
    }
  const struct text_token *a = &sc->t->tok[first], *b = &sc->t->tok[last];
  if (findings_add (sc->out, sc->t->s, rule, side_class[side], sev, quoted ? FIND_QUOTED : 0,
                    a->off, b->off + b->len - a->off) < 0)
    return -1;
  if (quoted)
    return 0;
  int p = severity_points[sev];
  switch (side)
    {
    case SIDE_DU:
      sc->du += p;
      break;
    case SIDE_IHR:
      sc->ihr += p;
      break;
    case SIDE_SIE:
      sc->sie += p;
      if (sev == SEV_STRONG)
        sc->strong_v++;
      break;
    case SIDE_CUE:
      break;
    }
  return 0;
}

/* Report a greeting, closing or culture cue on tokens FIRST..LAST. */
static int
cue (struct scan *sc, const char *rule, size_t first, size_t last, char kind)
{
  bool quoted = (sc->k[first].state & TS_QUOTED) != 0;
  const struct text_token *a = &sc->t->tok[first], *b = &sc->t->tok[last];
  for (size_t j = first; j <= last; j++)
    sc->k[j].state |= TS_USED;
  if (findings_add (sc->out, sc->t->s, rule, "CUE", SEV_INFO, quoted ? FIND_QUOTED : 0,
                    a->off, b->off + b->len - a->off) < 0)
    return -1;
  if (quoted)
    return 0;
  if (kind == 'T')
    {
      sc->cue_t++;
      sc->t_greeting = true;
      if (sc->first_t_cue < 0)
        sc->first_t_cue = (long) first;
    }
  else if (kind == 'V')
    {
      sc->cue_v++;
      if (sc->first_v_cue < 0)
        sc->first_v_cue = (long) first;
    }
  else
    sc->culture++;
  return 0;
}

/* ---- preparation: classes, masks, language gate ---- */

/* The language gate's counts: the six foreign classes are consecutive bits from L_EN on, so
   one multiplication spreads a token's classes to six 10-bit counters in one word (LANG_SPREAD,
   masked to LANG_FIELDS), which fewer than 1024 tokens cannot overflow. */
_Static_assert (L_FR == L_EN << 1 && L_NL == L_EN << 2 && L_SC == L_EN << 3
                && L_ES == L_EN << 4 && L_IT == L_EN << 5, "foreign classes are consecutive");
#define LANG_SPREAD (1 | UINT64_C (1) << 9 | UINT64_C (1) << 18 | UINT64_C (1) << 27 \
                     | UINT64_C (1) << 36 | UINT64_C (1) << 45)
#define LANG_FIELDS (1 | UINT64_C (1) << 10 | UINT64_C (1) << 20 | UINT64_C (1) << 30 \
                     | UINT64_C (1) << 40 | UINT64_C (1) << 50)

/* The counters one token of lexicon classes C adds. */
static inline uint64_t
foreign_counts (uint64_t c)
{
  return ((c / L_EN & 0x3F) * LANG_SPREAD) & LANG_FIELDS;
}

/* Add the six counters of COUNTERS to OTHER; return whether a foreign language now wins: two
   of its function words or more, and more than the GERMAN ones. */
static bool
add_foreign_counts (int other[6], uint64_t counters, int german)
{
  bool wins = false;
  for (int l = 0; l < 6; l++)
    {
      other[l] += (int) (counters >> (10 * l) & 0x3FF);
      wins |= other[l] >= 2 && other[l] > german;
    }
  return wins;
}

/* Whether OTHER plus the counters of COUNTERS already make a foreign language win, however
   the words not yet counted turn out: two of its words or more, and more than GERMAN_MAX, the
   German words the sentence can count at most. */
static bool
foreign_wins_already (const int other[6], uint64_t counters, int german_max)
{
  for (int l = 0; l < 6; l++)
    {
      int n = other[l] + (int) (counters >> (10 * l) & 0x3FF);
      if (n >= 2 && n > german_max)
        return true;
    }
  return false;
}

/* Skip a sentence whose function words are mostly of another language (§7): French and
   Scandinavian du, Dutch u/je.  Short chat lines stay German. */
static void
gate_language (struct scan *sc, const struct text_sentence *s)
{
  int german = 0, other[6] = { 0 };
  bool foreign = false;
  size_t end = s->first_tok + s->ntok;
  for (size_t block = s->first_tok; block < end; block += 1000)
    {
      size_t block_end = end - block > 1000 ? block + 1000 : end;
      uint64_t counters = 0;
      for (size_t i = block; i < block_end; i++)
        {
          if (sc->k[i].state & TS_SKIP)
            continue;
          uint64_t c = sc->k[i].lex;
          german += (c & L_DE) != 0;
          counters += foreign_counts (c);
        }
      foreign = add_foreign_counts (other, counters, german);
    }
  if (foreign)
    for (size_t i = s->first_tok; i < end; i++)
      sc->k[i].state |= TS_SKIP;
}

/* `du -sh`, `dir /w` at the start of a line, or a printf %du, are not pronouns. */
static bool
shell_command (const struct scan *sc, size_t i)
{
  const struct text *t = sc->t;
  const struct text_token *x = &t->tok[i];
  if (x->punct_before == '%')
    return true;
  if (!lowercase (sc, i) || !(is_word (sc, i, "du") || is_word (sc, i, "dir")))
    return false;
  size_t b = x->off;
  while (b > 0 && (t->s[b - 1] == ' ' || t->s[b - 1] == '\t'))
    b--;
  if (b > 0 && (t->s[b - 1] == '$' || t->s[b - 1] == '#'))
    {
      b--;
      while (b > 0 && (t->s[b - 1] == ' ' || t->s[b - 1] == '\t'))
        b--;
    }
  if (b > 0 && t->s[b - 1] != '\n')
    return false;
  size_t e = x->off + x->len;
  while (e < t->len && (t->s[e] == ' ' || t->s[e] == '\t'))
    e++;
  if (e >= t->len || t->s[e] == '\n' || t->s[e] == '\r')
    return is_word (sc, i, "dir");
  return e > x->off + x->len && strchr ("-/.~*$\\[", t->s[e]) != NULL;
}

static bool
code_byte_before (char c)
{
  switch (c)
    {
    case '/': case '|': case '=': case '[': case '_': case '\\': case '.': case ':':
    case '$': case '%': case '~': case '<': case '{': case '@': case '#':
      return true;
    default:
      return false;
    }
}

static bool
code_byte_after (char c)
{
  switch (c)
    {
    case '/': case '|': case '=': case ']': case '_': case '\\': case '(': case '<':
    case '>': case '{': case '}': case '@': case '#':
      return true;
    default:
      return false;
    }
}

/* A word glued to code punctuation (lock/nolock, [=payload|packet], packet.c, <Ende>, .dir,
   Rate=) is an identifier, not German prose. */
static bool
glued_to_code (const struct scan *sc, size_t i)
{
  const struct text *t = sc->t;
  size_t a = t->tok[i].off, b = a + t->tok[i].len;
  if (a > 0 && code_byte_before (t->s[a - 1]))
    return true;
  if (b < t->len && code_byte_after (t->s[b]))
    return true;
  if (a > 0 && b < t->len && t->s[a - 1] == '(' && t->s[b] == ')')
    return true;                /* (dir) */
  if (a > 0 && t->s[a - 1] == '-' && (a == 1 || strchr (" \t\n[|(-", t->s[a - 2])))
    return true;                /* an option: -lock, -Du+g, --dir */
  if (b < t->len && t->s[b] == '+')
    return true;
  /* a command at the start of a line with an option after it: reget [-fpR], du -sh */
  if (tflags (sc, i) & TOK_ALL_LOWER)
    {
      size_t p = a;
      while (p > 0 && (t->s[p - 1] == ' ' || t->s[p - 1] == '\t'))
        p--;
      if (p == 0 || t->s[p - 1] == '\n')
        {
          size_t e = b;
          while (e < t->len && t->s[e] == ' ')
            e++;
          if (e + 1 < t->len && ((t->s[e] == '-' && e > b && t->s[e + 1] != ' ')
                                 || (t->s[e] == '[' && t->s[e + 1] == '-')))
            return true;
        }
    }
  if (b + 1 < t->len && (t->s[b] == '.' || t->s[b] == ':')
      && (unsigned char) t->s[b + 1] > ' ' && t->s[b + 1] != '.')
    return true;
  return false;
}

/* What the byte before a word and the byte after it can tell glued_to_code, as table bits.
   glued_to_code keeps its own tests (code_byte_before, code_byte_after): duzen_analyze_eager
   asks those, so test-duzen's comparison of the two analyses also checks these tables. */
enum glue_before_class
{
  GB_GLUES = 1 << 0,            /* code_byte_before: the word is glued */
  GB_OPEN = 1 << 1,             /* '(': glued if ')' follows (dir) */
  GB_DASH = 1 << 2,             /* '-': an option (-lock) if a blank or bracket is before it */
  GB_BLANK = 1 << 3,            /* ' ', '\t': the line may start before it */
  GB_NL = 1 << 4,               /* '\n' (and the text's start): the word starts a line */
};

enum glue_after_class
{
  GA_GLUES = 1 << 0,            /* code_byte_after or '+': the word is glued */
  GA_CLOSE = 1 << 1,            /* ')' */
  GA_STOP = 1 << 2,             /* '.', ':': glued if a printable byte but '.' follows (packet.c) */
  GA_OPTION = 1 << 3,           /* ' ', '[': an option may follow (du -sh, reget [-fpR]) */
};

static const unsigned char glue_before[256] = {
  ['/'] = GB_GLUES, ['|'] = GB_GLUES, ['='] = GB_GLUES, ['['] = GB_GLUES, ['_'] = GB_GLUES,
  ['\\'] = GB_GLUES, ['.'] = GB_GLUES, [':'] = GB_GLUES, ['$'] = GB_GLUES, ['%'] = GB_GLUES,
  ['~'] = GB_GLUES, ['<'] = GB_GLUES, ['{'] = GB_GLUES, ['@'] = GB_GLUES, ['#'] = GB_GLUES,
  ['('] = GB_OPEN, ['-'] = GB_DASH, [' '] = GB_BLANK, ['\t'] = GB_BLANK, ['\n'] = GB_NL,
};

static const unsigned char glue_after[256] = {
  ['/'] = GA_GLUES, ['|'] = GA_GLUES, ['='] = GA_GLUES, [']'] = GA_GLUES, ['_'] = GA_GLUES,
  ['\\'] = GA_GLUES, ['('] = GA_GLUES, ['<'] = GA_GLUES, ['>'] = GA_GLUES, ['{'] = GA_GLUES,
  ['}'] = GA_GLUES, ['@'] = GA_GLUES, ['#'] = GA_GLUES, ['+'] = GA_GLUES,
  [')'] = GA_CLOSE, ['.'] = GA_STOP, [':'] = GA_STOP, [' '] = GA_OPTION, ['['] = GA_OPTION,
};

/* glued_to_code from the bytes around the word by table look-ups: most words of mail are glued
   or not by the byte before and the one after alone.  Most words stand inside a line after one
   space, where only the byte after can glue them.  The full test is asked only where one of its
   cases needs more than those bytes: a dash before the word, '(' before and ')' after, and a
   lowercase word at a line's start (blanks before it, a space or '[' after it); the last case,
   a full stop or colon after the word, is decided here.  Inlined in prepare's two loops: the
   call cost as much as the look-ups. */
#if defined __GNUC__
__attribute__ ((always_inline))
#endif
static inline bool
glued_to_code_fast (const struct scan *sc, size_t i)
{
  const struct text *t = sc->t;
  size_t a = t->tok[i].off, b = a + t->tok[i].len;
  unsigned after = b < t->len ? glue_after[(unsigned char) t->s[b]] : 0;
  if (!(a >= 2 && t->s[a - 1] == ' '
        && !(glue_before[(unsigned char) t->s[a - 2]] & (GB_BLANK | GB_NL))))
    {
      unsigned before = glue_before[a > 0 ? (unsigned char) t->s[a - 1] : '\n'];
      if (before & GB_GLUES)
        return true;
      if ((before & GB_DASH) || ((before & GB_OPEN) && (after & GA_CLOSE)))
        return glued_to_code (sc, i);
      if ((after & GA_OPTION) && (before & (GB_BLANK | GB_NL))
          && (t->tok[i].flags & TOK_ALL_LOWER)
          && ((before & GB_NL) || a < 2
              || (glue_before[(unsigned char) t->s[a - 2]] & (GB_BLANK | GB_NL))))
        return glued_to_code (sc, i);
    }
  if (after & GA_GLUES)
    return true;
  return (after & GA_STOP) && b + 1 < t->len && (unsigned char) t->s[b + 1] > ' '
    && t->s[b + 1] != '.';
}

/* Lowercase du or dir inside ASCII single quotes on one line ('(coreutils) du invocation',
   'dir /w'): a command, the way documentation quotes them. */
static bool
in_single_quotes (const struct scan *sc, size_t i)
{
  const struct text *t = sc->t;
  size_t a = t->tok[i].off, b = a + t->tok[i].len;
  size_t open = a, limit = a > 120 ? a - 120 : 0;
  while (open > limit && t->s[open - 1] != '\n' && t->s[open - 1] != '\'')
    open--;
  if (open == 0 || t->s[open - 1] != '\'')
    return false;
  open--;
  if (open > 0 && !strchr (" \t(:=", t->s[open - 1]))
    return false;               /* an apostrophe: gibt's, sag's */
  for (size_t e = b; e < t->len && e < b + 120 && t->s[e] != '\n'; e++)
    if (t->s[e] == '\'')
      return e + 1 >= t->len || !((t->s[e + 1] | 0x20) >= 'a' && (t->s[e + 1] | 0x20) <= 'z');
  return false;
}

/* du and dir right after Befehl, Kommando, Programm: the command's name. */
static bool
after_command_noun (const struct scan *sc, size_t i)
{
  static const char *const nouns[] = { "befehl", "befehls", "kommando", "kommandos", "programm",
    "programms", "werkzeug", "tool", "aufruf", "command", "utility", "dienstprogramm" };
  long p = near (sc, i, -1);
  if (p < 0)
    return false;
  for (size_t n = 0; n < sizeof nouns / sizeof nouns[0]; n++)
    if (is_word (sc, (size_t) p, nouns[n]))
      return true;
  return false;
}

/* ---- §3 lowercase ihr and capitalised Ihr ---- */

/* Is a 2pl/3sg form such as "bedeutet", "folgt" next to ihr at I a third person, with ihr
   as possessive or dative?  "bedeutet ihr großer Geltungsbereich", "ordnet ihr die Geräte zu",
   "Ihr folgt ein Schrägstrich"; but "Macht ihr auch Webdesign?", "Kennt ihr eine Agentur?". */
static bool
ambiguous_verb_not_2pl (const struct scan *sc, size_t i, size_t verb)
{
  bool statement = !question (sc, i) && !exclaim (sc, i);
  if (verb < i)
    {
      long n = near (sc, i, 1);
      if (n < 0 || (!lowercase (sc, i) && !(capitalised (sc, i) && !initial (sc, i))))
        return false;
      if (capitalised (sc, (size_t) n) && !(sc->k[n].lex & (L_SIE | L_IHNEN)))
        return true;            /* possessive: ihr Controller */
      if (lowercase (sc, (size_t) n) && !verb_of (sc, (size_t) n) && !sc->k[n].lex)
        {
          long n2 = near (sc, (size_t) n, 1);
          if (n2 >= 0 && capitalised (sc, (size_t) n2))
            return true;        /* ihr großer Geltungsbereich */
        }
      return statement && (sc->k[n].lex & L_DET);
    }
  /* initial Ihr + verb + a determiner opening the subject */
  long n = near (sc, verb, 1);
  return statement && initial (sc, i) && n >= 0 && (sc->k[n].lex & L_DET);
}

/* A 2pl-capable verb next to ihr at I (one particle may come between): return its token, or -1. */
static long
adjacent_2pl_verb (const struct scan *sc, size_t i)
{
  for (int dir = -1; dir <= 1; dir += 2)
    {
      long j = near (sc, i, dir);
      if (j >= 0 && (sc->k[j].lex & L_PARTICLE) && !verb_of (sc, (size_t) j))
        j = near (sc, i, 2 * dir);
      const struct duzen_verbform *v = verb_at (sc, j);
      if (!v || !(v->cells & VF_2PL) || (sc->k[j].state & TS_USED))
        continue;
      if (!(v->unique & VU_2PL) && ambiguous_verb_not_2pl (sc, i, (size_t) j))
        continue;
      if (dir < 0)
        {
          /* "er sagt ihr", "sie gibt ihr": a third-person subject owns the -t form. */
          long s = near (sc, (size_t) j, -1);
          if (!(v->unique & VU_2PL) && s >= 0 && (sc->k[s].lex & L_SUBJ)
              && !(sc->k[s].lex & (L_IHR | L_DU_PRON)))
            continue;
        }
      else
        {
          /* wie es ihr gelingt, ob er ihr hilft: a third-person subject before ihr makes
             it the dative */
          long s = near (sc, i, -1);
          if (s >= 0 && (sc->k[s].lex & L_SUBJ) && lowercase (sc, (size_t) s)
              && !(sc->k[s].lex & (L_IHR | L_DU_PRON)) && !is_word (sc, (size_t) s, "wir")
              && !is_word (sc, (size_t) s, "ich"))
            continue;
          /* a participle followed by an auxiliary ("was ihr gesagt wurde") */
          if (has (sc, near (sc, (size_t) j, 1), L_AUX) && ends_with (lw (sc, j), "t")
              && !(v->unique & VU_2PL))
            continue;
        }
      return j;
    }
  return -1;
}

/* A unique 2pl form later in I's clause (a verb-final subordinate clause). */
static long
later_unique_2pl (const struct scan *sc, size_t i)
{
  for (long d = 1; d <= CLAUSE_REACH; d++)
    {
      long j = near (sc, i, d);
      if (j < 0 || clause_break_before (sc, (size_t) j))
        return -1;
      const struct duzen_verbform *v = verb_at (sc, j);
      if (v && (v->cells & VF_2PL) && (v->unique & VU_2PL)
          && !(v->flags & (VFL_NOUN | VFL_HOMOGRAPH | VFL_LOWPRON)))
        return j;
    }
  return -1;
}

/* "dass ihr gerade wachst", "ob ihr morgen kommt": ihr right after a subordinator, not followed
   by a noun, with a 2pl-capable verb closing the clause, is the subject. */
static bool
subordinate_subject_ihr (const struct scan *sc, size_t i)
{
  long p = near (sc, i, -1), n = near (sc, i, 1);
  if (!has (sc, p, L_SUBORD) || n < 0 || (tflags (sc, (size_t) n) & TOK_UPPER_INITIAL))
    return false;
  long last = -1;
  for (long d = 1; d <= CLAUSE_REACH; d++)
    {
      long j = near (sc, i, d);
      if (j < 0 || clause_break_before (sc, (size_t) j))
        break;
      last = j;
    }
  const struct duzen_verbform *v = last > (long) i ? verb_at (sc, last) : NULL;
  return v && (v->cells & VF_2PL);
}

/* Hallo ihr beiden, Hi ihr Lieben: a vocative ihr. */
static bool
vocative_ihr (const struct scan *sc, size_t i)
{
  long p = near (sc, i, -1), n = near (sc, i, 1);
  if (!has (sc, p, L_HELLO) || n < 0)
    return false;
  return (sc->k[n].lex & L_VOCATIVE) || (capitalised (sc, (size_t) n) && ends_with (lw (sc, n), "en"));
}

static int
check_ihr (struct scan *sc, size_t i)
{
  bool caseless = lower_sentence (sc, i) || caps_sentence (sc, i);
  bool cap = capitalised (sc, i) && !caseless;
  long p = near (sc, i, -1), n = near (sc, i, 1);

  if (has (sc, n, L_TITLE))
    return 0;
  if (!cap || !initial (sc, i))
    {
      /* rule 1: after a preposition ihr is a dative or possessive (mit ihr, für Ihr Interesse) */
      if (has (sc, p, L_PREP) && punct (sc, i) == 0 && !cap)
        return 0;
    }
  long v = adjacent_2pl_verb (sc, i);
  if (v >= 0)
    return hit (sc, "IHR_VERB", SIDE_IHR, SEV_STRONG, (size_t) v, i);
  if (later_unique_2pl (sc, i) >= 0 || vocative_ihr (sc, i) || subordinate_subject_ihr (sc, i))
    return hit (sc, "IHR_NOM", SIDE_IHR, SEV_STRONG, i, i);
  if (!cap)
    return 0;                   /* rule 5: her/their */
  /* Capitalised Ihr without a 2pl verb: the formal possessive. */
  bool noun_follows = n >= 0 && ((tflags (sc, (size_t) n) & TOK_UPPER_INITIAL)
                                 || (lowercase (sc, (size_t) n) && !verb_of (sc, (size_t) n)
                                     && near (sc, (size_t) n, 1) >= 0
                                     && capitalised (sc, (size_t) near (sc, (size_t) n, 1))));
  if (initial (sc, i))
    return noun_follows ? hit (sc, "SIE_POSS", SIDE_SIE, SEV_WEAK, i, i) : 0;
  return hit (sc, "SIE_POSS", SIDE_SIE, noun_follows ? SEV_STRONG : SEV_MEDIUM, i, i);
}

/* ---- §3 Sie, Ihnen, Ihre ---- */

/* Does the sentence of I hold a mid-sentence V marker (Sie, Ihnen, Ihr-)?  It lifts an initial
   Sie from weak to strong. */
static bool
sentence_has_mid_v (const struct scan *sc, size_t i)
{
  size_t from, to;
  sentence_window (sc, i, &from, &to);
  for (size_t j = from; j < to; j++)
    if (j != i && (sc->k[j].lex & (L_SIE | L_IHNEN | L_IHRE | L_IHR)) && capitalised (sc, j)
        && !initial (sc, j) && !in_compound (sc, j) && !(sc->k[j].state & TS_SKIP))
      return true;
  return false;
}

static bool
sentence_has_lower_ihr (const struct scan *sc, size_t i)
{
  size_t from, to;
  sentence_window (sc, i, &from, &to);
  for (size_t j = from; j < to; j++)
    if ((sc->k[j].lex & (L_IHR | L_IHRE)) && lowercase (sc, j))
      return true;
  return false;
}

/* An infinitive-shaped finite verb: haben, sind, können, hatten. */
static bool
plural_verb_shape (const char *w)
{
  return ends_with (w, "n") || strcmp (w, "sind") == 0;
}

static int
check_sie (struct scan *sc, size_t i)
{
  long p = near (sc, i, -1), n = near (sc, i, 1);
  if (caps_sentence (sc, i))
    {
      /* RUFEN SIE UNS AN: after a finite verb SIE is you */
      bool after_verb = p >= 0 && plural_verb_shape (lw (sc, p));
      return hit (sc, "SIE_MID", SIDE_SIE, after_verb ? SEV_STRONG : SEV_WEAK, i, i);
    }
  if (lowercase (sc, i))
    {
      /* können sie mir ...: only in all-lowercase text, right after an initial verb */
      if (sc->t->all_lower && p >= 0 && initial (sc, (size_t) p) && plural_verb_shape (lw (sc, p)))
        return hit (sc, "SIE_MID", SIDE_SIE, SEV_WEAK, i, i);
      return 0;
    }
  if (!capitalised (sc, i))
    return 0;
  if (!initial (sc, i))
    {
      /* Melden Sie sich, Lassen Sie uns, Bitte senden Sie: the V imperative */
      if (p >= 0 && !question (sc, i) && plural_verb_shape (lw (sc, p))
          && !(sc->k[p].lex & ~(L_OFFER | L_AUX | L_ENTSCHULDIG))
          && (initial (sc, (size_t) p) || has (sc, near (sc, (size_t) p, -1), L_IMP_LEAD))
          && !(sc->k[p].state & TS_USED))
        return hit (sc, "SIE_IMP", SIDE_SIE, SEV_STRONG, (size_t) p, i);
      return hit (sc, "SIE_MID", SIDE_SIE, SEV_STRONG, i, i);
    }
  /* Initial Sie: she, they or you; look at the verb after it. */
  if (n < 0 || !lowercase (sc, (size_t) n) || !plural_verb_shape (lw (sc, n)))
    return 0;
  if (has (sc, near (sc, i, 2), L_ALLE_BEIDE) || has (sc, near (sc, i, 3), L_ALLE_BEIDE)
      || sentence_has_lower_ihr (sc, i))
    return 0;
  return hit (sc, "SIE_INIT", SIDE_SIE, sentence_has_mid_v (sc, i) ? SEV_STRONG : SEV_WEAK, i, i);
}

static int
check_ihnen (struct scan *sc, size_t i)
{
  if (caps_sentence (sc, i))
    return hit (sc, "SIE_IHNEN", SIDE_SIE, SEV_WEAK, i, i);
  if (!capitalised (sc, i))
    return 0;                   /* ihnen: them */
  return hit (sc, "SIE_IHNEN", SIDE_SIE, initial (sc, i) ? SEV_WEAK : SEV_STRONG, i, i);
}

static int
check_ihre (struct scan *sc, size_t i)
{
  /* Lowercase ihre is never T (the 2pl possessive is euer): at most a misspelled Ihre. */
  if (!capitalised (sc, i) || caps_sentence (sc, i) || lower_sentence (sc, i))
    return 0;
  if (has (sc, near (sc, i, 1), L_TITLE))
    return 0;                   /* Ihre Majestät */
  return hit (sc, "SIE_POSS", SIDE_SIE, initial (sc, i) ? SEV_WEAK : SEV_STRONG, i, i);
}

/* ---- §2, §6, §7 du, dich, dir and their lookalikes ---- */

/* Is du at I a name (Café du Monde, Frau Du, Du Pont)? */
static bool
du_is_name (const struct scan *sc, size_t i)
{
  if (!is_word (sc, i, "du"))
    return false;
  long p = near (sc, i, -1), n = near (sc, i, 1);
  if (lowercase (sc, i) && p >= 0 && n >= 0 && !initial (sc, i) && !initial (sc, (size_t) p)
      && capitalised (sc, (size_t) p) && capitalised (sc, (size_t) n) && punct (sc, i) == 0
      && punct (sc, (size_t) n) == 0 && !verb_of (sc, (size_t) p))
    return true;
  if (!capitalised (sc, i))
    return false;
  if (p >= 0 && punct (sc, i) == 0 && capitalised (sc, (size_t) p)
      && (!initial (sc, (size_t) p) || (sc->k[p].lex & L_HONORIFIC))
      && !(verb_of (sc, (size_t) p) && (verb_of (sc, (size_t) p)->cells & (VF_2SG | VF_IMP_SG)))
      && !(sc->k[p].lex & (L_HELLO | L_T_GREET | L_GREET_ADJ | L_DE | L_IMP_EXTRA))
      && !(n >= 0 && verb_of (sc, (size_t) n) && (verb_of (sc, (size_t) n)->cells & VF_2SG)))
    return true;                /* Frau Du, Minh Du */
  if (initial (sc, i) && n >= 0 && capitalised (sc, (size_t) n) && !verb_of (sc, (size_t) n)
      && !(sc->k[n].lex & (L_DE | L_PREP)))
    {
      long n2 = near (sc, (size_t) n, 1);
      if (n2 >= 0 && lowercase (sc, (size_t) n2)
          && ((sc->k[n2].lex & L_AUX) && !plural_verb_shape (lw (sc, n2))))
        return true;            /* Du Pont ist ... */
      if (n2 >= 0 && lowercase (sc, (size_t) n2) && ends_with (lw (sc, n2), "t")
          && !ends_with (lw (sc, n2), "st") && !(sc->k[n2].lex & L_DE))
        return true;
    }
  return false;
}

/* Du meine Güte!  Du liebe Zeit!  An exclamation, not an address. */
static bool
du_is_exclamation (const struct scan *sc, size_t i)
{
  static const char *const adjectives[] = { "meine", "liebe", "lieber", "liebes", "heiliger" };
  if (!is_word (sc, i, "du") || !initial (sc, i))
    return false;
  long n = near (sc, i, 1), n2 = near (sc, i, 2);
  if (n < 0 || n2 < 0 || !lowercase (sc, (size_t) n) || !capitalised (sc, (size_t) n2))
    return false;
  bool adjective = false;
  for (size_t a = 0; a < sizeof adjectives / sizeof adjectives[0]; a++)
    if (is_word (sc, (size_t) n, adjectives[a]))
      adjective = true;
  if (!adjective)
    return false;
  long n3 = near (sc, i, 3);
  if (n3 < 0)
    return (size_t) n2 + 1 >= sc->t->ntok || sc->t->tok[n2 + 1].sentence != sc->t->tok[i].sentence
      || exclaim (sc, i);
  char pb = punct (sc, (size_t) n3);
  return pb == '!' || pb == ',';
}

/* per du, das Du, beim Du, auf Du und Du, Du-Form: talk about du, not to the reader (§6). */
static bool
du_is_metalinguistic (const struct scan *sc, size_t i)
{
  if (!is_word (sc, i, "du"))
    return false;
  long p = near (sc, i, -1), n = near (sc, i, 1);
  if (p >= 0 && is_word (sc, (size_t) p, "per"))
    return true;
  if (!capitalised (sc, i))
    return false;
  if (p >= 0 && (sc->k[p].lex & L_ARTICLE) && punct (sc, i) == 0)
    return true;
  if (n >= 0 && is_word (sc, (size_t) n, "und"))
    {
      long n2 = near (sc, (size_t) n, 1);
      if (n2 >= 0 && is_word (sc, (size_t) n2, "du"))
        return true;
    }
  if (p >= 0 && is_word (sc, (size_t) p, "und"))
    {
      long p2 = near (sc, (size_t) p, -1);
      if (p2 >= 0 && is_word (sc, (size_t) p2, "du"))
        return true;
    }
  return false;
}

/* ---- §4 verb + du ---- */

/* A cheap test before the verb look-up: is there a du, dich or dir within two tokens? */
static bool
du_pronoun_near (const struct scan *sc, size_t i)
{
  return (sc->k[i].state & TS_DU_NEAR) != 0;
}

static int
check_verb_du (struct scan *sc, size_t i)
{
  const struct duzen_verbform *v = verb_at (sc, (long) i);
  if (!v || !(v->cells & VF_2SG) || (sc->k[i].state & TS_USED))
    return 0;
  /* the nearest du, dich or dir within two tokens, du first */
  long best = -1;
  for (int d = 1; d <= 2 && best < 0; d++)
    for (int sgn = 1; sgn >= -1; sgn -= 2)
      {
        long j = near (sc, i, sgn * d);
        if (j >= 0 && (sc->k[j].lex & L_DU_PRON) && pronoun_candidate (sc, (size_t) j)
            && !du_is_name (sc, (size_t) j) && !du_is_metalinguistic (sc, (size_t) j)
            && !du_is_exclamation (sc, (size_t) j)
            && !shell_command (sc, (size_t) j) && (best < 0 || is_word (sc, (size_t) j, "du")))
          best = j;
      }
  if (best < 0)
    return 0;
  return hit (sc, "DU_VERB", SIDE_DU, SEV_STRONG, i, (size_t) best);
}

/* ---- §5 imperatives and §4 pronoun drop ---- */

/* Can I start an imperative: initial, or after und/dann/bitte/jetzt? */
static bool
imperative_position (const struct scan *sc, size_t i)
{
  if (initial (sc, i))
    return true;
  long p = near (sc, i, -1);
  if (!lowercase (sc, i) || p < 0 || !(sc->k[p].lex & L_IMP_LEAD) || clause_break_before (sc, i))
    return false;
  /* Bitte warte; Dann lies weiter (a sentence-initial lead word) */
  if (is_word (sc, (size_t) p, "bitte") || initial (sc, (size_t) p))
    return true;
  /* ... und tritt höchstens einmal auf: after und/oder only when the sentence already speaks
     to the reader (Klick auf den Link und sichere dir ...) */
  size_t from, to;
  sentence_window (sc, i, &from, &to);
  for (size_t j = from; j < i; j++)
    if (sc->k[j].state & TS_T)
      return true;
  return false;
}

/* The strongest cue after an imperative at I.  PLURAL selects euch instead of dich/dir/dein. */
enum imp_cue
{
  CUE_NONE,
  CUE_SEPARABLE,                /* a clause-final particle: ruf ... an */
  CUE_OBJECT_1SG,               /* mir, mich */
  CUE_HER,                      /* ihr (dative) */
  CUE_PARTICLE,                 /* mal, doch, bitte, uns, '!' */
  CUE_PRONOUN,                  /* dich, dir, dein- / euch, euer- */
};

/* es, das and the object pronouns may stand between an imperative and its particle. */
static bool
object_pronoun (const struct scan *sc, size_t j)
{
  static const char *const objects[] = { "es", "das", "mir", "mich", "uns", "ihm", "ihn", "ihr" };
  if (!lowercase (sc, j))
    return false;
  for (size_t o = 0; o < sizeof objects / sizeof objects[0]; o++)
    if (is_word (sc, j, objects[o]))
      return true;
  return false;
}

/* A subject pronoun (ich, er, wir, man, sie) in I's clause makes it a statement. */
static bool
clause_has_subject (const struct scan *sc, size_t i)
{
  for (long d = 1; d <= CLAUSE_REACH; d++)
    {
      long j = near (sc, i, d);
      if (j < 0 || clause_break_before (sc, (size_t) j))
        return false;
      if ((sc->k[j].lex & L_SUBJ) && lowercase (sc, (size_t) j) && !is_word (sc, (size_t) j, "es")
          && !is_word (sc, (size_t) j, "du") && !is_word (sc, (size_t) j, "ihr"))
        return true;
    }
  return false;
}

static enum imp_cue
imperative_cue (const struct scan *sc, size_t i, bool plural)
{
  enum imp_cue best = CUE_NONE;
  uint64_t own = plural ? (L_EUCH | L_EUER) : (L_DU_POSS | L_DU_PRON);
  for (int d = 1; d <= 3; d++)
    {
      long j = near (sc, i, d);
      if (j < 0)
        break;
      uint64_t c = sc->k[j].lex;
      if ((c & own) && !is_word (sc, (size_t) j, "du"))
        return CUE_PRONOUN;
      if (d == 1 && (is_word (sc, (size_t) j, "mir") || is_word (sc, (size_t) j, "mich"))
          && best < CUE_OBJECT_1SG)
        best = CUE_OBJECT_1SG;
      if (d == 1 && (c & L_IHR) && lowercase (sc, (size_t) j) && best < CUE_HER)
        best = CUE_HER;
      if (d <= 2 && ((c & L_IMP_PART) || is_word (sc, (size_t) j, "uns")))
        {
          /* es, das, mir, mich may come between: Probier es doch mal */
          bool clear = d == 1;
          if (d == 2)
            {
              long m = near (sc, i, 1);
              clear = m >= 0 && object_pronoun (sc, (size_t) m);
            }
          if (clear)
            best = CUE_PARTICLE;
        }
    }
  long p = near (sc, i, -1);
  if (best < CUE_PARTICLE && (exclaim (sc, i) || (p >= 0 && is_word (sc, (size_t) p, "bitte"))))
    best = CUE_PARTICLE;         /* Sag Bescheid!  Bitte warte kurz. */
  if (best < CUE_SEPARABLE && !clause_has_subject (sc, i))
    for (int d = 1; d <= 5; d++)
      {
        long j = near (sc, i, d);
        if (j < 0)
          break;
        if (clause_break_before (sc, (size_t) j))
          break;
        if ((sc->k[j].lex & L_SEP) && lowercase (sc, (size_t) j))
          {
            long after = near (sc, (size_t) j, 1);
            if (after < 0 || clause_break_before (sc, (size_t) after))
              {
                best = CUE_SEPARABLE;
                break;
              }
          }
      }
  return best;
}

/* A subject pronoun right after the verb makes it a question or statement (Kennst du, Geht es). */
static bool
subject_follows (const struct scan *sc, size_t i)
{
  long n = near (sc, i, 1);
  /* es is the object of Probier es doch; ihr is the dative of Gib ihr (§5) */
  return n >= 0 && (sc->k[n].lex & L_SUBJ) && !is_word (sc, (size_t) n, "es")
    && !is_word (sc, (size_t) n, "ihr");
}

/* A -t form after which particles make an imperative of it (Sagt einfach Bescheid!, Schaut mal
   rein) rather than a third person (Klingt doch gut!, Verwendet einfach die Dienste).  mal,
   bitte, gern(e) and ruhig suffice; doch and einfach need a second particle, einfach a '!'.  */
static bool
plural_imperative_particles (const struct scan *sc, size_t i)
{
  int weak = 0;
  bool doch_only = false;
  for (int d = 1; d <= 4; d++)
    {
      long j = near (sc, i, d);
      if (j < 0 || clause_break_before (sc, (size_t) j))
        break;
      if (!(sc->k[j].lex & L_IMP_PART))
        {
          /* Schreibt mir einfach: a first-person object is a second signal */
          if (is_word (sc, (size_t) j, "mir") || is_word (sc, (size_t) j, "uns"))
            weak++;
          else if (!object_pronoun (sc, (size_t) j))
            break;
          continue;
        }
      if (is_word (sc, (size_t) j, "doch") || is_word (sc, (size_t) j, "einfach"))
        {
          weak++;
          doch_only = is_word (sc, (size_t) j, "doch");
        }
      else
        return true;
    }
  return weak >= 2 || (weak == 1 && exclaim (sc, i) && !doch_only);
}

static int
check_imperative (struct scan *sc, size_t i, bool *done)
{
  uint64_t c = sc->k[i].lex;
  *done = false;
  /* After a comma only a reflexive or possessive cue counts: "wenn du magst, melde dich" */
  bool pronoun_only = false;
  if (!imperative_position (sc, i))
    {
      if (!lowercase (sc, i) || punct (sc, i) != ',')
        return 0;
      pronoun_only = true;
    }
  if (question (sc, i) || (sc->k[i].state & TS_USED))
    return 0;
  if (in_compound (sc, i) || (sc->k[i].state & TS_LONE_CAPS))
    return 0;
  const struct duzen_verbform *v = verb_at (sc, (long) i);
  /* mal (malen), laut (lauten), bitte (bitten): function words first */
  if (c & (L_PREP | L_PARTICLE | L_IMP_PART | L_DE | L_CONJ_DROP | L_IMP_LEAD | L_SEP
           | L_QUESTION_W | L_AUX))
    return 0;
  bool sg = (v && (v->cells & VF_IMP_SG)) || (c & L_IMP_EXTRA);
  bool pl = v && (v->cells & VF_2PL);
  if (!sg && !pl)
    return 0;
  long n = near (sc, i, 1);

  /* Lass uns / Lasst uns (Lassen Sie uns is SIE_IMP) */
  if (n >= 0 && is_word (sc, (size_t) n, "uns") && !pronoun_only
      && (is_word (sc, i, "lass") || is_word (sc, i, "lasst")))
    {
      *done = true;
      bool plural = is_word (sc, i, "lasst");
      return hit (sc, plural ? "IHR_IMP" : "DU_IMP", plural ? SIDE_IHR : SIDE_DU, SEV_STRONG,
                  i, (size_t) n);
    }
  if (subject_follows (sc, i))
    return 0;
  /* Greeting adjectives and formulas (Liebe Grüße, Danke schön!) take only a real pronoun. */
  bool restricted = (c & L_GREET_ADJ) != 0 || pronoun_only;
  if (v && (v->flags & (VFL_LOWPRON | VFL_HOMOGRAPH)) && !(v->flags & VFL_NOUN))
    restricted = true;          /* sicher, einst: adverbs first */

  if (sg)
    {
      const char *w = lw (sc, i);
      bool e_form = ends_with (w, "e");
      enum imp_cue q = imperative_cue (sc, i, false);
      enum finding_severity sev = SEV_INFO;
      if (restricted && q != CUE_PRONOUN)
        q = CUE_NONE;
      switch (q)
        {
        case CUE_PRONOUN:
          sev = SEV_STRONG;
          break;
        case CUE_PARTICLE:
          sev = e_form ? SEV_MEDIUM : SEV_STRONG;
          break;
        case CUE_SEPARABLE:
          /* Komme morgen vorbei: an -e form doubles as a first person with dropped ich */
          sev = e_form ? SEV_WEAK : SEV_STRONG;
          break;
        case CUE_OBJECT_1SG:
          sev = e_form ? SEV_WEAK : SEV_MEDIUM;
          break;
        case CUE_HER:
          sev = pl ? SEV_INFO : SEV_MEDIUM;
          break;
        case CUE_NONE:
          if ((c & L_ENTSCHULDIG) && !restricted)
            sev = SEV_MEDIUM;
          break;
        }
      if (sev != SEV_INFO)
        {
          *done = true;
          return hit (sc, "DU_IMP", SIDE_DU, sev, i, i);
        }
    }
  if (pl)
    {
      enum imp_cue q = imperative_cue (sc, i, true);
      bool unique = (v->unique & VU_2PL) != 0;
      enum finding_severity sev = SEV_INFO;
      if (restricted && q != CUE_PRONOUN)
        q = CUE_NONE;
      if (q == CUE_PRONOUN)
        sev = SEV_STRONG;
      else if (unique && (q == CUE_PARTICLE || q == CUE_OBJECT_1SG || (n >= 0 && is_word (sc, (size_t) n, "uns"))))
        sev = SEV_MEDIUM;
      else if (!unique && q == CUE_PARTICLE && plural_imperative_particles (sc, i))
        sev = SEV_MEDIUM;
      else if ((c & L_ENTSCHULDIG) && !restricted)
        sev = SEV_MEDIUM;
      if (sev != SEV_INFO)
        {
          *done = true;
          return hit (sc, "IHR_IMP", SIDE_IHR, sev, i, i);
        }
    }
  return 0;
}

/* Pronoun drop (Hast Lust?, Kannst mich anrufen), clitics (haste, biste) and bare unique 2pl
   forms (Seid gegrüßt). */
static int
check_bare_verb (struct scan *sc, size_t i)
{
  /* every finite 2sg/2pl form and clitic ends in -t, -e or -d (seid): skip the look-up else */
  const char *w0 = lw (sc, i);
  char last = w0[0] ? w0[strlen (w0) - 1] : 0;
  if (last != 't' && last != 'e' && last != 'd')
    return 0;
  const struct duzen_verbform *v = verb_at (sc, (long) i);
  if (!v || (sc->k[i].state & TS_USED))
    return 0;
  long n = near (sc, i, 1), p = near (sc, i, -1);
  const char *w = lw (sc, i);
  /* a participle: Probiert wurde das schon */
  if (ends_with (w, "t") && has (sc, n, L_AUX) && !(v->unique & VU_2PL))
    return 0;
  bool flagged = (v->flags & (VFL_NOUN | VFL_HOMOGRAPH | VFL_LOWPRON)) != 0;
  bool lead = initial (sc, i) || (p >= 0 && (sc->k[p].lex & L_CONJ_DROP))
    || punct (sc, i) == ',';

  if (v->cells & VF_CLITIC)
    {
      if (v->flags & VFL_WORD)
        {
          /* haste, but not musste/passte (preterites) or liebste (an adjective) */
          if (initial (sc, i) && question (sc, i) && !(v->flags & VFL_OTHER_PRT)
              && !(v->flags & VFL_NOUN) && !(v->unique & VU_CLITIC))
            return hit (sc, "DU_CLITIC", SIDE_DU, SEV_STRONG, i, i);
          return 0;
        }
      return hit (sc, "DU_CLITIC", SIDE_DU, initial (sc, i) ? SEV_STRONG : SEV_MEDIUM, i, i);
    }
  /* Konjunktiv I forms (packest, packet) live in reported speech, never in pronoun drop. */
  if ((v->cells & (VF_PRS_2SG | VF_PRT_2SG | VF_SBJ2_2SG)) && (v->unique & VU_2SG) && !flagged)
    {
      if (n >= 0 && (sc->k[n].lex & L_SUBJ))
        return 0;
      /* verb-final: "wenn du in Berlin bist" is no pronoun drop */
      for (long d = 1; d <= CLAUSE_REACH; d++)
        {
          long j = near (sc, i, -d);
          if (j < 0)
            break;
          if (is_word (sc, (size_t) j, "du"))
            return 0;
          if (clause_break_before (sc, (size_t) j))
            break;
        }
      enum finding_severity sev = SEV_WEAK;
      if (lead)
        sev = (sc->k[i].lex & L_STRONG_DROP) ? SEV_STRONG : SEV_MEDIUM;
      return hit (sc, "DU_PRODROP", SIDE_DU, sev, i, i);
    }
  if ((v->cells & (VF_PRS_2PL | VF_PRT_2PL | VF_SBJ2_2PL)) && (v->unique & VU_2PL) && !flagged)
    {
      /* German drops ihr only in the imperative: a bare 2pl form counts at the start of a
         sentence (Seid gegrüßt!), not mid-sentence (an English "packet") or before a noun
         (Packet Layer). */
      if (!initial (sc, i) || (n >= 0 && (sc->k[n].lex & L_SUBJ) && !(sc->k[n].lex & L_IHR)))
        return 0;
      if (n >= 0 && capitalised (sc, (size_t) n) && !sc->k[n].lex)
        return 0;
      return hit (sc, "IHR_VERB", SIDE_IHR, SEV_MEDIUM, i, i);
    }
  return 0;
}

/* ---- §9 greetings and closings ---- */

static bool
name_like (const struct scan *sc, long j)
{
  return j >= 0 && capitalised (sc, (size_t) j) && !verb_of (sc, (size_t) j)
    && !(sc->k[j].lex & (L_HONORIFIC | L_DE | L_PREP));
}

static int
check_cues (struct scan *sc, size_t i)
{
  uint64_t c = sc->k[i].lex;
  if (!(c & (L_CUE | L_CLOSING_T | L_CLOSING_V | L_T_GREET)))
    return 0;
  long n = near (sc, i, 1);
  const char *w = lw (sc, i);
  bool first = initial (sc, i) || i == sc->t->sent[sc->t->tok[i].sentence].first_tok;

  /* closings: Liebe Grüße, Mit freundlichen Grüßen */
  if (n >= 0)
    {
      const char *nw = lw (sc, n);
      bool gruss = strncmp (nw, "grü", 4) == 0 || strncmp (nw, "gruß", 5) == 0
        || strncmp (nw, "gruss", 5) == 0;
      if (gruss && (strcmp (w, "liebe") == 0 || strcmp (w, "lieben") == 0
                    || strcmp (w, "liebste") == 0))
        return cue (sc, "CUE_T_GREETING", i, (size_t) n, 'T');
      if (gruss && strcmp (w, "freundlichen") == 0)
        {
          long p = near (sc, i, -1);
          if (p >= 0 && is_word (sc, (size_t) p, "mit"))
            return cue (sc, "CUE_V_GREETING", (size_t) p, (size_t) n, 'V');
        }
      if (strcmp (w, "sehr") == 0 && first && strncmp (nw, "geehrte", 7) == 0)
        return cue (sc, "CUE_V_GREETING", i, (size_t) n, 'V');
      if (strcmp (w, "bis") == 0 && strcmp (nw, "dann") == 0 && first)
        return cue (sc, "CUE_T_GREETING", i, (size_t) n, 'T');
    }
  if (!first)
    return 0;
  if (c & L_CLOSING_V)
    return cue (sc, "CUE_V_GREETING", i, i, 'V');
  if (c & L_CLOSING_T)
    return cue (sc, "CUE_T_GREETING", i, i, 'T');
  /* Hallo/Guten Tag/Grüezi + Herr/Frau: formal; Hallo/Liebe + a first name alone: informal */
  long title = -1;
  if ((strcmp (w, "hallo") == 0 || strcmp (w, "grüezi") == 0 || strcmp (w, "liebe") == 0
       || strcmp (w, "lieber") == 0) && has (sc, n, L_HONORIFIC))
    title = n;
  if (strcmp (w, "guten") == 0 && n >= 0 && is_word (sc, (size_t) n, "tag")
      && has (sc, near (sc, i, 2), L_HONORIFIC))
    title = near (sc, i, 2);
  if (title >= 0)
    {
      /* Liebe Frau X is warm but not informal: only Hallo, Guten Tag, Grüezi count as V */
      if (strcmp (w, "liebe") == 0 || strcmp (w, "lieber") == 0)
        return 0;
      return cue (sc, "CUE_V_GREETING", i, (size_t) title, 'V');
    }
  if (c & L_T_GREET)
    return cue (sc, "CUE_T_GREETING", i, i, 'T');
  if (strcmp (w, "na") == 0 && (n < 0 || punct (sc, (size_t) n) == ','))
    return cue (sc, "CUE_T_GREETING", i, i, 'T');
  if ((strcmp (w, "hallo") == 0 || strcmp (w, "liebe") == 0 || strcmp (w, "lieber") == 0)
      && name_like (sc, n))
    {
      long after = near (sc, (size_t) n, 1);
      if (after < 0 || clause_break_before (sc, (size_t) after))
        return cue (sc, "CUE_T_GREETING", i, (size_t) n, 'T');
    }
  return 0;
}

/* ---- offered du in the quoted reply (the recipient's own words) ---- */

static void
check_offer (struct scan *sc, size_t i)
{
  if (!(sc->t->tok[i].mask & TEXT_QUOTED) || sc->offered)
    return;
  const struct text_sentence *s = &sc->t->sent[sc->t->tok[i].sentence];
  bool du_word = is_word (sc, i, "du");
  bool duzen_word = (sc->k[i].lex & L_DUZEN)
    && (strncmp (lw (sc, i), "du", 2) == 0 || strncmp (lw (sc, i), "geduzt", 6) == 0);
  if (!du_word && !duzen_word)
    return;
  bool negated = false, willing = false, per = false, beim = false, sag = false;
  size_t from, to;
  sentence_window (sc, i, &from, &to);
  for (size_t j = from; j < to; j++)
    {
      const char *x = lw (sc, j);
      if (strcmp (x, "nicht") == 0 || strcmp (x, "kein") == 0 || strcmp (x, "lieber") == 0)
        negated = true;
      if (sc->k[j].lex & L_OFFER)
        willing = true;
    }
  if (negated)
    return;
  if (i > s->first_tok)
    {
      const char *p = lw (sc, i - 1);
      per = strcmp (p, "per") == 0;
      beim = strcmp (p, "beim") == 0 || strcmp (p, "das") == 0;
      sag = strncmp (p, "sag", 3) == 0
        || ((sc->k[i - 1].lex & L_IMP_PART) && i - 1 > s->first_tok
            && strncmp (lw (sc, i - 2), "sag", 3) == 0);
    }
  if (du_word && (per || sag || (beim && willing)))
    sc->offered = true;
  if (duzen_word && willing)
    sc->offered = true;
}

/* ---- the analysis ---- */

/* Classes without which check_ihr, check_pronouns, the Du-Form cue, check_offer and check_cues
   do nothing: passes 1, 2 and 4 only visit tokens of these classes (or near a du). */
#define L_MARKED (L_IHR | L_DU_PRON | L_DU_POSS | L_EUCH | L_EUER | L_SIE | L_IHNEN | L_IHRE \
                  | L_DUZEN | L_CUE | L_CLOSING_T | L_CLOSING_V | L_T_GREET)

/* The language classes gate_language counts. */
#define L_LANG (L_DE | L_EN | L_FR | L_NL | L_SC | L_ES | L_IT)

/* Token I's classes (LEX), no verb yet, and the state its mask gives it. */
static void
classify (struct scan *sc, size_t i, uint64_t lex)
{
  struct tok *k = &sc->k[i];
  k->lex = lex;
  k->verb = NULL;
  uint8_t m = sc->t->tok[i].mask;
  k->state = m & (TEXT_CODE | TEXT_URL) ? TS_SKIP
    : m & (TEXT_NOT_OWN | TEXT_SPEECH) ? TS_QUOTED : 0;
}

static inline bool
lone_caps (const struct scan *sc, size_t i)
{
  const struct text *t = sc->t;
  return (t->tok[i].flags & TOK_ALL_UPPER) && t->tok[i].sentence < t->nsent
    && !(t->sent[t->tok[i].sentence].flags & SENT_ALL_UPPER);
}

/* The plain preparation, every step over every token: classes, masks, code, the language gate,
   the neighbours of du, the marked tokens.  prepare below must leave the same state on every
   token the passes can see; duzen_analyze_eager runs this one so that the tests can compare. */
static void
prepare_eager (struct scan *sc)
{
  const struct text *t = sc->t;
  for (size_t i = 0; i < t->ntok; i++)
    {
      classify (sc, i, lexicon_classes_plain (text_lower (t, i), t->tok[i].len));
      struct tok *k = &sc->k[i];
      if (!(k->state & TS_SKIP) && glued_to_code (sc, i))
        k->state |= TS_SKIP;
      if (lone_caps (sc, i))
        k->state |= TS_LONE_CAPS;
    }
  for (size_t s = 0; s < t->nsent; s++)
    gate_language (sc, &t->sent[s]);
  /* Mark the neighbours of each du, dich and dir once, instead of looking around every token. */
  for (size_t j = 0; j < t->ntok; j++)
    if (sc->k[j].lex & L_DU_PRON)
      {
        size_t from = j >= 2 ? j - 2 : 0, to = j + 2 < t->ntok ? j + 2 : t->ntok - 1;
        for (size_t i = from; i <= to; i++)
          if (i != j)
            sc->k[i].state |= TS_DU_NEAR;
      }
  sc->nmarked = 0;
  for (size_t i = 0; i < t->ntok; i++)
    {
      if ((sc->k[i].lex & L_MARKED) || (sc->k[i].state & TS_DU_NEAR))
        sc->marked[sc->nmarked++] = (uint32_t) i;
      sc->live[i] = (uint32_t) i;
    }
  sc->nlive = t->ntok;
}

/* The same state for every token the passes look at, for less: most tokens of a batch are in
   sentences the language gate skips (87 % of the corpus sample's, English mostly), and a
   skipped token is never a hit, never context (near returns -1 for it) and never visited.  So
   the gate counts each sentence as its tokens are classified, code glue is tested first only on
   the tokens the gate counts (the others cannot change its decision) and on the rest only in
   sentences that stay, and the neighbours of du, the lone capitals, the marked list and pass 3's
   list are made for tokens that stay.  It relies on text.h's sentences splitting the tokens in
   order; anything else takes prepare_eager. */
static void
prepare (struct scan *sc)
{
  const struct text *t = sc->t;
  size_t i = 0;
  sc->nlive = 0;
  for (size_t s = 0; s < t->nsent; s++)
    {
      const struct text_sentence *st = &t->sent[s];
      size_t end = (size_t) st->first_tok + st->ntok;
      if (st->first_tok != i || end > t->ntok)
        {
          prepare_eager (sc);
          return;
        }
      int german = 0, other[6] = { 0 };
      uint64_t counters = 0;
      int in_counters = 0;
      bool flushed = false;
      /* First every token's classes, without a branch on them: the language words go to a
         list (in MARKED, which is made only at the end).  A branch on each token's classes
         right after its look-up was mispredicted on most function words, and each miss
         waited for the look-up's loads.  (The arrays in locals: the stores would make the
         compiler reload them through T and SC for every token.) */
      const struct text_token *tok = t->tok;
      const char *lower = t->lower;
      struct tok *k = sc->k;
      uint32_t *lang = sc->marked;
      size_t nlang = 0;
      int german_max = -1;      /* counted from the list when first needed (most sentences never) */
      for (; i < end; i++)
        {
          uint64_t c = lexicon_classes (lower + tok[i].lower_off, tok[i].len);
          k[i].lex = c;
          k[i].state = TS_SKIP;   /* what the gate leaves; classify below replaces it */
          lang[nlang] = (uint32_t) i;
          nlang += (c & L_LANG) != 0;
        }
      /* Only a token the gate counts gets its state here; the others wait for the verdict.
         Once the words counted make a foreign language win against every German word the
         sentence has, the rest need no code-glue test: the gate drops the sentence whatever
         they are (the English sentences of a batch after their second function word). */
      bool sure = false;
      size_t m = 0;
      for (; m < nlang && !sure; m++)
        {
          size_t j = lang[m];
          uint64_t c = k[j].lex;
          classify (sc, j, c);
          if (k[j].state & TS_SKIP)
            continue;
          if (glued_to_code_fast (sc, j))
            {
              k[j].state |= TS_SKIP;
              continue;
            }
          german += (c & L_DE) != 0;
          counters += foreign_counts (c);
          /* A count of 2 or more (a bit but a counter's lowest set) may already decide. */
          if (flushed || (counters & ~LANG_FIELDS) != 0)
            {
              if (german_max < 0)
                {
                  german_max = 0;
                  for (size_t n = 0; n < nlang; n++)
                    german_max += (k[lang[n]].lex & L_DE) != 0;
                }
              sure = foreign_wins_already (other, counters, german_max);
            }
          /* As in gate_language: added to OTHER before the counters can overflow. */
          if (++in_counters == 1000)
            {
              add_foreign_counts (other, counters, german);
              counters = 0;
              in_counters = 0;
              flushed = true;
            }
        }
      /* No foreign count of 2 or more (all bits but each counter's lowest clear): kept. */
      bool gated = sure || ((flushed || (counters & ~LANG_FIELDS) != 0)
                            && add_foreign_counts (other, counters, german));
      /* A dropped sentence's tokens hold TS_SKIP from the first loop, but for the M language
         words classified (until the gate was sure). */
      if (gated)
        for (size_t n = 0; n < m; n++)
          k[lang[n]].state = TS_SKIP;
      else
        for (size_t j = st->first_tok; j < end; j++)
          {
            if (!(sc->k[j].lex & L_LANG))
              classify (sc, j, sc->k[j].lex);
            if (!(sc->k[j].state & TS_SKIP))
              sc->live[sc->nlive++] = (uint32_t) j;   /* a candidate, see below */
          }
    }
  if (i != t->ntok)
    {
      prepare_eager (sc);
      return;
    }
  /* The candidates that are not code are the live tokens; some of them are marked. */
  size_t n = t->ntok, ncandidates = sc->nlive;
  sc->nmarked = 0;
  sc->nlive = 0;
  for (size_t m = 0; m < ncandidates; m++)
    {
      i = sc->live[m];
      struct tok *k = &sc->k[i];
      if (!(k->lex & L_LANG) && glued_to_code_fast (sc, i))
        {
          k->state |= TS_SKIP;
          continue;
        }
      if (lone_caps (sc, i))
        k->state |= TS_LONE_CAPS;
      if ((i >= 1 && (sc->k[i - 1].lex & L_DU_PRON)) || (i >= 2 && (sc->k[i - 2].lex & L_DU_PRON))
          || (i + 1 < n && (sc->k[i + 1].lex & L_DU_PRON))
          || (i + 2 < n && (sc->k[i + 2].lex & L_DU_PRON)))
        k->state |= TS_DU_NEAR;
      sc->live[sc->nlive++] = (uint32_t) i;
      if ((k->lex & L_MARKED) || (k->state & TS_DU_NEAR))
        sc->marked[sc->nmarked++] = (uint32_t) i;
    }
}

static int
check_pronouns (struct scan *sc, size_t i)
{
  uint64_t c = sc->k[i].lex;
  if (c & L_DU_PRON)
    {
      if (shell_command (sc, i) || du_is_name (sc, i) || du_is_exclamation (sc, i)
          || after_command_noun (sc, i)
          || (lowercase (sc, i) && !is_word (sc, i, "dich") && in_single_quotes (sc, i)))
        return 0;
      if (du_is_metalinguistic (sc, i))
        return cue (sc, "CUE_T_CULTURE", i, i, 'C');
      return hit (sc, "DU_PRON", SIDE_DU, SEV_STRONG, i, i);
    }
  if (c & L_DU_POSS)
    {
      char p = (char) sc->t->tok[i].punct_before;
      if (p == '[' || p == '{' || p == '<')
        return 0;               /* [Dein Name]: a placeholder for the template's user */
      return hit (sc, "DU_POSS", SIDE_DU, SEV_STRONG, i, i);
    }
  if (c & L_EUCH)
    return hit (sc, "IHR_PRON", SIDE_IHR, SEV_STRONG, i, i);
  if (c & L_EUER)
    {
      if (has (sc, near (sc, i, 1), L_TITLE))
        return 0;               /* Euer Ehren, Eure Hoheit */
      return hit (sc, "IHR_POSS", SIDE_IHR, SEV_STRONG, i, i);
    }
  if (c & L_SIE)
    return check_sie (sc, i);
  if (c & L_IHNEN)
    return check_ihnen (sc, i);
  if (c & L_IHRE)
    return check_ihre (sc, i);
  return 0;
}

static void
verdict (struct scan *sc, struct duzen_result *res)
{
  int t_points = sc->du + sc->ihr;
  enum duzen_verdict v = DUZEN_NONE;
  if (t_points >= 2 && sc->sie >= 2)
    v = DUZEN_MIXED;
  else if (sc->du >= 2 && sc->sie < 2 && sc->du >= sc->ihr)
    v = DUZEN_DU;
  else if (sc->ihr >= 2 && sc->sie < 2 && sc->ihr > sc->du)
    v = DUZEN_IHR_PLURAL;
  else if (sc->sie >= 2 && t_points <= 1)
    v = DUZEN_SIE_FORMAL;
  res->verdict = v;
  res->unsure = v == DUZEN_SIE_FORMAL && t_points == 1;
  res->consistent = v == DUZEN_SIE_FORMAL && sc->strong_v >= 2;
  res->du = sc->du;
  res->ihr = sc->ihr;
  res->sie = sc->sie;
  res->cue_t = sc->cue_t;
  res->cue_v = sc->cue_v;
  res->offered = sc->offered;
}

static bool
register_mismatch (const struct scan *sc, const struct duzen_result *res)
{
  if (duzen_is_t (res->verdict) && sc->cue_v > 0)
    return true;
  return res->verdict == DUZEN_SIE_FORMAL && sc->t_greeting;
}

/* Append the decimal V to the string that ends at P; return the new end.  (snprintf did this
   for the details, at about 2,000 instructions a message.) */
static char *
put_int (char *p, int v)
{
  char digits[12];
  int n = 0;
  unsigned u = v < 0 ? 0u - (unsigned) v : (unsigned) v;
  do
    digits[n++] = (char) ('0' + u % 10);
  while ((u /= 10) > 0);
  if (v < 0)
    *p++ = '-';
  while (n > 0)
    *p++ = digits[--n];
  return p;
}

static char *
put_str (char *p, const char *s)
{
  size_t n = strlen (s);
  memcpy (p, s, n);
  return p + n;
}

static void
write_details (const struct scan *sc, struct duzen_result *res, bool mismatch)
{
  const char *note1 = "", *note2 = "";
  int t_points = sc->du + sc->ihr;
  if (res->verdict == DUZEN_NONE)
    {
      if (t_points > 0)
        note1 = " weak-T";
      if (sc->cue_t + sc->culture > sc->cue_v)
        note2 = " leaning-T";
      else if (sc->cue_v > sc->cue_t + sc->culture)
        note2 = " leaning-V";
    }
  else if (res->verdict == DUZEN_SIE_FORMAL)
    note1 = res->unsure ? " unsure" : res->consistent ? " consistent" : "";
  /* "du=%d ihr=%d sie=%d[ cues=T%d[,V%d]|[ cues=V%d]]NOTE1NOTE2[ register-mismatch]": an int
     takes at most 11 bytes, so at most 14 + 16 + 16 + 30 + 11 + 10 + 18 bytes and the NUL. */
  _Static_assert (sizeof res->details >= 14 + 16 + 16 + 30 + 11 + 10 + 18 + 1, "details fit");
  char *p = res->details;
  p = put_int (put_str (p, "du="), sc->du);
  p = put_int (put_str (p, " ihr="), sc->ihr);
  p = put_int (put_str (p, " sie="), sc->sie);
  if (sc->cue_t)
    {
      p = put_int (put_str (p, " cues=T"), sc->cue_t);
      if (sc->cue_v)
        p = put_int (put_str (p, ",V"), sc->cue_v);
    }
  else if (sc->cue_v)
    p = put_int (put_str (p, " cues=V"), sc->cue_v);
  p = put_str (put_str (p, note1), note2);
  if (mismatch)
    p = put_str (p, " register-mismatch");
  *p = '\0';
}

static int
analyze (const struct text *t, struct findings *out, struct duzen_result *res, bool eager)
{
  memset (res, 0, sizeof *res);
  struct scan sc;
  memset (&sc, 0, sizeof sc);
  sc.t = t;
  sc.out = out;
  sc.first_t_cue = sc.first_v_cue = -1;
  sc.eager = eager;
  /* Short messages use the stack; prepare sets every field, so nothing needs zeroing. */
  struct tok small[256];
  uint32_t small_marked[256], small_live[256];
  struct tok *heap = NULL;
  if (t->ntok > sizeof small / sizeof small[0])
    {
      size_t each = sizeof *heap + sizeof *sc.marked + sizeof *sc.live;
      heap = t->ntok <= SIZE_MAX / each ? malloc (t->ntok * each) : NULL;
      if (!heap)
        {
          errno = ENOMEM;
          return -1;
        }
    }
  sc.k = heap ? heap : small;
  sc.marked = heap ? (uint32_t *) (heap + t->ntok) : small_marked;
  sc.live = heap ? sc.marked + t->ntok : small_live;
  if (t->ntok > 0)
    {
      if (eager)
        prepare_eager (&sc);
      else
        prepare (&sc);
    }
  int r = 0;
  /* Pass 1: pronouns bound to verbs (Lass uns, habt ihr, Ihr seid, hast du). */
  for (size_t m = 0; m < sc.nmarked && r == 0; m++)
    {
      size_t i = sc.marked[m];
      if (sc.k[i].lex & L_IHR && pronoun_candidate (&sc, i))
        r = check_ihr (&sc, i);
    }
  for (size_t m = 0; m < sc.nmarked && r == 0; m++)
    {
      size_t i = sc.marked[m];
      if (!(sc.k[i].state & (TS_SKIP | TS_USED)) && du_pronoun_near (&sc, i))
        r = check_verb_du (&sc, i);
    }
  /* Pass 2: the remaining closed-class words. */
  for (size_t m = 0; m < sc.nmarked && r == 0; m++)
    {
      size_t i = sc.marked[m];
      if (pronoun_candidate (&sc, i))
        r = check_pronouns (&sc, i);
      else if (!(sc.k[i].state & TS_SKIP) && (sc.k[i].lex & L_DU_PRON) && in_compound (&sc, i)
               && is_word (&sc, i, "du") && !(tflags (&sc, i) & TOK_ALL_UPPER))
        r = cue (&sc, "CUE_T_CULTURE", i, i, 'C');      /* Du-Form */
    }
  /* Pass 3: verbs without a pronoun. */
  for (size_t m = 0; m < sc.nlive && r == 0; m++)
    {
      size_t i = sc.live[m];
      if (sc.k[i].state & (TS_SKIP | TS_USED))
        continue;
      /* Both checks need a verb form or an imperative of the list and answer 0 without one,
         whatever the word's position: the (filtered) look-up first spares the position tests
         of most words. */
      if (!eager && !(sc.k[i].lex & L_IMP_EXTRA)
          && (!verb_may_exist (&sc, i) || !verb_of (&sc, i)))
        continue;
      bool done = false;
      r = check_imperative (&sc, i, &done);
      if (r == 0 && !done)
        r = check_bare_verb (&sc, i);
    }
  /* Pass 4: cues, culture words, an offered du in the quoted reply. */
  for (size_t m = 0; m < sc.nmarked && r == 0; m++)
    {
      size_t i = sc.marked[m];
      if (sc.k[i].state & TS_SKIP)
        continue;
      check_offer (&sc, i);
      if (sc.k[i].state & TS_USED)
        continue;
      if ((sc.k[i].lex & L_DUZEN) && !in_compound (&sc, i))
        r = cue (&sc, "CUE_T_CULTURE", i, i, 'C');
      else if (!(sc.k[i].state & TS_QUOTED))
        r = check_cues (&sc, i);
    }
  if (r == 0)
    {
      verdict (&sc, res);
      bool mismatch = register_mismatch (&sc, res);
      if (mismatch)
        {
          long at = duzen_is_t (res->verdict) ? sc.first_v_cue : sc.first_t_cue;
          if (at >= 0)
            r = findings_add (out, t->s, "REGISTER_MISMATCH", "CUE", SEV_INFO, 0,
                              t->tok[at].off, t->tok[at].len);
        }
      write_details (&sc, res, mismatch);
    }
  free (heap);
  if (r < 0)
    {
      errno = ENOMEM;
      return -1;
    }
  return 0;
}

int
duzen_analyze (const struct text *t, struct findings *out, struct duzen_result *res)
{
  return analyze (t, out, res, false);
}

int
duzen_analyze_eager (const struct text *t, struct findings *out, struct duzen_result *res)
{
  return analyze (t, out, res, true);
}

const char *
duzen_verdict_name (enum duzen_verdict v)
{
  switch (v)
    {
    case DUZEN_DU:
      return "DU";
    case DUZEN_IHR_PLURAL:
      return "IHR_PLURAL";
    case DUZEN_MIXED:
      return "MIXED";
    case DUZEN_SIE_FORMAL:
      return "SIE_FORMAL";
    case DUZEN_NONE:
    default:
      return "NONE";
    }
}

bool
duzen_is_t (enum duzen_verdict v)
{
  return v == DUZEN_DU || v == DUZEN_IHR_PLURAL || v == DUZEN_MIXED;
}
