/* html.c: readable text from HTML mail parts, with every byte mapped back to the HTML source. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include "html.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "c-ctype.h"
#include "c-strcase.h"

/* The Latin-1 entities, U+00A0 to U+00FF in order. */
static const char *const latin1_entities[96] = {
  "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect",
  "uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr",
  "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
  "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
  "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil",
  "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml",
  "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times",
  "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig",
  "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
  "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml",
  "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide",
  "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
};

static const struct
{
  const char *name;
  unsigned cp;
} other_entities[] = {
  { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
  { "ndash", 0x2013 }, { "mdash", 0x2014 }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
  { "sbquo", 0x201A }, { "ldquo", 0x201C }, { "rdquo", 0x201D }, { "bdquo", 0x201E },
  { "hellip", 0x2026 }, { "bull", 0x2022 }, { "euro", 0x20AC }, { "trade", 0x2122 },
  { "dagger", 0x2020 }, { "Dagger", 0x2021 }, { "permil", 0x2030 }, { "lsaquo", 0x2039 },
  { "rsaquo", 0x203A }, { "prime", 0x2032 }, { "Prime", 0x2033 }, { "thinsp", 0x2009 },
  { "ensp", 0x2002 }, { "emsp", 0x2003 }, { "zwnj", 0x200C }, { "zwj", 0x200D },
  { "lrm", 0x200E }, { "rlm", 0x200F }, { "OElig", 0x152 }, { "oelig", 0x153 },
  { "Scaron", 0x160 }, { "scaron", 0x161 }, { "Yuml", 0x178 }, { "fnof", 0x192 },
  { "circ", 0x2C6 }, { "tilde", 0x2DC }, { "larr", 0x2190 }, { "uarr", 0x2191 },
  { "rarr", 0x2192 }, { "darr", 0x2193 }, { "hearts", 0x2665 }, { "minus", 0x2212 },
  { "check", 0x2713 }, { "star", 0x2606 }, { "quest", '?' }, { "excl", '!' },
  { "num", '#' }, { "dollar", '$' }, { "percnt", '%' }, { "comma", ',' }, { "period", '.' },
  { "colon", ':' }, { "semi", ';' }, { "commat", '@' }, { "lpar", '(' }, { "rpar", ')' },
};

long
html_entity (const char *name, size_t len)
{
  if (len == 0)
    return -1;
  /* The first letter rules out most names before their length is counted. */
  for (size_t i = 0; i < 96; i++)
    if (latin1_entities[i][0] == name[0] && strlen (latin1_entities[i]) == len
        && memcmp (latin1_entities[i], name, len) == 0)
      return 0xA0 + (long) i;
  for (size_t i = 0; i < sizeof other_entities / sizeof *other_entities; i++)
    if (other_entities[i].name[0] == name[0] && strlen (other_entities[i].name) == len
        && memcmp (other_entities[i].name, name, len) == 0)
      return other_entities[i].cp;
  return -1;
}

/* Entities that browsers accept without ';' (the HTML 2 and Latin-1 set). */
static bool
legacy_entity (const char *name, size_t len, long cp)
{
  return (cp >= 0xA0 && cp <= 0xFF)
    || (len == 3 && memcmp (name, "amp", 3) == 0)
    || (len == 2 && (memcmp (name, "lt", 2) == 0 || memcmp (name, "gt", 2) == 0))
    || (len == 4 && memcmp (name, "quot", 4) == 0);
}

struct html_state
{
  struct mbuf *out;
  size_t start;                 /* where this part's text begins in OUT */
  int pending_nl;               /* line breaks owed before the next visible text */
  bool pending_space;
  uint32_t pending_src;
  int pre;                      /* depth of <pre>: whitespace is kept literally */
};

/* Trailing '\n' of the output so far, at most 2. */
static int
trailing_newlines (const struct html_state *st)
{
  int n = 0;
  size_t i = st->out->len;
  while (i > st->start && n < 2 && st->out->s[i - 1] == '\n')
    i--, n++;
  return n;
}

static int
flush_pending (struct html_state *st)
{
  struct mbuf *out = st->out;
  if (!st->pending_nl && !st->pending_space)
    return 0;
  if (mbuf_reserve (out, 4) < 0)
    return -1;
  if (st->pending_nl && out->len > st->start)
    {
      /* Trailing spaces before a line break carry no meaning. */
      while (out->len > st->start && out->s[out->len - 1] == ' ')
        out->len--;
      for (int n = trailing_newlines (st); n < st->pending_nl && n < 2; n++)
        mbuf_put (out, '\n', st->pending_src);
    }
  else if (st->pending_space && out->len > st->start)
    {
      char last = out->s[out->len - 1];
      if (last != ' ' && last != '\n' && last != '\t')
        mbuf_put (out, ' ', st->pending_src);
    }
  st->pending_nl = 0;
  st->pending_space = false;
  return 0;
}

static void
want_newlines (struct html_state *st, int n, uint32_t src)
{
  if (st->pending_nl < n)
    st->pending_nl = n;
  if (!st->pending_space)
    st->pending_src = src;
  st->pending_space = false;
}

static void
want_space (struct html_state *st, uint32_t src)
{
  if (!st->pending_space && !st->pending_nl)
    st->pending_src = src;
  st->pending_space = true;
}

/* Whether ASCII byte C is white space to emit_uc. */
static inline bool
ascii_space (unsigned char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* The end of the run of ascii_space bytes at S[POS..LEN): the offset of the first other byte, or
   LEN.  Between tags HTML is indented, and a byte loop took some ten instructions a space; with
   SSE2 a block of sixteen is judged at once, the last fewer than sixteen bytes one by one. */
static inline size_t
ascii_space_end (const char *s, size_t pos, size_t len)
{
  size_t i = pos;
#ifdef CHARSET_SSE2
  const __m128i sp = _mm_set1_epi8 (' '), tab = _mm_set1_epi8 ('\t'), nl = _mm_set1_epi8 ('\n');
  const __m128i cr = _mm_set1_epi8 ('\r'), ff = _mm_set1_epi8 ('\f');
  for (; i + 16 <= len; i += 16)
    {
      __m128i x = _mm_loadu_si128 ((const __m128i *) (s + i));
      __m128i space = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (x, sp), _mm_cmpeq_epi8 (x, tab)),
                                    _mm_or_si128 (_mm_cmpeq_epi8 (x, nl), _mm_cmpeq_epi8 (x, cr)));
      space = _mm_or_si128 (space, _mm_cmpeq_epi8 (x, ff));
      unsigned other = ~(unsigned) _mm_movemask_epi8 (space) & 0xFFFFu;
      if (other)
        return i + (size_t) __builtin_ctz (other);
    }
#endif
  while (i < len && ascii_space ((unsigned char) s[i]))
    i++;
  return i;
}

/* Whether byte C is ASCII that emit_uc appends as it is and that starts no markup. */
static inline bool
plain_byte (unsigned char c)
{
  if (c > ' ')
    return c < 0x80 && c != '<' && c != '&';
  return !ascii_space (c);
}

/* Emit one character: whitespace is collapsed outside <pre>. */
static int
emit_uc (struct html_state *st, uint32_t uc, uint32_t src)
{
  if (uc == ' ' || uc == '\t' || uc == '\n' || uc == '\r' || uc == '\f' || uc == 0xA0)
    {
      if (!st->pre || uc == 0xA0)
        {
          want_space (st, src);
          return 0;
        }
      if (flush_pending (st) < 0)
        return -1;
      if (mbuf_reserve (st->out, 1) < 0)
        return -1;
      mbuf_put (st->out, (char) uc, src);
      return 0;
    }
  if (uc == 0xAD)
    return 0;                   /* a soft hyphen is invisible */
  if (flush_pending (st) < 0)
    return -1;
  return mbuf_put_uc (st->out, uc, src);
}

/* What a tag stands for in the text. */
enum tag_kind
{
  TAG_INLINE,                   /* nothing */
  TAG_HIDDEN,                   /* script, style, title, xml, template: content never shown */
  TAG_HEAD,
  TAG_BR,
  TAG_PRE,
  TAG_CELL,                     /* td, th: a space */
  TAG_PARAGRAPH,                /* a block that stands apart: two line breaks */
  TAG_LINE,                     /* a block on its own line: one line break */
};

/* Tag names packed into an integer, first byte lowest: what tag_key gives for them. */
#define TK1(a) ((uint64_t) (unsigned char) (a))
#define TK2(a, b) (TK1 (a) | TK1 (b) << 8)
#define TK3(a, b, c) (TK2 (a, b) | TK1 (c) << 16)
#define TK4(a, b, c, d) (TK3 (a, b, c) | TK1 (d) << 24)
#define TK5(a, b, c, d, e) (TK4 (a, b, c, d) | TK1 (e) << 32)
#define TK6(a, b, c, d, e, f) (TK5 (a, b, c, d, e) | TK1 (f) << 40)
#define TK7(a, b, c, d, e, f, g) (TK6 (a, b, c, d, e, f) | TK1 (g) << 48)
#define TK8(a, b, c, d, e, f, g, h) (TK7 (a, b, c, d, e, f, g) | TK1 (h) << 56)

/* The tag name NAME (LEN bytes, 1 to 8, letters, digits and ':' as html_to_text takes them)
   lower-cased and packed into an integer, first byte lowest; AVAIL bytes can be read from
   NAME.  On these bytes setting bit 0x20 is c_tolower: it lower-cases a letter and leaves
   digits and ':' alone.  No name byte is NUL, so names of different lengths differ. */
static inline uint64_t
tag_key (const char *name, size_t len, size_t avail)
{
  uint64_t key = 0;
  if (avail >= 8)
    {
      memcpy (&key, name, 8);
#if defined __BYTE_ORDER__ && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
      key = __builtin_bswap64 (key);
#endif
      uint64_t keep = len == 8 ? ~UINT64_C (0) : (UINT64_C (1) << (8 * len)) - 1;
      return (key | UINT64_C (0x2020202020202020)) & keep;
    }
  for (size_t i = 0; i < len; i++)
    key |= (uint64_t) ((unsigned char) name[i] | 0x20) << (8 * i);
  return key;
}

/* The kind of the tag named NAME (LEN bytes, any case, AVAIL readable), by one switch on its
   packed name instead of a lower-cased copy compared with the names of its length. */
static enum tag_kind
classify_tag (const char *name, size_t len, size_t avail)
{
  if (len == 10)
    return c_strncasecmp (name, "blockquote", 10) == 0 ? TAG_PARAGRAPH : TAG_INLINE;
  if (len == 0 || len > 8)
    return TAG_INLINE;
  switch (tag_key (name, len, avail))
    {
    case TK1 ('p'): case TK2 ('h', '1'): case TK2 ('h', '2'): case TK2 ('h', '3'):
    case TK2 ('h', '4'): case TK2 ('h', '5'): case TK2 ('h', '6'): case TK2 ('u', 'l'):
    case TK2 ('o', 'l'): case TK2 ('h', 'r'): case TK2 ('d', 'l'):
    case TK5 ('t', 'a', 'b', 'l', 'e'): case TK6 ('f', 'i', 'g', 'u', 'r', 'e'):
    case TK7 ('a', 'd', 'd', 'r', 'e', 's', 's'):
      return TAG_PARAGRAPH;
    case TK2 ('b', 'r'):
      return TAG_BR;
    case TK2 ('t', 'd'): case TK2 ('t', 'h'):
      return TAG_CELL;
    case TK2 ('l', 'i'): case TK2 ('t', 'r'): case TK2 ('d', 't'): case TK2 ('d', 'd'):
    case TK3 ('d', 'i', 'v'): case TK3 ('n', 'a', 'v'): case TK4 ('f', 'o', 'r', 'm'):
    case TK4 ('m', 'a', 'i', 'n'): case TK4 ('b', 'o', 'd', 'y'): case TK4 ('h', 't', 'm', 'l'):
    case TK4 ('m', 'e', 'n', 'u'): case TK5 ('t', 'b', 'o', 'd', 'y'):
    case TK5 ('t', 'h', 'e', 'a', 'd'): case TK5 ('t', 'f', 'o', 'o', 't'):
    case TK5 ('a', 's', 'i', 'd', 'e'): case TK6 ('c', 'e', 'n', 't', 'e', 'r'):
    case TK6 ('h', 'e', 'a', 'd', 'e', 'r'): case TK6 ('f', 'o', 'o', 't', 'e', 'r'):
    case TK6 ('o', 'p', 't', 'i', 'o', 'n'): case TK6 ('l', 'e', 'g', 'e', 'n', 'd'):
    case TK7 ('s', 'e', 'c', 't', 'i', 'o', 'n'): case TK7 ('a', 'r', 't', 'i', 'c', 'l', 'e'):
    case TK7 ('c', 'a', 'p', 't', 'i', 'o', 'n'): case TK7 ('s', 'u', 'm', 'm', 'a', 'r', 'y'):
    case TK7 ('d', 'e', 't', 'a', 'i', 'l', 's'):
    case TK8 ('f', 'i', 'e', 'l', 'd', 's', 'e', 't'):
      return TAG_LINE;
    case TK3 ('x', 'm', 'l'): case TK5 ('s', 't', 'y', 'l', 'e'): case TK5 ('t', 'i', 't', 'l', 'e'):
    case TK6 ('s', 'c', 'r', 'i', 'p', 't'): case TK8 ('t', 'e', 'm', 'p', 'l', 'a', 't', 'e'):
      return TAG_HIDDEN;
    case TK3 ('p', 'r', 'e'):
      return TAG_PRE;
    case TK4 ('h', 'e', 'a', 'd'):
      return TAG_HEAD;
    default:
      return TAG_INLINE;
    }
}

/* Find "</NAME" (any case) at or after POS; return its offset or LEN. */
static size_t
find_close_tag (const char *s, size_t pos, size_t len, const char *name, size_t name_len)
{
  while (pos < len)
    {
      const char *lt = memchr (s + pos, '<', len - pos);
      if (!lt)
        return len;
      size_t i = lt - s;
      if (i + 2 + name_len <= len && s[i + 1] == '/'
          && c_strncasecmp (s + i + 2, name, name_len) == 0
          && (i + 2 + name_len == len || !c_isalnum (s[i + 2 + name_len])))
        return i;
      pos = i + 1;
    }
  return len;
}

/* The first '>' or '=' in S[POS..LEN), or LEN. */
static size_t
gt_or_equals (const char *s, size_t pos, size_t len)
{
  size_t i = pos;
#ifdef CHARSET_SSE2
  if (len - pos >= 16)
    {
      const __m128i gt = _mm_set1_epi8 ('>'), eq = _mm_set1_epi8 ('=');
      for (;; i += 16)
        {
          /* The last block overlaps the one before, so as not to read past LEN. */
          size_t at = i + 16 <= len ? i : len - 16;
          __m128i x = _mm_loadu_si128 ((const __m128i *) (s + at));
          unsigned m = (unsigned) _mm_movemask_epi8 (_mm_or_si128 (_mm_cmpeq_epi8 (x, gt),
                                                                   _mm_cmpeq_epi8 (x, eq)));
          m >>= i - at;
          if (m)
            return i + (size_t) __builtin_ctz (m);
          if (i + 16 >= len)
            return len;
        }
    }
#endif
  while (i < len && s[i] != '>' && s[i] != '=')
    i++;
  return i;
}

/* The end of the tag starting at POS ('<'), just after its '>', or LEN.  Quotes protect '>' only
   when they open an attribute value and close again; if one never closes, the tag ends at its
   first '>'.  One scan from left to right for '>' and '=' (memchr for each, as before, cost a
   call per attribute). */
static size_t
tag_end (const char *s, size_t pos, size_t len)
{
  for (size_t i = pos;;)
    {
      i = gt_or_equals (s, i, len);
      if (i >= len)
        break;
      if (s[i] == '>')
        return i + 1;
      /* An '=' that opens a quoted value: skip to its closing quote. */
      i++;
      if (i < len && (s[i] == '"' || s[i] == '\''))
        {
          const char *q = memchr (s + i + 1, s[i], len - i - 1);
          if (!q)
            break;
          i = q - s + 1;
        }
    }
  const char *first_gt = memchr (s + pos, '>', len - pos);
  return first_gt ? (size_t) (first_gt - s) + 1 : len;
}

/* Decode the character reference at IN->s[POS] ('&'); store the code point and return the bytes
   consumed, or 0 if it is not a reference. */
static size_t
decode_entity (const char *s, size_t pos, size_t len, uint32_t *uc)
{
  size_t i = pos + 1;
  if (i < len && s[i] == '#')
    {
      i++;
      bool hex = i < len && (s[i] == 'x' || s[i] == 'X');
      if (hex)
        i++;
      size_t digits_start = i;
      unsigned long v = 0;
      while (i < len && (hex ? c_isxdigit (s[i]) : c_isdigit (s[i])))
        {
          int d = c_isdigit (s[i]) ? s[i] - '0' : c_tolower (s[i]) - 'a' + 10;
          if (v < 0x1000000)
            v = v * (hex ? 16 : 10) + d;
          i++;
        }
      if (i == digits_start)
        return 0;
      if (i < len && s[i] == ';')
        i++;
      if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v < 0xE000))
        v = 0xFFFD;
      else if (v >= 0x80 && v < 0xA0)
        v = charset_cp1252 ((unsigned char) v);
      *uc = v;
      return i - pos;
    }
  size_t name_start = i;
  while (i < len && i - name_start < 32 && c_isalnum (s[i]))
    i++;
  if (i == name_start)
    return 0;
  long cp = html_entity (s + name_start, i - name_start);
  if (cp < 0)
    return 0;
  if (i < len && s[i] == ';')
    i++;
  else if (!legacy_entity (s + name_start, i - name_start, cp))
    return 0;
  *uc = (uint32_t) cp;
  return i - pos;
}

/* Bytes of text copied by one call of copy_text_run at most: the room it reserves. */
#define TEXT_RUN_MAX 4096

/* The length of the text at S[0..LEN) that copy_text_run copies as it stands: plain_bytes and,
   unless PRE, single spaces between two of them (the one space a run of white space becomes,
   with the offset of its first character, is then that very space).  With SSE2 sixteen bytes
   are judged at once; a space in a block's last byte is left to the caller, which looks at the
   byte after it. */
static size_t
verbatim_run (const char *s, size_t len, int pre)
{
  size_t i = 0;
#ifdef CHARSET_SSE2
  const __m128i lt = _mm_set1_epi8 ('<'), amp = _mm_set1_epi8 ('&'), sp = _mm_set1_epi8 (' ');
  const __m128i tab = _mm_set1_epi8 ('\t'), nl = _mm_set1_epi8 ('\n');
  const __m128i cr = _mm_set1_epi8 ('\r'), ff = _mm_set1_epi8 ('\f'), zero = _mm_setzero_si128 ();
  while (i + 16 <= len)
    {
      __m128i x = _mm_loadu_si128 ((const __m128i *) (s + i));
      __m128i space = _mm_cmpeq_epi8 (x, sp);
      __m128i other = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (x, lt), _mm_cmpeq_epi8 (x, amp)),
                                    _mm_or_si128 (_mm_cmpeq_epi8 (x, tab), _mm_cmpeq_epi8 (x, nl)));
      other = _mm_or_si128 (other, _mm_or_si128 (_mm_cmpeq_epi8 (x, cr), _mm_cmpeq_epi8 (x, ff)));
      other = _mm_or_si128 (other, _mm_cmplt_epi8 (x, zero));      /* 0x80 and above */
      unsigned spaces = (unsigned) _mm_movemask_epi8 (space);
      unsigned stop = (unsigned) _mm_movemask_epi8 (other) | spaces;
      /* A space is kept when the byte after it, in this block, is plain. */
      unsigned kept = pre ? 0 : spaces & ~(stop >> 1) & 0x7FFFu;
      stop &= ~kept;
      if (stop)
        return i + (size_t) __builtin_ctz (stop);
      i += 16;
    }
#endif
  while (i < len)
    {
      unsigned char c = s[i];
      if (plain_byte (c))
        i++;
      else if (c == ' ' && !pre && i + 1 < len && plain_byte (s[i + 1]))
        i += 2;
      else
        break;
    }
  return i;
}

/* Copy the text at IN->s[I], which starts with a plain_byte and follows no pending space or
   line break, to OUT, up to the next markup, non-ASCII or final white space: what emit_uc
   would do with each character, done in one loop.  Between words (outside <pre>) a run of
   white space is the one space flush_pending would write, with the offset of the run's first
   character.  Return the offset after the text copied, or I if out of memory. */
static size_t
copy_text_run (struct mbuf *out, const struct mspan *in, size_t i, int pre)
{
  const char *s = in->s;
  size_t limit = in->len - i > TEXT_RUN_MAX ? i + TEXT_RUN_MAX : in->len;
  if (mbuf_reserve (out, limit - i) < 0)
    return i;
  char *o = out->s + out->len;
  uint32_t *osrc = out->src + out->len;
  while (i < limit)
    {
      size_t run = verbatim_run (s + i, limit - i, pre);
      if (run)
        {
          memcpy (o, s + i, run);
          if (in->src)
            memcpy (osrc, in->src + i, run * sizeof *osrc);
          else
            mbuf_fill_src (osrc, in->base + (uint32_t) i, run);
          o += run;
          osrc += run;
          i += run;
          if (i >= limit)
            break;
        }
      /* Not a plain byte: the run stops only there. */
      unsigned char c = s[i];
      if (pre || !ascii_space (c))
        break;
      size_t k = ascii_space_end (s, i + 1, limit);
      if (k >= limit || !plain_byte (s[k]))
        break;
      *o++ = ' ';
      *osrc++ = mspan_src (in, i);
      i = k;
    }
  out->len = o - out->s;
  return i;
}

int
html_to_text (struct mbuf *out, const struct mspan *in)
{
  const char *s = in->s;
  size_t len = in->len;
  struct html_state st = { out, out->len, 0, false, 0, 0 };

  for (size_t i = 0; i < len;)
    {
      unsigned char c = s[i];
      if (c == '<' && i + 1 < len)
        {
          unsigned char d = s[i + 1];
          if (d == '!' && i + 3 < len && s[i + 2] == '-' && s[i + 3] == '-')
            {
              /* A comment that never closes ends at the next '>', as old mail readers did:
                 spam writes "<!--x>" and means the text after it to be seen. */
              const char *end = memmem (s + i + 4, len - i - 4, "-->", 3);
              i = end ? (size_t) (end - s) + 3 : tag_end (s, i, len);
              continue;
            }
          if (d == '!' || d == '?')
            {
              i = tag_end (s, i, len);
              continue;
            }
          bool closing = d == '/';
          size_t name_start = i + 1 + closing;
          size_t name_end = name_start;
          while (name_end < len && (c_isalnum (s[name_end]) || s[name_end] == ':'))
            name_end++;
          if (name_end > name_start && c_isalpha (s[name_start]))
            {
              const char *name = s + name_start;
              size_t name_len = name_end - name_start;
              uint32_t src = mspan_src (in, i);
              /* The name has no '>' or '=': the tag's end is found from its end.  Most tags
                 have no attributes, and their '>' follows the name. */
              size_t after = name_end < len && s[name_end] == '>'
                ? name_end + 1 : tag_end (s, name_end, len);
              enum tag_kind kind = classify_tag (name, name_len, len - name_start);
              if (!closing && kind == TAG_HIDDEN)
                {
                  /* Their content is never shown; an unclosed one hides the rest, as in a browser. */
                  size_t close = find_close_tag (s, after, len, name, name_len);
                  i = close < len ? tag_end (s, close, len) : len;
                  want_space (&st, src);
                  continue;
                }
              if (!closing && kind == TAG_HEAD)
                {
                  size_t close = find_close_tag (s, after, len, name, name_len);
                  /* A head that never closes would swallow the whole text: ignore the tag then. */
                  i = close < len ? tag_end (s, close, len) : after;
                  continue;
                }
              if (kind == TAG_BR)
                {
                  if (flush_pending (&st) < 0 || mbuf_reserve (out, 1) < 0)
                    return -1;
                  if (trailing_newlines (&st) < 2)
                    mbuf_put (out, '\n', src);
                }
              else if (kind == TAG_PRE)
                {
                  st.pre += closing ? (st.pre > 0 ? -1 : 0) : 1;
                  want_newlines (&st, 2, src);
                }
              else if (kind == TAG_CELL)
                want_space (&st, src);
              else if (kind == TAG_PARAGRAPH || kind == TAG_LINE)
                want_newlines (&st, kind == TAG_PARAGRAPH ? 2 : 1, src);
              i = after;
              continue;
            }
          /* A lone '<' is text. */
        }
      if (c == '&')
        {
          uint32_t uc;
          size_t n = decode_entity (s, i, len, &uc);
          if (n)
            {
              if (emit_uc (&st, uc, mspan_src (in, i)) < 0)
                return -1;
              i += n;
              continue;
            }
        }
      if (c < 0x80)
        {
          if (plain_byte (c))
            {
              if (flush_pending (&st) < 0)
                return -1;
              size_t j = copy_text_run (out, in, i, st.pre);
              if (j == i)
                return -1;
              i = j;
              continue;
            }
          if (!st.pre && ascii_space (c))
            {
              /* Outside <pre> a run of white space is one pending space, from its first. */
              want_space (&st, mspan_src (in, i));
              i = ascii_space_end (s, i + 1, len);
              continue;
            }
          if (emit_uc (&st, c, mspan_src (in, i)) < 0)
            return -1;
          i++;
          continue;
        }
      /* The input is valid UTF-8: copy the whole sequence; U+00A0 is a space here. */
      size_t n = charset_utf8_len ((const unsigned char *) s + i, len - i);
      if (n == 0)
        n = 1;
      if (n == 2 && c == 0xC2 && (unsigned char) s[i + 1] == 0xA0)
        want_space (&st, mspan_src (in, i));
      else if (n == 2 && c == 0xC2 && (unsigned char) s[i + 1] == 0xAD)
        ;
      else
        {
          if (flush_pending (&st) < 0 || mbuf_reserve (out, n) < 0)
            return -1;
          memcpy (out->s + out->len, s + i, n);
          mbuf_fill_same (out->src + out->len, mspan_src (in, i), n);
          out->len += n;
        }
      i += n;
    }
  if (out->len > st.start && (st.pending_nl || out->s[out->len - 1] != '\n'))
    {
      while (out->len > st.start && out->s[out->len - 1] == ' ')
        out->len--;
      if (mbuf_reserve (out, 1) < 0)
        return -1;
      if (out->len > st.start && out->s[out->len - 1] != '\n')
        mbuf_put (out, '\n', in->len ? mspan_src (in, in->len - 1) : in->base);
    }
  return 0;
}
