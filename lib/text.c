/* text.c: words, sentences and masks of what is not the sender's own words, over a message body. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>
#if defined __SSE2__
# include <emmintrin.h>
#endif

/* How it works.  The lines are found first; masks are set line by line (quote blocks, reply
   headers, markers that mask to the end, disclaimers, code blocks, speech) and chunk by chunk
   (addresses).  Then one pass over the text finds the words, lower-cases them into one buffer
   and decides at each gap between two words whether a sentence ends there.  Words that follow
   a single space take a fast path, since nothing between them can end a sentence.  No pattern
   is compiled and nothing is allocated per word: this runs on every message.  */

/* ------------------------------------------------------------------ characters */

enum char_class
{
  CH_LETTER = 1,
  CH_DIGIT = 2,
  CH_MARK = 4,
  CH_UPPER = 8,
  CH_LOWER = 16,
};
#define CH_WORD (CH_LETTER | CH_DIGIT | CH_MARK)

/* The classes of code point C; ASCII and Latin-1 are answered without a table lookup
   because they are nearly all of German and English text.  */
static inline unsigned
char_class (ucs4_t c)
{
  if (c < 0x80)
    {
      if (c >= 'a' && c <= 'z')
        return CH_LETTER | CH_LOWER;
      if (c >= 'A' && c <= 'Z')
        return CH_LETTER | CH_UPPER;
      if (c >= '0' && c <= '9')
        return CH_DIGIT;
      return 0;
    }
  if (c >= 0xC0 && c <= 0xFF)
    {
      if (c == 0xD7 || c == 0xF7)
        return 0;
      /* ß has no capital in ordinary writing, so "GRÜßE" must still count as all upper case.  */
      if (c == 0xDF)
        return CH_LETTER;
      return CH_LETTER | (c < 0xDF ? CH_UPPER : CH_LOWER);
    }
  uint32_t m = uc_general_category (c).bitmask;
  unsigned r = 0;
  if (m & UC_CATEGORY_MASK_L)
    r |= CH_LETTER;
  if (m & (UC_CATEGORY_MASK_Lu | UC_CATEGORY_MASK_Lt))
    r |= CH_UPPER;
  if (m & UC_CATEGORY_MASK_Ll)
    r |= CH_LOWER;
  if (m & UC_CATEGORY_MASK_M)
    r |= CH_MARK;
  if (m & UC_CATEGORY_MASK_Nd)
    r |= CH_DIGIT;
  return r;
}

/* Decode the character at S[I] (I < LEN) into *C and return its length in bytes (at least 1).  */
static inline int
next_char (const char *s, size_t len, size_t i, ucs4_t *c)
{
  unsigned char b = s[i];
  if (b < 0x80)
    {
      *c = b;
      return 1;
    }
  return u8_mbtouc (c, (const uint8_t *) s + i, len - i);
}

/* The start of the character that ends just before S[I] (I > 0).  */
static inline size_t
prev_char_start (const char *s, size_t i)
{
  size_t j = i - 1;
  size_t limit = i >= 4 ? i - 4 : 0;
  while (j > limit && ((unsigned char) s[j] & 0xC0) == 0x80)
    j--;
  return j;
}

/* ASCII letters and digits, and white space (\t \n \v \f \r and space), by table: these
   tests run for most bytes of a message, and a load is cheaper than their comparisons.
   test-text-paths checks the table against the comparisons.  */
enum { BYTE_ALNUM = 1, BYTE_SPACE = 2 };
static const uint8_t byte_kind[256] = {
  ['0'] = BYTE_ALNUM, ['1'] = BYTE_ALNUM, ['2'] = BYTE_ALNUM, ['3'] = BYTE_ALNUM,
  ['4'] = BYTE_ALNUM, ['5'] = BYTE_ALNUM, ['6'] = BYTE_ALNUM, ['7'] = BYTE_ALNUM,
  ['8'] = BYTE_ALNUM, ['9'] = BYTE_ALNUM, ['A'] = BYTE_ALNUM, ['B'] = BYTE_ALNUM,
  ['C'] = BYTE_ALNUM, ['D'] = BYTE_ALNUM, ['E'] = BYTE_ALNUM, ['F'] = BYTE_ALNUM,
  ['G'] = BYTE_ALNUM, ['H'] = BYTE_ALNUM, ['I'] = BYTE_ALNUM, ['J'] = BYTE_ALNUM,
  ['K'] = BYTE_ALNUM, ['L'] = BYTE_ALNUM, ['M'] = BYTE_ALNUM, ['N'] = BYTE_ALNUM,
  ['O'] = BYTE_ALNUM, ['P'] = BYTE_ALNUM, ['Q'] = BYTE_ALNUM, ['R'] = BYTE_ALNUM,
  ['S'] = BYTE_ALNUM, ['T'] = BYTE_ALNUM, ['U'] = BYTE_ALNUM, ['V'] = BYTE_ALNUM,
  ['W'] = BYTE_ALNUM, ['X'] = BYTE_ALNUM, ['Y'] = BYTE_ALNUM, ['Z'] = BYTE_ALNUM,
  ['a'] = BYTE_ALNUM, ['b'] = BYTE_ALNUM, ['c'] = BYTE_ALNUM, ['d'] = BYTE_ALNUM,
  ['e'] = BYTE_ALNUM, ['f'] = BYTE_ALNUM, ['g'] = BYTE_ALNUM, ['h'] = BYTE_ALNUM,
  ['i'] = BYTE_ALNUM, ['j'] = BYTE_ALNUM, ['k'] = BYTE_ALNUM, ['l'] = BYTE_ALNUM,
  ['m'] = BYTE_ALNUM, ['n'] = BYTE_ALNUM, ['o'] = BYTE_ALNUM, ['p'] = BYTE_ALNUM,
  ['q'] = BYTE_ALNUM, ['r'] = BYTE_ALNUM, ['s'] = BYTE_ALNUM, ['t'] = BYTE_ALNUM,
  ['u'] = BYTE_ALNUM, ['v'] = BYTE_ALNUM, ['w'] = BYTE_ALNUM, ['x'] = BYTE_ALNUM,
  ['y'] = BYTE_ALNUM, ['z'] = BYTE_ALNUM, ['\t'] = BYTE_SPACE, ['\n'] = BYTE_SPACE,
  ['\v'] = BYTE_SPACE, ['\f'] = BYTE_SPACE, ['\r'] = BYTE_SPACE, [' '] = BYTE_SPACE,
};

static inline bool
is_space (unsigned char b)
{
  return byte_kind[b] & BYTE_SPACE;
}

/* Eight bytes at a time, for the scans that look for rare bytes and for runs of lower-case
   letters.  A "marks" word has the high bit set in each byte that was found; the arithmetic
   never carries from one byte into the next, so every mark is exact.  */
#define BYTES_ONES UINT64_C (0x0101010101010101)
#define BYTES_HIGHS UINT64_C (0x8080808080808080)
#define BYTES_LOW7 UINT64_C (0x7F7F7F7F7F7F7F7F)

static inline uint64_t
load8 (const char *p)
{
  uint64_t x;
  memcpy (&x, p, 8);
  return x;
}

/* Marks the bytes of X that equal B.  */
static inline uint64_t
match_bytes (uint64_t x, unsigned char b)
{
  uint64_t y = x ^ (BYTES_ONES * b);
  return ~(((y & BYTES_LOW7) + BYTES_LOW7) | y | BYTES_LOW7);
}

/* Marks the bytes of X that are ASCII lower-case letters.  */
static inline uint64_t
lower_bytes (uint64_t x)
{
  uint64_t t = x & BYTES_LOW7;
  return (t + BYTES_ONES * (0x80 - 'a')) & ~(t + BYTES_ONES * (0x80 - 'z' - 1)) & ~x & BYTES_HIGHS;
}

#if defined __GNUC__ && defined __BYTE_ORDER__ \
  && (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
# define HAVE_FIRST_MARKED 1
/* The position in memory of the first marked byte of the nonzero marks M.  */
static inline unsigned
first_marked (uint64_t m)
{
# if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return __builtin_ctzll (m) / 8;
# else
  return __builtin_clzll (m) / 8;
# endif
}
#else
# define HAVE_FIRST_MARKED 0
static inline unsigned
first_marked (uint64_t m)
{
  (void) m;
  return 0;                     /* the callers then look byte by byte */
}
#endif

/* TEXT_PLAIN_PATHS turns the fast paths off: test-text-paths builds text.c so and compares
   its results with the library's.  */
#if HAVE_FIRST_MARKED && !defined TEXT_PLAIN_PATHS
# define HAVE_WORD_CHUNKS 1
#else
# define HAVE_WORD_CHUNKS 0
#endif
#ifndef TEXT_PLAIN_PATHS
# define HAVE_FAST_PATHS 1
#else
# define HAVE_FAST_PATHS 0
#endif

/* The run of lower-case ASCII letters that starts at P (AVAIL >= 8 bytes readable), up to
   sixteen bytes where SSE2 is there, else eight: its length, and *FULL if it fills them.  The
   bytes are copied to DST (which has room for AVAIL bytes) whatever they are: the caller
   keeps only the run.  Runs of lower-case letters are the bulk of any text.  */
static inline unsigned
copy_lower_run (const char *p, size_t avail, char *dst, bool *full)
{
#if defined __SSE2__
  if (avail >= 16)
    {
      __m128i x = _mm_loadu_si128 ((const __m128i *) p);
      /* (signed bytes: those above ASCII are negative, below 'a') */
      __m128i in = _mm_and_si128 (_mm_cmpgt_epi8 (x, _mm_set1_epi8 ('a' - 1)),
                                  _mm_cmplt_epi8 (x, _mm_set1_epi8 ('z' + 1)));
      unsigned stop = (unsigned) _mm_movemask_epi8 (in) ^ 0xFFFF;
      _mm_storeu_si128 ((__m128i *) dst, x);
      *full = stop == 0;
      return stop ? (unsigned) __builtin_ctz (stop) : 16;
    }
#endif
  (void) avail;
  uint64_t x = load8 (p);
  uint64_t stop = ~lower_bytes (x) & BYTES_HIGHS;
  memcpy (dst, p, 8);
  *full = stop == 0;
  return stop ? first_marked (stop) : 8;
}

/* The first index from I on, below END, whose byte is A, B, C or D; END if there is none.  The
   scans for rare bytes (addresses, quotation marks) run over every byte of the message: sixteen
   bytes at a time where SSE2 is there, else eight.  */
static inline size_t
find_any4 (const char *s, size_t i, size_t end, unsigned char a, unsigned char b, unsigned char c,
           unsigned char d)
{
#if defined __SSE2__
  const __m128i va = _mm_set1_epi8 ((char) a), vb = _mm_set1_epi8 ((char) b);
  const __m128i vc = _mm_set1_epi8 ((char) c), vd = _mm_set1_epi8 ((char) d);
  for (; i + 16 <= end; i += 16)
    {
      __m128i x = _mm_loadu_si128 ((const __m128i *) (s + i));
      __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (x, va), _mm_cmpeq_epi8 (x, vb)),
                                  _mm_or_si128 (_mm_cmpeq_epi8 (x, vc), _mm_cmpeq_epi8 (x, vd)));
      unsigned bits = (unsigned) _mm_movemask_epi8 (hit);
      if (bits)
        return i + (unsigned) __builtin_ctz (bits);
    }
#endif
  if (HAVE_FIRST_MARKED)
    for (; i + 8 <= end; i += 8)
      {
        uint64_t x = load8 (s + i);
        uint64_t m = match_bytes (x, a) | match_bytes (x, b) | match_bytes (x, c) | match_bytes (x, d);
        if (m)
          return i + first_marked (m);
      }
  for (; i < end; i++)
    {
      unsigned char x = s[i];
      if (x == a || x == b || x == c || x == d)
        return i;
    }
  return end;
}

/* Length of the white space at S[I] (I < LEN): ASCII white space, or a no-break or thin space,
   which HTML conversion leaves between words; 0 if none.  */
static inline int
space_len (const char *s, size_t len, size_t i)
{
  unsigned char b = s[i];
  if (b < 0x80)
    return is_space (b);
  if (b == 0xC2)
    return i + 1 < len && (unsigned char) s[i + 1] == 0xA0 ? 2 : 0;
  if ((b == 0xE2 || b == 0xE3) && i + 2 < len)
    {
      unsigned char b1 = s[i + 1], b2 = s[i + 2];
      if (b == 0xE2 && b1 == 0x80 && (b2 <= 0x8A || b2 == 0xAF))
        return 3;               /* U+2000 to U+200A, U+202F */
      if (b == 0xE2 && b1 == 0x81 && b2 == 0x9F)
        return 3;               /* U+205F */
      if (b == 0xE3 && b1 == 0x80 && b2 == 0x80)
        return 3;               /* U+3000 */
    }
  return 0;
}

/* Length of the white space that ends just before S[I] (I > 0), or 0.  */
static inline int
space_len_before (const char *s, size_t i)
{
  if ((unsigned char) s[i - 1] < 0x80)
    return is_space ((unsigned char) s[i - 1]);
  if (i >= 2 && (unsigned char) s[i - 2] == 0xC2)
    return space_len (s, i, i - 2);
  if (i >= 3 && ((unsigned char) s[i - 3] == 0xE2 || (unsigned char) s[i - 3] == 0xE3))
    return space_len (s, i, i - 3);
  return 0;
}

static inline bool
is_ascii_alnum (unsigned char b)
{
  return byte_kind[b] & BYTE_ALNUM;
}

static inline bool
is_hyphen (ucs4_t c)
{
  return c == '-' || c == 0x2010 || c == 0x2011;
}

/* Match the lower-case pattern PAT at the start of S[0..N), folding ASCII and Latin-1 capitals
   (Ä to ä) in S.  Return the number of bytes matched, or 0.  */
static size_t
match_folded (const char *s, size_t n, const char *pat)
{
  size_t i = 0;
  for (; pat[i]; i++)
    {
      if (i >= n)
        return 0;
      unsigned char b = s[i];
      if (b >= 'A' && b <= 'Z')
        b += 'a' - 'A';
      else if (i > 0 && (unsigned char) s[i - 1] == 0xC3 && b >= 0x80 && b <= 0x9E && b != 0x97)
        b += 0x20;
      if (b != (unsigned char) pat[i])
        return 0;
    }
  return i;
}

/* True if S[I] is the end of a word: the end of S or a character that is no letter or digit.  */
static bool
word_ends_at (const char *s, size_t n, size_t i)
{
  if (i >= n)
    return true;
  ucs4_t c;
  next_char (s, n, i, &c);
  return !(char_class (c) & CH_WORD);
}

/* Match the word or phrase PAT at the start of S[0..N), followed by a word end.  */
static size_t
match_word (const char *s, size_t n, const char *pat)
{
  size_t m = match_folded (s, n, pat);
  return m && word_ends_at (s, n, m) ? m : 0;
}

/* True if PAT occurs in S[0..N) (folded as in match_folded).  */
static bool
contains_folded (const char *s, size_t n, const char *pat)
{
  unsigned char first = pat[0];
  for (size_t i = 0; i < n; i++)
    {
      unsigned char b = s[i];
      if (b >= 'A' && b <= 'Z')
        b += 'a' - 'A';
      if (b == first && match_folded (s + i, n - i, pat))
        return true;
    }
  return false;
}

/* Match any word or phrase of LIST, an array of COUNT strings sorted by bytes, at the start of S.  */
static bool
match_sorted (const char *s, size_t n, const char *const *list, size_t count)
{
  if (n == 0)
    return false;
  unsigned char first = s[0];
  if (first >= 'A' && first <= 'Z')
    first += 'a' - 'A';
  /* Binary search for the first entry that starts with FIRST.  */
  size_t lo = 0, hi = count;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if ((unsigned char) list[mid][0] < first)
        lo = mid + 1;
      else
        hi = mid;
    }
  /* The second byte folded as match_folded folds it, to pass over most entries without a call.  */
  unsigned char second = 0;
  if (n >= 2)
    {
      second = s[1];
      if (second >= 'A' && second <= 'Z')
        second += 'a' - 'A';
      else if ((unsigned char) s[0] == 0xC3 && second >= 0x80 && second <= 0x9E && second != 0x97)
        second += 0x20;
    }
  for (; lo < count && (unsigned char) list[lo][0] == first; lo++)
    {
      unsigned char want = list[lo][1];
      if (want != '\0' && (n < 2 || want != second))
        continue;
      if (match_word (s, n, list[lo]))
        return true;
    }
  return false;
}

/* LIST is a NULL-terminated array sorted by bytes.  */
#define match_any_word(s, n, list) match_sorted ((s), (n), (list), sizeof (list) / sizeof (list)[0] - 1)

/* True if any pattern of LIST (NULL-terminated) occurs in S[0..N), folded as in match_folded.
   One pass over S for all patterns, instead of one per pattern.  */
static bool
contains_any (const char *s, size_t n, const char *const *list)
{
  size_t i = 0;
#if defined __SSE2__
  /* Sixteen places at a time: a pattern can match only where the byte and the next one are
     its first two bytes or their capitals; both or-ed with 0x20 is a test that never misses
     one (it lets a few other bytes through, which match_folded turns away).  Each pattern's
     pair is set up once; repeated pairs once.  */
  enum { MAX_PAIRS = 16 };
  unsigned char pair_a[MAX_PAIRS], pair_b[MAX_PAIRS];
  __m128i first[MAX_PAIRS], second[MAX_PAIRS];
  size_t pairs = 0;
  bool fits = true;
  for (const char *const *w = list; HAVE_FAST_PATHS && *w && fits; w++)
    {
      unsigned char a = (unsigned char) (*w)[0] | 0x20, b = (unsigned char) (*w)[1] | 0x20;
      size_t k = 0;
      while (k < pairs && !(pair_a[k] == a && pair_b[k] == b))
        k++;
      if (k < pairs)
        continue;
      /* (a one-byte pattern has no second byte to test) */
      fits = pairs < MAX_PAIRS && (*w)[1] != '\0';
      if (!fits)
        break;
      pair_a[pairs] = a;
      pair_b[pairs] = b;
      first[pairs] = _mm_set1_epi8 ((char) a);
      second[pairs++] = _mm_set1_epi8 ((char) b);
    }
  if (HAVE_FAST_PATHS && fits)
    {
      const __m128i low = _mm_set1_epi8 (0x20);
      for (; i + 17 <= n; i += 16)
        {
          __m128i x = _mm_or_si128 (_mm_loadu_si128 ((const __m128i *) (s + i)), low);
          __m128i y = _mm_or_si128 (_mm_loadu_si128 ((const __m128i *) (s + i + 1)), low);
          __m128i hit = _mm_setzero_si128 ();
          for (size_t k = 0; k < pairs; k++)
            hit = _mm_or_si128 (hit, _mm_and_si128 (_mm_cmpeq_epi8 (x, first[k]),
                                                    _mm_cmpeq_epi8 (y, second[k])));
          for (unsigned bits = (unsigned) _mm_movemask_epi8 (hit); bits; bits &= bits - 1)
            {
              size_t j = i + (unsigned) __builtin_ctz (bits);
              for (const char *const *w = list; *w; w++)
                if (match_folded (s + j, n - j, *w))
                  return true;
            }
        }
    }
#endif
  bool starts[256] = { false };
  for (const char *const *w = list; *w; w++)
    starts[(unsigned char) (*w)[0]] = true;
  for (; i < n; i++)
    {
      unsigned char b = s[i];
      if (b >= 'A' && b <= 'Z')
        b += 'a' - 'A';
      if (starts[b])
        for (const char *const *w = list; *w; w++)
          if ((unsigned char) (*w)[0] == b && match_folded (s + i, n - i, *w))
            return true;
    }
  return false;
}

/* ------------------------------------------------------------------ lines */

enum line_flag
{
  LN_BLANK = 1,
  LN_QUOTE = 2,                 /* starts with '>' */
  LN_INDENT = 4,                /* starts with a tab or four spaces */
  LN_GREETING = 8,              /* the salutation line */
  LN_CLOSING = 16,              /* "Viele Grüße", "Best regards" */
};

struct line
{
  uint32_t start, end;          /* end is the '\n' or the end of the text */
  uint32_t lead;                /* first byte that is not a space or tab */
  uint8_t flags;
};

/* How far into a line the phrase tests look: headers and markers are short.  */
#define LINE_LOOK 300

static size_t
line_look (const struct line *l)
{
  size_t n = l->end - l->lead;
  return n < LINE_LOOK ? n : LINE_LOOK;
}

/* The end of the line including its newline.  */
static size_t
line_full_end (const struct line *l, size_t len)
{
  return l->end < len ? l->end + 1 : l->end;
}

/* The end of the line without trailing white space.  */
static size_t
line_trim_end (const char *s, const struct line *l)
{
  size_t e = l->end;
  while (e > l->lead && is_space ((unsigned char) s[e - 1]))
    e--;
  return e;
}

static void
mask_span (uint8_t *mask, size_t a, size_t b, uint8_t bit)
{
  /* Quoted text and signatures mask to the end of the message: eight bytes at a time.  */
  if (HAVE_FAST_PATHS)
    for (; a + 8 <= b; a += 8)
      {
        uint64_t x;
        memcpy (&x, mask + a, 8);
        x |= BYTES_ONES * bit;
        memcpy (mask + a, &x, 8);
      }
  for (; a < b; a++)
    mask[a] |= bit;
}

static int grow (void **p, size_t *cap, size_t need, size_t size);

/* Append the line S[START..END) to *LINES (with *CAP room, *N used); 0, or -1 (ENOMEM). */
static inline int
add_line (const char *s, size_t start, size_t end, struct line **lines, size_t *cap, size_t *n)
{
  if (*n == *cap && grow ((void **) lines, cap, *n + 1, sizeof **lines) < 0)
    return -1;
  struct line *l = &(*lines)[(*n)++];
  size_t lead = start;
  while (lead < end && (s[lead] == ' ' || s[lead] == '\t' || s[lead] == '\r'))
    lead++;
  l->start = start;
  l->end = end;
  l->lead = lead;
  l->flags = 0;
  if (lead == end)
    l->flags |= LN_BLANK;
  else if (s[lead] == '>')
    l->flags |= LN_QUOTE;
  if (lead < end && (s[start] == '\t' || lead - start >= 4))
    l->flags |= LN_INDENT;
  return 0;
}

static int
split_lines (const char *s, size_t len, struct line **out, size_t *nout)
{
  /* One pass: room for lines of 32 bytes on average, more if they are shorter.  */
  size_t cap = 0, n = 0;
  struct line *lines = NULL;
  if (grow ((void **) &lines, &cap, len / 32 + 16, sizeof *lines) < 0)
    return -1;
  size_t start = 0, from = 0;
#if defined __SSE2__
  /* Lines are short: a memchr call per line cost more than the search.  The newlines of
     sixteen bytes at a time, as a mask.  */
  if (HAVE_FAST_PATHS)
    {
      const __m128i newline = _mm_set1_epi8 ('\n');
      for (; from + 16 <= len; from += 16)
        {
          __m128i x = _mm_loadu_si128 ((const __m128i *) (s + from));
          unsigned bits = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (x, newline));
          for (; bits; bits &= bits - 1)
            {
              size_t end = from + (unsigned) __builtin_ctz (bits);
              if (add_line (s, start, end, &lines, &cap, &n) < 0)
                {
                  free (lines);
                  return -1;
                }
              start = end + 1;
            }
        }
    }
#endif
  for (;;)
    {
      const char *nl = memchr (s + from, '\n', len - from);
      size_t end = nl ? (size_t) (nl - s) : len;
      if (add_line (s, start, end, &lines, &cap, &n) < 0)
        {
          free (lines);
          return -1;
        }
      if (!nl)
        break;
      start = from = end + 1;
    }
  *out = lines;
  *nout = n;
  return 0;
}

/* ------------------------------------------------------------------ quote, signature, forward */

static const char *const reply_words[] = {
  "schrieb", "wrote", "schreibt", "writes", "geschrieben", "a écrit", "escribió", "scrisse", NULL
};

/* The words a reply header's date may follow: "Am 1. Mai schrieb", "On Mon, ... wrote".  */
static const char *const date_intros[] = {
  "am", "el", "il", "le", "on", "op", NULL
};

static bool
line_starts_date_intro (const char *s, const struct line *l)
{
  return match_any_word (s + l->lead, line_look (l), date_intros);
}

static bool
line_ends_colon (const char *s, const struct line *l)
{
  size_t e = line_trim_end (s, l);
  return e > l->lead && s[e - 1] == ':';
}

static bool
line_has_reply_word (const char *s, const struct line *l)
{
  return contains_any (s + l->lead, line_look (l), reply_words);
}

/* Mark the reply header that introduces the quote block starting at line Q ("Am ... schrieb ...:",
   possibly wrapped over two lines).  */
static void
mask_reply_header (const char *s, size_t len, struct line *lines, size_t q, uint8_t *mask)
{
  size_t j = q, blanks = 0;
  while (j > 0 && (lines[j - 1].flags & LN_BLANK) && blanks < 2)
    j--, blanks++;
  if (j == 0)
    return;
  j--;
  struct line *h = &lines[j];
  if (h->flags & (LN_BLANK | LN_QUOTE) || h->end - h->lead > 400 || !line_ends_colon (s, h))
    return;
  struct line *above = j > 0 && !(lines[j - 1].flags & (LN_BLANK | LN_QUOTE))
    && lines[j - 1].end - lines[j - 1].lead <= 400 ? &lines[j - 1] : NULL;
  bool here = line_has_reply_word (s, h);
  bool wrapped = above && line_starts_date_intro (s, above)
    && (line_has_reply_word (s, above) || here) && !line_starts_date_intro (s, h);
  if (!here && !wrapped)
    return;
  mask_span (mask, h->start, line_full_end (h, len), TEXT_QUOTED);
  if (wrapped)
    mask_span (mask, above->start, line_full_end (above, len), TEXT_QUOTED);
}

enum header_kind
{
  HDR_FROM = 1,
  HDR_DATE = 2,
  HDR_TO = 4,
  HDR_SUBJECT = 8,
};

/* A set of letters a to z as bits.  */
#define LETTER_BIT(c) (UINT32_C (1) << ((c) - 'a'))

static const struct
{
  const char *name;
  unsigned kind;
} quoted_header_fields[] = {
  { "von", HDR_FROM }, { "from", HDR_FROM }, { "gesendet", HDR_DATE }, { "sent", HDR_DATE },
  { "datum", HDR_DATE }, { "date", HDR_DATE }, { "an", HDR_TO }, { "to", HDR_TO },
  { "cc", HDR_TO }, { "betreff", HDR_SUBJECT }, { "subject", HDR_SUBJECT },
};

/* Whether the N bytes at P start with two ASCII letters (either case) whose pair SET has: bit
   B of SET[A] stands for the letters 'a' + A, 'a' + B.  The tables below hold the first two
   letters of the words a line test looks for, so most lines are passed over here. */
static inline bool
first_two_in (const uint32_t set[26], const char *p, size_t n)
{
  if (n < 2)
    return false;
  unsigned char a = p[0] >= 'A' && p[0] <= 'Z' ? p[0] + ('a' - 'A') : p[0];
  unsigned char b = p[1] >= 'A' && p[1] <= 'Z' ? p[1] + ('a' - 'A') : p[1];
  return a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z' && ((set[a - 'a'] >> (b - 'a')) & 1);
}

/* For each first letter of quoted_header_fields, the second letters of its names (bit I for
   'a' + I): asked for nearly every line, quoted_header_kind passes over most at once.
   test-text-paths checks it against the list.  */
static const uint32_t header_first_two[26] = {
  ['a' - 'a'] = LETTER_BIT ('n'),
  ['b' - 'a'] = LETTER_BIT ('e'),
  ['c' - 'a'] = LETTER_BIT ('c'),
  ['d' - 'a'] = LETTER_BIT ('a'),
  ['f' - 'a'] = LETTER_BIT ('r'),
  ['g' - 'a'] = LETTER_BIT ('e'),
  ['s' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('u'),
  ['t' - 'a'] = LETTER_BIT ('o'),
  ['v' - 'a'] = LETTER_BIT ('o'),
};

/* Which Outlook-style quoted header field the line starts with ("Von:", "Sent:"), if any.  */
static unsigned
quoted_header_kind (const char *s, const struct line *l)
{
  const char *p = s + l->lead;
  size_t n = line_look (l);
  while (n > 0 && *p == '*')
    p++, n--;
  /* (every name has two letters or more, folded by match_folded as here) */
  if (HAVE_FAST_PATHS && n > 0 && !first_two_in (header_first_two, p, n))
    return 0;
  size_t colon = 0, look = n < 12 ? n : 12;
  while (colon < look && p[colon] != ':')
    colon++;
  if (colon == look)
    return 0;
  unsigned char first = *p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p;
  for (size_t i = 0; i < sizeof quoted_header_fields / sizeof quoted_header_fields[0]; i++)
    {
      if ((unsigned char) quoted_header_fields[i].name[0] != first)
        continue;               /* (n > 0 here: a colon was found) */
      size_t m = match_folded (p, n, quoted_header_fields[i].name);
      if (!m)
        continue;
      while (m < n && p[m] == '*')
        m++;
      if (m < n && p[m] == ':')
        return quoted_header_fields[i].kind;
    }
  return 0;
}

/* True if line I begins an Outlook-style header block of a quoted or forwarded message.  */
static bool
starts_quoted_header_block (const char *s, const struct line *lines, size_t nlines, size_t i)
{
  unsigned kind = quoted_header_kind (s, &lines[i]);
  if (!(kind & (HDR_FROM | HDR_DATE)))
    return false;
  /* One-line form, left by HTML conversion: "From: X Sent: Y To: Z Subject: W".  */
  if (kind == HDR_FROM)
    {
      const char *p = s + lines[i].lead;
      size_t n = lines[i].end - lines[i].lead;
      if (n > 2000)
        n = 2000;
      if ((contains_folded (p, n, " sent: ") || contains_folded (p, n, " gesendet: "))
          && (contains_folded (p, n, " to: ") || contains_folded (p, n, " an: ")
              || contains_folded (p, n, " subject: ") || contains_folded (p, n, " betreff: ")))
        return true;
    }
  unsigned seen = kind;
  for (size_t j = i + 1; j < nlines && j < i + 6; j++)
    {
      unsigned k = quoted_header_kind (s, &lines[j]);
      if (!k)
        break;
      seen |= k;
    }
  return (seen & HDR_FROM) && (seen & HDR_DATE) && (seen & (HDR_TO | HDR_SUBJECT));
}

enum marker
{
  MARK_NONE,
  MARK_QUOTED,
  MARK_FORWARD,
};

/* The phrases of the separator lines "-----Original Message-----", "---------- Forwarded
   message ---------", "Begin forwarded message:" and their German forms.  */
static const struct
{
  const char *phrase;
  enum marker marker;
  bool colon_form;              /* also valid as "PHRASE:" without dashes */
} separator_phrases[] = {
  { "original message", MARK_QUOTED, false },
  { "ursprüngliche nachricht", MARK_QUOTED, false },
  { "original-nachricht", MARK_QUOTED, false },
  { "originalnachricht", MARK_QUOTED, false },
  { "forwarded message", MARK_FORWARD, true },
  { "weitergeleitete nachricht", MARK_FORWARD, true },
  { "begin forwarded message", MARK_FORWARD, true },
  { "anfang der weitergeleiteten nachricht", MARK_FORWARD, true },
};

/* Recognise a separator line.  */
static enum marker
separator_marker (const char *s, const struct line *l)
{
  const char *p = s + l->lead;
  size_t n = line_look (l), dashes = 0;
  /* The first bytes a marker line can start with (and NUL, which strchr also found here).  */
  static const bool can_start[256] = {
    [0] = true, ['-'] = true, ['o'] = true, ['O'] = true, ['u'] = true, ['U'] = true, ['f'] = true,
    ['F'] = true, ['w'] = true, ['W'] = true, ['b'] = true, ['B'] = true, ['a'] = true, ['A'] = true
  };
  if (n == 0 || !can_start[(unsigned char) *p])
    return MARK_NONE;
  while (n > 0 && (*p == '-' || *p == ' '))
    dashes += *p == '-', p++, n--;
  if (n == 0)
    return MARK_NONE;
  unsigned char first = *p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p;
  for (size_t i = 0; i < sizeof separator_phrases / sizeof separator_phrases[0]; i++)
    {
      if ((unsigned char) separator_phrases[i].phrase[0] != first)
        continue;               /* the common case, without a call */
      size_t m = match_folded (p, n, separator_phrases[i].phrase);
      if (!m)
        continue;
      size_t k = m;
      while (k < n && p[k] == ' ')
        k++;
      if (dashes >= 2)
        {
          while (k < n && (p[k] == '-' || p[k] == ' '))
            k++;
          if (k == n)
            return separator_phrases[i].marker;
        }
      else if (dashes == 0 && separator_phrases[i].colon_form && k < n && p[k] == ':')
        {
          k++;
          while (k < n && is_space ((unsigned char) p[k]))
            k++;
          if (k == n)
            return separator_phrases[i].marker;
        }
    }
  return MARK_NONE;
}

static bool
is_signature_separator (const char *s, const struct line *l)
{
  size_t n = l->end - l->start;
  const char *p = s + l->start;
  return (n == 2 && p[0] == '-' && p[1] == '-')
    || (n == 3 && p[0] == '-' && p[1] == '-' && p[2] == ' ');
}

/* ------------------------------------------------------------------ disclaimers */

/* True if the line has a letter or digit: a disclaimer starts a paragraph, after a blank or a
   separator line ("_____").  */
static bool
line_has_letter (const char *s, const struct line *l)
{
  for (size_t i = l->lead; i < l->end; i++)
    if (is_ascii_alnum ((unsigned char) s[i]) || (unsigned char) s[i] >= 0xC0)
      return true;
  return false;
}

/* A disclaimer's unmistakable headings, the phrases that may open one, and the keywords that
   make an opening one.  */
static const char *const disclaimer_headings[] = {
  "confidentiality note", "confidentiality notice", "disclaimer", "haftungsausschluss",
  "rechtlicher hinweis", "vertraulichkeitshinweis", NULL
};
static const char *const disclaimer_openings[] = {
  "confidential", "der inhalt dieser", "die in dieser", "die informationen in dieser", "diese",
  "falls sie", "hinweis", "if you", "important", "notice", "sollten sie", "the content",
  "the information", "this", "vertraulich", "wenn sie", "wichtiger hinweis", NULL
};
static const char *const disclaimer_keywords[] = {
  "vertraulich", "confidential", "richtige adressat", "richtigen adressat",
  "beabsichtigte empfänger", "beabsichtigten empfänger", "intended recipient", "irrtümlich",
  "privileged",
  "unbefugte", "unauthori", NULL
};

/* True if line I opens a legal disclaimer: an opening phrase and a confidentiality keyword in this
   line or the next, or an unmistakable heading.  */
static bool
starts_disclaimer (const char *s, const struct line *lines, size_t nlines, size_t i)
{
  const struct line *l = &lines[i];
  const char *p = s + l->lead;
  size_t n = line_look (l);
  /* The first bytes of the headings and openings (and NUL, which strchr also found here).  */
  static const bool can_start[256] = {
    [0] = true, ['*'] = true, ['['] = true, ['_'] = true, ['c'] = true, ['C'] = true, ['d'] = true,
    ['D'] = true, ['h'] = true, ['H'] = true, ['v'] = true, ['V'] = true, ['r'] = true, ['R'] = true,
    ['t'] = true, ['T'] = true, ['s'] = true, ['S'] = true, ['f'] = true, ['F'] = true, ['w'] = true,
    ['W'] = true, ['i'] = true, ['I'] = true, ['n'] = true, ['N'] = true
  };
  if (n < 6 || !can_start[(unsigned char) *p])
    return false;
  while (n > 0 && (*p == '*' || *p == '[' || *p == '_'))
    p++, n--;
  if (match_any_word (p, n, disclaimer_headings))
    return true;
  if (!match_any_word (p, n, disclaimer_openings))
    return false;
  if (contains_any (p, n, disclaimer_keywords))
    return true;
  if (i + 1 < nlines && !(lines[i + 1].flags & LN_BLANK))
    return contains_any (s + lines[i + 1].lead, line_look (&lines[i + 1]), disclaimer_keywords);
  return false;
}

/* ------------------------------------------------------------------ code */

static bool
is_ident_byte (unsigned char b)
{
  return is_ascii_alnum (b) || b == '_';
}

/* The bytes line_has_code_signal's switch looks at.  */
static const bool code_signal_byte[256] = {
  ['{'] = true, ['}'] = true, ['$'] = true, ['='] = true, ['/'] = true, ['-'] = true,
  ['('] = true, [':'] = true, ['&'] = true, ['|'] = true, ['#'] = true,
};

/* The bytes of P[BASE..LAST) that are in code_signal_byte, as bits from bit 0 for P[BASE],
   for at most sixteen bytes.  Most bytes of an indented line are none of them: where SSE2 is
   there, sixteen are compared at once (the last bytes of a line of sixteen or more in one load
   that reaches back).  Without the fast paths every byte's bit is set: the switch in
   line_has_code_signal passes over the others anyway.  */
static inline unsigned
code_signal_bits (const char *p, size_t base, size_t last)
{
  size_t n = last - base < 16 ? last - base : 16;
  if (!HAVE_FAST_PATHS)
    return (1u << n) - 1;
#if defined __SSE2__
  if (last >= 16)
    {
      size_t at = base + 16 <= last ? base : last - 16;
      __m128i x = _mm_loadu_si128 ((const __m128i *) (p + at));
#define EQ(c) _mm_cmpeq_epi8 (x, _mm_set1_epi8 (c))
      __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_or_si128 (EQ ('{'), EQ ('}')),
                                                _mm_or_si128 (EQ ('$'), EQ ('='))),
                                  _mm_or_si128 (_mm_or_si128 (EQ ('/'), EQ ('-')),
                                                _mm_or_si128 (EQ ('('), EQ (':'))));
      hit = _mm_or_si128 (hit, _mm_or_si128 (_mm_or_si128 (EQ ('&'), EQ ('|')), EQ ('#')));
#undef EQ
      return (unsigned) _mm_movemask_epi8 (hit) >> (base - at);
    }
#endif
  unsigned bits = 0;
  for (size_t k = 0; k < n; k++)
    bits |= (unsigned) code_signal_byte[(unsigned char) p[base + k]] << k;
  return bits;
}

/* True if the line P[0..N) holds punctuation that prose hardly uses: braces, a trailing ';', "$(",
   paths, command options, assignments.  Bytes that MASK (parallel to P, or NULL) marks as URL do
   not count.  */
static bool
line_has_code_signal (const char *p, size_t n, const uint8_t *mask)
{
  size_t last = n;
  while (last > 0 && is_space ((unsigned char) p[last - 1]))
    last--;
  if (last == 0)
    return false;
  if ((!mask || !(mask[last - 1] & TEXT_URL))
      && (p[last - 1] == ';' || p[last - 1] == '{' || p[last - 1] == '}' || p[last - 1] == '\\'))
    return true;
  if (n >= 2 && p[0] == '$' && p[1] == ' ')
    return true;
  for (size_t base = 0; base < last; base += 16)
    for (unsigned bits = code_signal_bits (p, base, last); bits; bits &= bits - 1)
      {
        size_t i = base + (unsigned) __builtin_ctz (bits);
        if (mask && (mask[i] & TEXT_URL))
          continue;
        unsigned char b = p[i], nx = i + 1 < last ? p[i + 1] : 0;
        unsigned char pv = i > 0 ? p[i - 1] : ' ';
        switch (b)
          {
          case '{':
          case '}':
            return true;
          case '$':
            if (nx == '(' || nx == '{' || nx == '_' || (nx >= 'A' && nx <= 'Z'))
              return true;
            break;
          case '=':
            if (nx == '=' || is_ident_byte (pv) || pv == '!' || pv == '+' || pv == '<' || pv == '>')
              return true;
            break;
          case '/':
            if ((pv == ' ' || pv == '.' || pv == '~' || i == 0)
                && (is_ascii_alnum (nx) || nx == '.'))
              return true;
            break;
          case '-':
            if (nx == '-' && (pv == ' ' || i == 0) && i + 2 < last && is_ascii_alnum (p[i + 2]))
              return true;
            break;
          case '(':
            if (nx == ')')
              return true;
            break;
          case ':':
            if (nx == ':' && is_ident_byte (pv))
              return true;
            break;
          case '&':
          case '|':
            if (nx == b)
              return true;
            break;
          case '#':
            if (i == 0 && (nx == '!' || match_folded (p + 1, last - 1, "include")))
              return true;
            break;
          default:
            break;
          }
      }
  return false;
}

/* True if the line reads like a sentence: ends in sentence punctuation and has several words.  */
static bool
line_is_prose (const char *p, size_t n)
{
  while (n > 0 && is_space ((unsigned char) p[n - 1]))
    n--;
  if (n == 0)
    return false;
  char e = p[n - 1];
  if (e != '.' && e != '!' && e != '?' && e != ',')
    return false;
  unsigned spaces = 0;
  for (size_t i = 0; i < n; i++)
    spaces += p[i] == ' ';
  return spaces >= 4;
}

/* True if the line is a shell prompt line: "$ cmd ..." or "# cmd ..." with a command-like word.  */
static bool
is_prompt_line (const char *s, const struct line *l)
{
  static const char *const commands[] = {
    "apt", "apt-get", "brew", "cargo", "cat", "cd", "chmod", "chown", "cp", "curl", "dnf",
    "docker", "echo", "export", "find", "gcc", "git", "go", "grep", "kubectl", "ls", "make",
    "mkdir", "mount", "mv", "nano", "node", "npm", "npx", "ping", "pip", "pip3", "python",
    "python3", "rm", "scp", "service", "source", "ssh", "sudo", "systemctl", "tar", "vi", "vim",
    "wget", "yarn", "yum", NULL
  };
  const char *p = s + l->lead;
  size_t n = l->end - l->lead;
  if (n < 3 || (p[0] != '$' && p[0] != '#') || p[1] != ' ')
    return false;
  size_t w = 2;
  if (!((p[w] >= 'a' && p[w] <= 'z') || p[w] == '.'))
    return false;
  while (w < n && (is_ascii_alnum ((unsigned char) p[w]) || p[w] == '-' || p[w] == '_' || p[w] == '.'
                   || p[w] == '/'))
    w++;
  if (w < n && p[w] != ' ')
    return false;
  for (size_t i = 2; i < w; i++)
    if (p[i] >= 'A' && p[i] <= 'Z')
      return false;
  if (p[2] == '.' || match_any_word (p + 2, w - 2, commands))
    return true;
  for (size_t i = w; i + 1 < n; i++)
    if (p[i] == ' ' && p[i + 1] == '-' && i + 2 < n && is_ascii_alnum ((unsigned char) p[i + 2]))
      return true;
  return line_has_code_signal (p + w, n - w, NULL);
}

static bool
is_fence (const char *s, const struct line *l, char *kind)
{
  const char *p = s + l->lead;
  size_t n = l->end - l->lead;
  if (l->lead - l->start > 3 || n < 3)
    return false;
  if ((p[0] == '`' || p[0] == '~') && p[1] == p[0] && p[2] == p[0])
    {
      *kind = p[0];
      return true;
    }
  return false;
}

/* A backtick that sits between two letters is an apostrophe typed in the wrong place ("geht`s").  */
static bool
backtick_is_apostrophe (const char *s, size_t len, size_t i)
{
  return i > 0 && i + 1 < len && is_ascii_alnum ((unsigned char) s[i - 1])
    && is_ascii_alnum ((unsigned char) s[i + 1]);
}

/* The bytes a fence (is_fence) or a shell prompt (is_prompt_line) starts with.  */
static const bool code_line_start[256] = { ['`'] = true, ['~'] = true, ['$'] = true, ['#'] = true };

static void
mask_code (const char *s, size_t len, struct line *lines, size_t nlines, uint8_t *mask)
{
  /* Most messages have no backtick at all: then no line need be searched for code spans.  */
  bool backticks = !HAVE_FAST_PATHS || memchr (s, '`', len);
  bool fence_failed['~' + 1] = { false };
  for (size_t i = 0; i < nlines; i++)
    {
      struct line *l = &lines[i];
      /* A line without backticks that is not indented and starts with none of the bytes a
         fence or a prompt starts with is none of the three: one test for most lines.  (A blank
         line's lead may be the end of the text, where is_fence and is_prompt_line do not look
         either.)  */
      if (HAVE_FAST_PATHS && !backticks && !(l->flags & LN_INDENT)
          && (l->lead == l->end || !code_line_start[(unsigned char) s[l->lead]]))
        continue;
      char kind;
      if (!(l->flags & LN_QUOTE) && is_fence (s, l, &kind))
        {
          size_t j = i + 1;
          if (!fence_failed[(unsigned char) kind])
            for (; j < nlines; j++)
              {
                char k2;
                if (is_fence (s, &lines[j], &k2) && k2 == kind)
                  break;
              }
          else
            j = nlines;
          if (j < nlines)
            {
              mask_span (mask, l->start, line_full_end (&lines[j], len), TEXT_CODE);
              i = j;
              continue;
            }
          /* Unclosed: no later line closes a fence of this kind, so do not search again.  */
          fence_failed[(unsigned char) kind] = true;
          mask_span (mask, l->start, line_full_end (l, len), TEXT_CODE);
          continue;
        }

      if (is_prompt_line (s, l))
        mask_span (mask, l->lead, line_full_end (l, len), TEXT_CODE);

      if ((l->flags & (LN_INDENT | LN_QUOTE)) == LN_INDENT)
        {
          /* A paragraph of indented lines.  */
          size_t j = i, last = i, signals = 0, prose = 0, count = 0;
          for (; j < nlines; j++)
            {
              struct line *m = &lines[j];
              if ((m->flags & (LN_INDENT | LN_QUOTE | LN_BLANK)) != LN_INDENT)
                break;
              last = j;
              count++;
              prose += line_is_prose (s + m->lead, m->end - m->lead);
            }
          /* The code signals, the dearer test, only for a paragraph that is not prose, and only
             until there are enough of them: the lines count is known by now.  (The plain paths
             count them all, for test-text-paths to compare.)  */
          for (j = i; j <= last && (!HAVE_FAST_PATHS || (prose * 2 < count
                                                        && (signals == 0 || signals * 3 < count)));
               j++)
            signals += line_has_code_signal (s + lines[j].lead, lines[j].end - lines[j].lead,
                                             mask + lines[j].lead);
          if (signals > 0 && signals * 3 >= count && prose * 2 < count)
            mask_span (mask, l->start, line_full_end (&lines[last], len), TEXT_CODE);
          i = last;
          continue;
        }

      /* Inline `code spans`, paired on the line.  */
      size_t p = l->lead;
      while (backticks && p < l->end)
        {
          const char *bt = memchr (s + p, '`', l->end - p);
          if (!bt)
            break;
          size_t a = bt - s;
          if (backtick_is_apostrophe (s, len, a))
            {
              p = a + 1;
              continue;
            }
          size_t b = a + 1;
          while (b < l->end && s[b] == '`')
            b++;
          size_t run = b - a, close = 0;
          for (size_t q = b; q < l->end; q++)
            if (s[q] == '`' && !backtick_is_apostrophe (s, len, q))
              {
                size_t r = q;
                while (r < l->end && s[r] == '`')
                  r++;
                if (r - q == run)
                  {
                    close = r;
                    break;
                  }
                q = r - 1;
              }
          if (!close)
            break;
          /* ``TeX quotes'' are no code span.  */
          if (run == 2 && memmem (s + b, close - 2 - b, "''", 2))
            {
              p = b;
              continue;
            }
          mask_span (mask, a, close, TEXT_CODE);
          p = close;
        }
    }
}

/* ------------------------------------------------------------------ URLs, addresses, handles */

static const char *const tlds[] = {
  "com", "net", "org", "de", "at", "ch", "eu", "io", "co", "info", "biz", "app", "dev", "ai", "uk",
  "fr", "nl", "es", "pl", "ru", "tv", "ly", "gg", "xyz", "online", "shop", "site", "tech", "cloud",
  "email", "gmbh", "berlin", "hamburg", "koeln", "cologne", "bayern", "nrw", "ruhr", "se", "dk", "fi",
  "cz", "li", "lu", "edu", "gov", "jp", "cn", "ca", "au", "nz", "agency", "digital", "media", "store",
  "space", "website", "link", "club", "pro", "one", "live", "world", "design", "studio", "solutions",
  "network", "news", "blog", "page", "ag", "sh", "gl", "ms", "fm", "be", NULL
};

static bool
is_tld (const char *p, size_t n)
{
  if (n < 2 || n > 12)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!(p[i] >= 'a' && p[i] <= 'z'))
      return false;
  for (const char *const *t = tlds; *t; t++)
    if (strlen (*t) == n && memcmp (*t, p, n) == 0)
      return true;
  return false;
}

/* Length of an opening quote or bracket at P (bytes left N) that may wrap a URL, else 0.  */
static size_t
wrapper_len (const unsigned char *p, size_t n)
{
  switch (p[0])
    {
    case '(': case '[': case '{': case '<': case '"': case '\'': case '*':
      return 1;
    default:
      break;
    }
  if (n >= 2 && p[0] == 0xC2 && (p[1] == 0xAB || p[1] == 0xBB))
    return 2;
  if (n >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x98 && p[2] <= 0x9E)
    return 3;
  return 0;
}

/* Length of a closing quote, bracket or punctuation that ends at P[N] (before a URL's end).  */
static size_t
trailer_len (const unsigned char *p, size_t n)
{
  unsigned char b = p[n - 1];
  if (b < 0x80)
    switch (b)
      {
      case '.': case ',': case ';': case ':': case '!': case '?': case ')': case ']': case '}':
      case '>': case '"': case '\'': case '*': case '`':
        return 1;
      default:
        return 0;
      }
  if (n >= 2 && p[n - 2] == 0xC2 && (b == 0xAB || b == 0xBB))
    return 2;
  if (n >= 3 && p[n - 3] == 0xE2 && p[n - 2] == 0x80 && b >= 0x98 && b <= 0x9E)
    return 3;
  return 0;
}

static bool
is_handle_byte (unsigned char b)
{
  return is_ident_byte (b) || b == '.' || b == '-' || b >= 0x80;
}

/* Classify the white-space separated chunk S[A..B) and mask what of it is an address.  */
static void
mask_chunk (const char *s, size_t a, size_t b, uint8_t *mask)
{
  const unsigned char *u = (const unsigned char *) s;
  size_t w;
  while (a < b && (w = wrapper_len (u + a, b - a)))
    a += w;
  while (b > a && (w = trailer_len (u + a, b - a)))
    b -= w;
  if (b - a < 3)
    return;
  const char *p = s + a;
  size_t n = b - a;

  /* scheme://... and mailto:  */
  const char *css = NULL;
  if (!HAVE_FAST_PATHS)
    css = n >= 3 ? memmem (p, n, "://", 3) : NULL;
  else
    /* The first "://", found through its colons: memmem's set-up costs more than a chunk.  */
    for (const char *q = p; n >= 3 && (q = memchr (q, ':', p + n - 2 - q)); q++)
      if (q[1] == '/' && q[2] == '/')
        {
          css = q;
          break;
        }
  if (css)
    {
      size_t c = css - p, st = c;
      while (st > 0
             && (is_ascii_alnum ((unsigned char) p[st - 1]) || p[st - 1] == '+' || p[st - 1] == '-'))
        st--;
      if (c - st >= 2 && c + 3 < n)
        {
          mask_span (mask, a + st, b, TEXT_URL);
          return;
        }
    }
  if (match_folded (p, n, "mailto:") || match_folded (p, n, "www."))
    {
      mask_span (mask, a, b, TEXT_URL);
      return;
    }

  const char *at = memchr (p, '@', n);
  if (at == p)
    {
      /* @handle */
      size_t e = 1;
      while (e < n && (is_ident_byte ((unsigned char) p[e]) || p[e] == '.'))
        e++;
      while (e > 1 && p[e - 1] == '.')
        e--;
      if (e > 1)
        mask_span (mask, a, a + e, TEXT_URL);
      return;
    }
  if (at)
    {
      /* name@domain.tld: a dot followed by a letter somewhere after the '@'.  */
      size_t k = at - p;
      for (size_t i = k + 2; i + 1 < n; i++)
        if (p[i] == '.' && ((p[i + 1] | 0x20) >= 'a' && (p[i + 1] | 0x20) <= 'z'))
          {
            mask_span (mask, a, b, TEXT_URL);
            return;
          }
    }

  /* Handle-like words with an inner underscore: gbcc_eu.  */
  bool handle = true, inner_underscore = false;
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = p[i];
      if (!is_handle_byte (c))
        {
          handle = false;
          break;
        }
      if (c == '_' && i > 0 && i + 1 < n && is_ascii_alnum ((unsigned char) p[i - 1])
          && is_ascii_alnum ((unsigned char) p[i + 1]))
        inner_underscore = true;
    }
  if (handle && inner_underscore)
    {
      mask_span (mask, a, b, TEXT_URL);
      return;
    }

  /* Bare domains: label(.label)+.tld, optionally followed by /path.  */
  size_t host = 0;
  while (host < n && p[host] != '/' && p[host] != '?' && p[host] != '#' && p[host] != ':')
    host++;
  size_t lab = 0, dots = 0, last_dot = 0;
  bool letter = false;
  for (size_t i = 0; i < host; i++)
    {
      unsigned char c = p[i];
      if (c == '.')
        {
          if (i == lab)
            return;
          dots++;
          last_dot = i;
          lab = i + 1;
        }
      else if (is_ascii_alnum (c) || c == '-' || c >= 0x80)
        letter |= !(c >= '0' && c <= '9');
      else
        return;
    }
  if (dots == 0 || !letter || last_dot + 1 >= host)
    return;
  if (is_tld (p + last_dot + 1, host - last_dot - 1))
    mask_span (mask, a, b, TEXT_URL);
}

/* The first index from E on, below LEN, where white space (as space_len reads it) starts; LEN
   if there is none.  Chunks can be long (URLs, base64 left in a body): sixteen bytes at a time
   where SSE2 is there, looking only at the bytes that can start white space.  */
static inline size_t
chunk_end (const char *s, size_t e, size_t len)
{
#if defined __SSE2__
  if (HAVE_FAST_PATHS)
    {
      const __m128i above_space = _mm_set1_epi8 (' ' + 1), minus_one = _mm_set1_epi8 (-1);
      const __m128i c2 = _mm_set1_epi8 ((char) 0xC2), e2 = _mm_set1_epi8 ((char) 0xE2);
      const __m128i e3 = _mm_set1_epi8 ((char) 0xE3);
      while (e + 16 <= len)
        {
          __m128i x = _mm_loadu_si128 ((const __m128i *) (s + e));
          /* (signed bytes: ASCII up to ' ' is below ' ' + 1 and above -1) */
          __m128i ascii_low = _mm_and_si128 (_mm_cmplt_epi8 (x, above_space),
                                             _mm_cmpgt_epi8 (x, minus_one));
          __m128i lead = _mm_or_si128 (_mm_cmpeq_epi8 (x, c2),
                                       _mm_or_si128 (_mm_cmpeq_epi8 (x, e2), _mm_cmpeq_epi8 (x, e3)));
          unsigned bits = (unsigned) _mm_movemask_epi8 (_mm_or_si128 (ascii_low, lead));
          if (!bits)
            {
              e += 16;
              continue;
            }
          e += (unsigned) __builtin_ctz (bits);
          if (space_len (s, len, e))
            return e;
          e++;
        }
    }
#endif
  while (e < len && !space_len (s, len, e))
    e++;
  return e;
}

/* The first index from I on, below LEN, that may make its chunk an address for mask_addresses:
   '@', '_', or a dot or colon not followed by white space; it may return a dot or colon that
   is (the caller looks again), but never passes over one that is not.  Most dots and colons
   in prose end a sentence or a clause, and every one of them stopped a plain scan for the
   four bytes: where SSE2 is there, the byte after each is looked at in the same sixteen-byte
   step, and a space, tab or line break there lets the scan go on.  */
static inline size_t
find_address_mark (const char *s, size_t i, size_t len)
{
#if defined __SSE2__
  if (HAVE_FAST_PATHS)
    {
      const __m128i at = _mm_set1_epi8 ('@'), underscore = _mm_set1_epi8 ('_');
      const __m128i dot = _mm_set1_epi8 ('.'), colon = _mm_set1_epi8 (':');
      const __m128i space = _mm_set1_epi8 (' '), newline = _mm_set1_epi8 ('\n');
      const __m128i tab = _mm_set1_epi8 ('\t'), cr = _mm_set1_epi8 ('\r');
      for (; i + 17 <= len; i += 16)
        {
          __m128i x = _mm_loadu_si128 ((const __m128i *) (s + i));
          __m128i next = _mm_loadu_si128 ((const __m128i *) (s + i + 1));
          __m128i stop = _mm_or_si128 (_mm_cmpeq_epi8 (x, dot), _mm_cmpeq_epi8 (x, colon));
          __m128i white = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (next, space),
                                                      _mm_cmpeq_epi8 (next, newline)),
                                        _mm_or_si128 (_mm_cmpeq_epi8 (next, tab),
                                                      _mm_cmpeq_epi8 (next, cr)));
          __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (x, at),
                                                    _mm_cmpeq_epi8 (x, underscore)),
                                      _mm_andnot_si128 (white, stop));
          unsigned bits = (unsigned) _mm_movemask_epi8 (hit);
          if (bits)
            return i + (unsigned) __builtin_ctz (bits);
        }
    }
#endif
  return find_any4 (s, i, len, '.', '@', '_', ':');
}

/* Look only at the white-space separated chunks that hold '@', '_', or a dot or colon inside
   (a dot or colon before white space is punctuation, not an address).  */
static void
mask_addresses (const char *s, size_t len, uint8_t *mask)
{
  size_t i = 0, done = 0;
  while ((i = find_address_mark (s, i, len)) < len)
    {
      unsigned char c = s[i];
      if ((c == '.' || c == ':') && (i + 1 >= len || space_len (s, len, i + 1)))
        {
          i++;
          continue;
        }
      size_t a = i, e = i + 1;
      while (a > done && !space_len_before (s, a))
        a--;
      e = chunk_end (s, e, len);
      mask_chunk (s, a, e, mask);
      i = done = e;
    }
}

/* ------------------------------------------------------------------ direct speech */

enum speech_closer
{
  CLOSE_LOW9,                   /* „ closes with “ or ” */
  CLOSE_RIGHT,                  /* “ ” close with ” or “ */
  CLOSE_GUILLEMET_LEFT,         /* » closes with « */
  CLOSE_GUILLEMET_RIGHT,        /* « closes with » */
  CLOSE_SINGLE,                 /* ‚ closes with ‘ */
  CLOSE_ASCII,                  /* " closes with " */
  CLOSE_KINDS
};

static bool
closes (enum speech_closer k, ucs4_t c)
{
  switch (k)
    {
    case CLOSE_LOW9:
    case CLOSE_RIGHT:
      return c == 0x201C || c == 0x201D;
    case CLOSE_GUILLEMET_LEFT:
      return c == 0xAB;
    case CLOSE_GUILLEMET_RIGHT:
      return c == 0xBB;
    case CLOSE_SINGLE:
      return c == 0x2018;
    case CLOSE_ASCII:
      return c == '"';
    default:
      return false;
    }
}

static void
mask_speech_line (const char *s, const struct line *l, uint8_t *mask)
{
  bool failed[CLOSE_KINDS] = { false };
  size_t p = l->lead, end = l->end;
  /* Every quotation mark is '"' or starts with 0xC2 (« ») or 0xE2 (the others).  */
  while ((p = find_any4 (s, p, end, '"', 0xC2, 0xE2, '"')) < end)
    {
      ucs4_t c;
      int n = next_char (s, end, p, &c);
      int kind = -1;
      bool to_line_end = true;  /* an unbalanced opener ends at the end of the line */
      switch (c)
        {
        case 0x201E:
          kind = CLOSE_LOW9;
          break;
        case 0x201C:
          kind = CLOSE_RIGHT;
          break;
        case 0x201D:
          kind = CLOSE_RIGHT;
          to_line_end = false;  /* a lone ” mostly closes a quote opened on an earlier line */
          break;
        case 0xBB:
          kind = CLOSE_GUILLEMET_LEFT;
          break;
        case 0xAB:
          kind = CLOSE_GUILLEMET_RIGHT;
          break;
        case 0x201A:
          kind = CLOSE_SINGLE;
          to_line_end = false;
          break;
        case '"':
          kind = CLOSE_ASCII;
          to_line_end = false;
          break;
        default:
          break;
        }
      if (kind < 0)
        {
          p += n;
          continue;
        }
      size_t q = p + n, close = 0;
      if (!failed[kind])
        while (q < end)
          {
            ucs4_t d;
            int m = next_char (s, end, q, &d);
            if (closes (kind, d))
              {
                close = q + m;
                break;
              }
            q += m;
          }
      if (close)
        {
          mask_span (mask, p, close, TEXT_SPEECH);
          p = close;
          continue;
        }
      /* Nothing later on this line closes this kind, so do not search again.  */
      failed[kind] = true;
      if (to_line_end)
        {
          mask_span (mask, p, end, TEXT_SPEECH);
          return;
        }
      p += n;
    }
}

/* ------------------------------------------------------------------ greetings and closings */

static const char *const greeting_words[] = {
  "ahoi", "bonjour", "ciao", "dear", "geschätzte", "geschätzter", "good afternoon", "good evening",
  "good morning", "greetings", "grüezi", "grüss dich", "grüss euch", "grüss gott", "grüß dich",
  "grüß euch", "grüß gott", "guten abend", "guten morgen", "guten tag", "halli hallo",
  "hallihallo", "hallo", "hallöchen", "hei", "hello", "hey", "heya", "hi", "hoi", "hola", "howdy",
  "huhu", "liebe", "lieber", "liebes", "moin", "moinsen", "salut", "sehr geehrte", "sehr geehrter",
  "sehr geehrtes", "servus", "tach", "werte", "werter", "yo", NULL
};

/* Closing formulas that may be followed by more on the line ("LG Anna", "Viele Grüße aus Köln").  */
static const char *const closing_words[] = {
  "best regards", "best wishes", "beste grüsse", "beste grüße", "bis bald", "bis dann",
  "bis später", "bussi", "cheers", "ciao", "freundliche grüsse", "freundliche grüße", "glg",
  "gruss", "gruß", "grüsse", "grüße", "herzliche grüsse", "herzliche grüße", "herzlichst",
  "hochachtungsvoll", "kind regards", "lg", "liebe grüsse", "liebe grüße", "lieben gruss",
  "lieben gruß", "mfg", "mit besten grüssen", "mit besten grüßen", "mit freundlichem gruss",
  "mit freundlichem gruß", "mit freundlichen grüssen", "mit freundlichen grüßen",
  "mit herzlichen grüssen", "mit herzlichen grüßen", "regards", "schöne grüsse", "schöne grüße",
  "sincerely", "sonnige grüße", "take care", "tschüs", "tschüss", "vg", "viele grüsse",
  "viele grüße", "warm regards", "warmest regards", "xoxo", "yours sincerely", "yours truly", NULL
};

/* Closings that are only closings when they stand alone ("Danke!", "Best,").  */
static const char *const closing_alone[] = {
  "best", "cu", "danke", "danke schön", "dankeschön", "love", "many thanks", "servus", "thank you",
  "thanks", "vielen dank", "yours", NULL
};

/* The first two letters of the entries of closing_words and closing_alone: bit J of entry I
   for the letters 'a' + I, 'a' + J.  Most lines start otherwise, and is_closing, asked for
   every line, then need not search the lists.  test-text-paths checks it against the lists.  */
static const uint32_t closing_first_two[26] = {
  ['b' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('i') | LETTER_BIT ('u'),
  ['c' - 'a'] = LETTER_BIT ('h') | LETTER_BIT ('i') | LETTER_BIT ('u'),
  ['d' - 'a'] = LETTER_BIT ('a'),
  ['f' - 'a'] = LETTER_BIT ('r'),
  ['g' - 'a'] = LETTER_BIT ('l') | LETTER_BIT ('r'),
  ['h' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('o'),
  ['k' - 'a'] = LETTER_BIT ('i'),
  ['l' - 'a'] = LETTER_BIT ('g') | LETTER_BIT ('i') | LETTER_BIT ('o'),
  ['m' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('f') | LETTER_BIT ('i'),
  ['r' - 'a'] = LETTER_BIT ('e'),
  ['s' - 'a'] = LETTER_BIT ('c') | LETTER_BIT ('e') | LETTER_BIT ('i') | LETTER_BIT ('o'),
  ['t' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('h') | LETTER_BIT ('s'),
  ['v' - 'a'] = LETTER_BIT ('g') | LETTER_BIT ('i'),
  ['w' - 'a'] = LETTER_BIT ('a'),
  ['x' - 'a'] = LETTER_BIT ('o'),
  ['y' - 'a'] = LETTER_BIT ('o'),
};

/* True if only punctuation, white space or symbols follow S[I] up to N.  */
static bool
rest_is_punct (const char *s, size_t n, size_t i)
{
  while (i < n)
    {
      ucs4_t c;
      int m = next_char (s, n, i, &c);
      if (char_class (c) & CH_WORD)
        return false;
      i += m;
    }
  return true;
}

/* True if P[0..N), a line or a sentence without surrounding space, is a closing formula.  */
static bool
is_closing (const char *p, size_t n)
{
  if (n == 0 || n > 48 || p[n - 1] == '?')
    return false;
  /* (every entry has two ASCII letters first, which match_folded folds as here) */
  if (HAVE_FAST_PATHS && !first_two_in (closing_first_two, p, n))
    return false;
  unsigned char first = p[0] >= 'A' && p[0] <= 'Z' ? p[0] + ('a' - 'A') : p[0];
  if (match_any_word (p, n, closing_words))
    return true;
  for (const char *const *w = closing_alone; *w; w++)
    {
      if ((unsigned char) (*w)[0] != first)
        continue;
      size_t m = match_word (p, n, *w);
      if (m && rest_is_punct (p, n, m))
        return true;
    }
  return false;
}

static size_t chunk_before (const char *s, size_t e, char *buf);
static bool is_abbreviation (const char *buf, size_t n);

/* True if P[0..N), a line or (if SENTENCE) a sentence without surrounding space, is a
   salutation.  A line that ends in '.' is more than a salutation; a sentence may ("Hallo.").  */
static bool
is_greeting (const char *p, size_t n, bool sentence)
{
  if (n == 0 || n > 80)
    return false;
  if (p[n - 1] == '?' || (p[n - 1] == '.' && !sentence))
    return false;
  if (!match_any_word (p, n, greeting_words))
    return false;
  /* At most 60 characters.  Counted last, for the few lines that start with a greeting, and
     only for more than 60 bytes: a character takes one byte or more.  */
  if ((!HAVE_FAST_PATHS || n > 60) && u8_mbsnlen ((const uint8_t *) p, n) > 60)
    return false;
  /* "Hey Max, hast du Zeit?" and "Hallo! Wie geht's" are a greeting and a sentence, and so is
     "Hallo Anna, wie geht's dir" (a comma, then no second greeting).  */
  unsigned words = 0;
  bool in_word = false;
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = p[i];
      if ((c == '.' || c == '!' || c == '?') && i + 1 < n && p[i + 1] == ' ')
        {
          /* "Sehr geehrter Herr Dr. Meier," is still a salutation.  */
          char buf[24];
          size_t k = c == '.' ? chunk_before (p, i, buf) : 0;
          if (!k || !is_abbreviation (buf, k))
            return false;
        }
      if (c == ',' && i + 1 < n)
        {
          size_t k = i + 1;
          while (k < n && p[k] == ' ')
            k++;
          if (k < n && !match_any_word (p + k, n - k, greeting_words))
            return false;
        }
      bool letter = is_ascii_alnum (c) || c >= 0x80;
      words += letter && !in_word;
      in_word = letter;
    }
  return words <= 6;
}

/* ------------------------------------------------------------------ masks */

#define MASK_BLOCK (TEXT_QUOTED | TEXT_SIGNATURE | TEXT_FORWARD | TEXT_DISCLAIMER)

/* The first two letters of the phrases each line test of compute_masks looks for at a line's
   start (bit J of entry I for 'a' + I, 'a' + J), and of all of them together: a line that
   starts with two ASCII letters is asked only the tests whose phrases can start so, and most
   lines of prose are passed over after one look instead of four tests that each mispredict a
   branch now and then.  test-text-paths checks them against the lists.  */

/* separator_phrases */
static const uint32_t separator_first_two[26] = {
  ['a' - 'a'] = LETTER_BIT ('n'),
  ['b' - 'a'] = LETTER_BIT ('e'),
  ['f' - 'a'] = LETTER_BIT ('o'),
  ['o' - 'a'] = LETTER_BIT ('r'),
  ['u' - 'a'] = LETTER_BIT ('r'),
  ['w' - 'a'] = LETTER_BIT ('e'),
};

/* date_intros */
static const uint32_t date_intro_first_two[26] = {
  ['a' - 'a'] = LETTER_BIT ('m'),
  ['e' - 'a'] = LETTER_BIT ('l'),
  ['i' - 'a'] = LETTER_BIT ('l'),
  ['l' - 'a'] = LETTER_BIT ('e'),
  ['o' - 'a'] = LETTER_BIT ('n') | LETTER_BIT ('p'),
};

/* disclaimer_headings and disclaimer_openings */
static const uint32_t disclaimer_first_two[26] = {
  ['c' - 'a'] = LETTER_BIT ('o'),
  ['d' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('i'),
  ['f' - 'a'] = LETTER_BIT ('a'),
  ['h' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('i'),
  ['i' - 'a'] = LETTER_BIT ('f') | LETTER_BIT ('m'),
  ['n' - 'a'] = LETTER_BIT ('o'),
  ['r' - 'a'] = LETTER_BIT ('e'),
  ['s' - 'a'] = LETTER_BIT ('o'),
  ['t' - 'a'] = LETTER_BIT ('h'),
  ['v' - 'a'] = LETTER_BIT ('e'),
  ['w' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('i'),
};

/* all four, with header_first_two (quoted_header_fields) */
static const uint32_t line_test_first_two[26] = {
  ['a' - 'a'] = LETTER_BIT ('m') | LETTER_BIT ('n'),
  ['b' - 'a'] = LETTER_BIT ('e'),
  ['c' - 'a'] = LETTER_BIT ('c') | LETTER_BIT ('o'),
  ['d' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('e') | LETTER_BIT ('i'),
  ['e' - 'a'] = LETTER_BIT ('l'),
  ['f' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('o') | LETTER_BIT ('r'),
  ['g' - 'a'] = LETTER_BIT ('e'),
  ['h' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('i'),
  ['i' - 'a'] = LETTER_BIT ('f') | LETTER_BIT ('l') | LETTER_BIT ('m'),
  ['l' - 'a'] = LETTER_BIT ('e'),
  ['n' - 'a'] = LETTER_BIT ('o'),
  ['o' - 'a'] = LETTER_BIT ('n') | LETTER_BIT ('p') | LETTER_BIT ('r'),
  ['r' - 'a'] = LETTER_BIT ('e'),
  ['s' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('o') | LETTER_BIT ('u'),
  ['t' - 'a'] = LETTER_BIT ('h') | LETTER_BIT ('o'),
  ['u' - 'a'] = LETTER_BIT ('r'),
  ['v' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('o'),
  ['w' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('i'),
};

/* If line L starts with two ASCII letters 'a' + *A and 'a' + Y, the bit of Y (their pair is
   bit Y of a table's entry *A); else all bits, as every test applies, and *A is 0.  */
static inline uint32_t
line_first_two (const char *s, const struct line *l, unsigned *a)
{
  const char *p = s + l->lead;
  *a = 0;
  if (l->end - l->lead < 2)
    return UINT32_MAX;
  /* (| 0x20 folds ASCII capitals and takes no other byte to a small letter) */
  unsigned x = ((unsigned char) p[0] | 0x20) - 'a', y = ((unsigned char) p[1] | 0x20) - 'a';
  if (x >= 26 || y >= 26)
    return UINT32_MAX;
  *a = x;
  return UINT32_C (1) << y;
}

static void
compute_masks (const char *s, size_t len, struct line *lines, size_t nlines, uint8_t *mask)
{
  size_t quoted_from = len, signature_from = len, forward_from = len;

  for (size_t i = 0; i < nlines; i++)
    {
      struct line *l = &lines[i];
      if (l->flags & LN_QUOTE)
        {
          mask_span (mask, l->start, line_full_end (l, len), TEXT_QUOTED);
          bool continues = i > 0 && (lines[i - 1].flags & LN_QUOTE);
          if (!continues)
            mask_reply_header (s, len, lines, i, mask);
          continue;
        }
      if (l->flags & LN_BLANK)
        continue;
      if (signature_from == len && is_signature_separator (s, l))
        signature_from = l->start;
      if (l->start >= quoted_from && l->start >= forward_from)
        continue;
      /* (BIT & table[A] is BIT's pair in the table, or every table's whole entry for lines
         that do not start with two letters: all tests apply) */
      unsigned a = 0;
      uint32_t bit = HAVE_FAST_PATHS ? line_first_two (s, l, &a) : UINT32_MAX;
#define PAIR_IN(table) (bit == UINT32_MAX || (bit & (table)[a]))
      if (!PAIR_IN (line_test_first_two))
        continue;
      enum marker m = PAIR_IN (separator_first_two) ? separator_marker (s, l) : MARK_NONE;
      if (m == MARK_QUOTED && l->start < quoted_from)
        quoted_from = l->start;
      else if (m == MARK_FORWARD && l->start < forward_from)
        forward_from = l->start;
      else if (l->start < quoted_from && PAIR_IN (header_first_two)
               && starts_quoted_header_block (s, lines, nlines, i))
        quoted_from = l->start;
      /* (the cheap tests first: most lines do not end in a colon) */
      else if (PAIR_IN (date_intro_first_two) && l->end - l->lead <= 400 && line_ends_colon (s, l)
               && line_starts_date_intro (s, l) && line_has_reply_word (s, l))
        {
          /* A reply header with no '>' lines under it: the quoted message follows unmarked.  */
          size_t j = i + 1;
          while (j < nlines && (lines[j].flags & LN_BLANK))
            j++;
          if (j < nlines && !(lines[j].flags & LN_QUOTE) && l->start < quoted_from)
            quoted_from = l->start;
        }
      else if (PAIR_IN (disclaimer_first_two) && (i == 0 || !line_has_letter (s, &lines[i - 1]))
               && starts_disclaimer (s, lines, nlines, i))
        {
          size_t j = i;
          while (j + 1 < nlines && !(lines[j + 1].flags & LN_BLANK))
            j++;
          mask_span (mask, l->start, line_full_end (&lines[j], len), TEXT_DISCLAIMER);
          i = j;
        }
    }
#undef PAIR_IN
  mask_span (mask, quoted_from, len, TEXT_QUOTED);
  mask_span (mask, signature_from, len, TEXT_SIGNATURE);
  mask_span (mask, forward_from, len, TEXT_FORWARD);

  /* Addresses first: a URL's '=' and '/' are no evidence of code.  */
  mask_addresses (s, len, mask);
  mask_code (s, len, lines, nlines, mask);
  /* Direct speech, on the lines that hold a quotation mark ('"', or a character that starts
     with 0xC2 or 0xE2, see mask_speech_line): one scan of the text finds them, instead of one
     call per line.  */
  for (size_t p = 0, li = 0;
       HAVE_FAST_PATHS ? (p = find_any4 (s, p, len, '"', 0xC2, 0xE2, '"')) < len : li < nlines;)
    {
      while (HAVE_FAST_PATHS && lines[li].end < p)
        li++;
      if (!(lines[li].flags & (LN_BLANK | LN_QUOTE)))
        mask_speech_line (s, &lines[li], mask);
      p = lines[li].end + 1;
      li++;
    }

  /* The salutation is the first line of the sender's own text; closings may stand anywhere.  */
  bool greeting_seen = false;
  for (size_t i = 0; i < nlines; i++)
    {
      struct line *l = &lines[i];
      if ((l->flags & (LN_BLANK | LN_QUOTE)) || (mask[l->lead] & (MASK_BLOCK | TEXT_CODE)))
        continue;
      /* (is_closing's own first test, on the untrimmed line: two letters are two letters
         either way, and the trailing white space need not be found) */
      if (HAVE_FAST_PATHS && greeting_seen
          && !first_two_in (closing_first_two, s + l->lead, l->end - l->lead))
        continue;
      size_t n = line_trim_end (s, l) - l->lead;
      if (!greeting_seen)
        {
          greeting_seen = true;
          if (is_greeting (s + l->lead, n, false))
            {
              l->flags |= LN_GREETING;
              continue;
            }
        }
      if (is_closing (s + l->lead, n))
        l->flags |= LN_CLOSING;
    }
}

/* ------------------------------------------------------------------ words */

static const char *const abbreviations[] = {
  "a.d", "a.m", "abs", "abt", "al", "allg", "anm", "approx", "apr", "aug", "bd", "beispielsw",
  "bez", "bsp", "bspw", "bzgl", "bzw", "ca", "cf", "d.h", "d.j", "dec", "dent", "dept", "dez",
  "di", "dipl", "dipl.-inf", "dipl.-ing", "dipl.-kfm", "dipl.-wirt", "dr", "e.g", "ebd", "ehem",
  "etc", "evtl", "exkl", "fax", "feb", "ff", "fig", "fr", "frl", "geb", "gegr", "gem", "gez",
  "ggf", "ggfls", "ggfs", "ggü", "hl", "hr", "hrsg", "i.a", "i.d.r", "i.e", "i.v", "ing", "inh",
  "inkl", "insb", "jan", "jew", "jh", "jhd", "jr", "jul", "jun", "jur", "kap", "kath", "kfm",
  "lfd", "lt", "m.e", "m.w.n", "max", "med", "mi", "min", "mind", "mio", "mo", "mo.-fr", "mr",
  "mrd", "mrs", "ms", "mtl", "mär", "n.chr", "nachm", "nat", "nov", "nr", "o.g", "o.ä", "oct",
  "od", "okt", "orig", "p.m", "phil", "pkt", "pp", "ppa", "prof", "rd", "rer", "resp", "s.o",
  "s.u", "sa", "sek", "sep", "sept", "sog", "sr", "st", "std", "str", "tel", "tsd", "tägl", "u.a",
  "u.s", "u.s.w", "u.u", "u.v.m", "u.ä", "ugs", "usf", "usw", "v.a", "v.chr", "verh", "verw",
  "vet", "vgl", "vllt", "vol", "vorm", "vs", "z.b", "z.hd", "z.t", "z.zt", "zb", "zit", "zt",
  "zust", "zz", "zzgl", "zzt"
};

static const char *const months[] = {
  "apr", "april", "aug", "august", "dec", "december", "dez", "dezember", "feb", "feber", "februar",
  "february", "jan", "januar", "january", "jul", "juli", "july", "jun", "june", "juni", "jänner",
  "mai", "march", "may", "mär", "märz", "nov", "november", "oct", "october", "okt", "oktober",
  "sep", "sept", "september"
};

/* English words whose "'s" is "is" or "us" and stays attached ("it's", "let's").
   This list and the two above are sorted by bytes, for a binary search.  */
static const char *const english_s_bases[] = {
  "everybody", "everyone", "everything", "he", "here", "how", "it", "let", "nobody", "nothing",
  "one", "she", "somebody", "someone", "something", "that", "there", "this", "what", "when",
  "where", "who", "why"
};

/* strcmp, inlined: the lists hold short words, and a call through bsearch's function pointer
   per comparison cost more than the comparison.  */
/* For each first letter of abbreviations, the second bytes its entries have: LETTER_BIT for a
   letter, ABBREV_DOT for '.', ABBREV_HIGH for a byte above ASCII ("mär", "tägl").  Most words
   before a full stop pass without a search.  test-text-paths checks it against the list.  */
enum { ABBREV_DOT = UINT32_C (1) << 26, ABBREV_HIGH = UINT32_C (1) << 27 };
static const uint32_t abbreviation_first_two[26] = {
  ['a' - 'a'] = LETTER_BIT ('b') | LETTER_BIT ('l') | LETTER_BIT ('n') | LETTER_BIT ('p')
    | LETTER_BIT ('u') | ABBREV_DOT,
  ['b' - 'a'] = LETTER_BIT ('d') | LETTER_BIT ('e') | LETTER_BIT ('s') | LETTER_BIT ('z'),
  ['c' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('f'),
  ['d' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('i') | LETTER_BIT ('r') | ABBREV_DOT,
  ['e' - 'a'] = LETTER_BIT ('b') | LETTER_BIT ('h') | LETTER_BIT ('t') | LETTER_BIT ('v')
    | LETTER_BIT ('x') | ABBREV_DOT,
  ['f' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('e') | LETTER_BIT ('f') | LETTER_BIT ('i')
    | LETTER_BIT ('r'),
  ['g' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('g'),
  ['h' - 'a'] = LETTER_BIT ('l') | LETTER_BIT ('r'),
  ['i' - 'a'] = LETTER_BIT ('n') | ABBREV_DOT,
  ['j' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('e') | LETTER_BIT ('h') | LETTER_BIT ('r')
    | LETTER_BIT ('u'),
  ['k' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('f'),
  ['l' - 'a'] = LETTER_BIT ('f') | LETTER_BIT ('t'),
  ['m' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('e') | LETTER_BIT ('i') | LETTER_BIT ('o')
    | LETTER_BIT ('r') | LETTER_BIT ('s') | LETTER_BIT ('t') | ABBREV_DOT | ABBREV_HIGH,
  ['n' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('o') | LETTER_BIT ('r') | ABBREV_DOT,
  ['o' - 'a'] = LETTER_BIT ('c') | LETTER_BIT ('d') | LETTER_BIT ('k') | LETTER_BIT ('r')
    | ABBREV_DOT,
  ['p' - 'a'] = LETTER_BIT ('h') | LETTER_BIT ('k') | LETTER_BIT ('p') | LETTER_BIT ('r')
    | ABBREV_DOT,
  ['r' - 'a'] = LETTER_BIT ('d') | LETTER_BIT ('e'),
  ['s' - 'a'] = LETTER_BIT ('a') | LETTER_BIT ('e') | LETTER_BIT ('o') | LETTER_BIT ('r')
    | LETTER_BIT ('t') | ABBREV_DOT,
  ['t' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('s') | ABBREV_HIGH,
  ['u' - 'a'] = LETTER_BIT ('g') | LETTER_BIT ('s') | ABBREV_DOT,
  ['v' - 'a'] = LETTER_BIT ('e') | LETTER_BIT ('g') | LETTER_BIT ('l') | LETTER_BIT ('o')
    | LETTER_BIT ('s') | ABBREV_DOT,
  ['z' - 'a'] = LETTER_BIT ('b') | LETTER_BIT ('i') | LETTER_BIT ('t') | LETTER_BIT ('u')
    | LETTER_BIT ('z') | ABBREV_DOT,
};

/* False if the lower-cased chunk BUF of N bytes is surely not in abbreviations.  */
static bool
may_be_abbreviation (const char *buf, size_t n)
{
  if (!HAVE_FAST_PATHS)
    return true;
  if (n < 2 || (unsigned char) (buf[0] - 'a') >= 26)
    return false;               /* every entry has two bytes or more and starts with a letter */
  unsigned char c = buf[1];
  uint32_t bit = (unsigned char) (c - 'a') < 26 ? LETTER_BIT (c)
    : c == '.' ? ABBREV_DOT : c >= 0x80 ? ABBREV_HIGH : 0;
  return (abbreviation_first_two[buf[0] - 'a'] & bit) != 0;
}

static inline int
compare_words (const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return (unsigned char) *a - (unsigned char) *b;
}

/* True if the NUL-terminated word W is in LIST, an array of COUNT strings sorted by bytes.  */
static bool
in_sorted (const char *w, const char *const *list, size_t count)
{
  size_t lo = 0, hi = count;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = compare_words (w, list[mid]);
      if (c == 0)
        return true;
      if (c < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return false;
}

#define IN_LIST(w, list) in_sorted ((w), (list), sizeof (list) / sizeof (list)[0])

/* Length of an apostrophe at S[I] that may join two parts of a word, else 0.  */
static size_t
apostrophe_len (const char *s, size_t len, size_t i)
{
  unsigned char b = s[i];
  if (b == '\'' || b == '`')
    return 1;
  if (b == 0xE2 && i + 2 < len && (unsigned char) s[i + 1] == 0x80 && (unsigned char) s[i + 2] == 0x99)
    return 3;                   /* ’ */
  if (b == 0xC2 && i + 1 < len && (unsigned char) s[i + 1] == 0xB4)
    return 2;                   /* ´ */
  return 0;
}

struct builder
{
  struct text *t;
  size_t tok_cap, sent_cap, lower_cap, lower_len;
};

/* Make room for NEED elements of SIZE bytes in *P, doubling.  */
static int
grow (void **p, size_t *cap, size_t need, size_t size)
{
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap : 16;
  while (n < need)
    {
      if (n > SIZE_MAX / 2 / size)
        {
          errno = ENOMEM;
          return -1;
        }
      n *= 2;
    }
  void *q = realloc (*p, n * size);
  if (!q)
    return -1;
  *p = q;
  *cap = n;
  return 0;
}

/* Append the lower-cased form of S[0..N) to the lower buffer; return its offset or -1.
   (ASCII words are lower-cased by the caller while it scans them.)  */
static int64_t
store_lower (struct builder *b, const char *s, size_t n)
{
  struct text *t = b->t;
  /* Full lower-casing grows a word by at most half (İ to i + U+0307).  */
  if (b->lower_len + 2 * n + 1 > b->lower_cap
      && grow ((void **) &t->lower, &b->lower_cap, b->lower_len + 2 * n + 1, 1) < 0)
    return -1;
  size_t off = b->lower_len;
  char *dst = t->lower + off;
  size_t room = b->lower_cap - off - 1;
  uint8_t *r = u8_tolower ((const uint8_t *) s, n, NULL, NULL, (uint8_t *) dst, &room);
  if (!r)
    return -1;
  if (r != (uint8_t *) dst)
    {
      /* Did not fit after all: make room and copy.  */
      if (grow ((void **) &t->lower, &b->lower_cap, off + room + 1, 1) < 0)
        {
          free (r);
          return -1;
        }
      memcpy (t->lower + off, r, room);
      free (r);
      dst = t->lower + off;
    }
  dst[room] = '\0';
  b->lower_len += room + 1;
  if (off > UINT32_MAX)
    {
      errno = EOVERFLOW;
      return -1;
    }
  return off;
}

/* What lies between two words.  */
struct gap
{
  uint8_t punct_before;
  bool initial;                 /* the last mark before the word opens a clause */
  unsigned newlines;
  bool blank_line;
  bool line_punctuated;         /* the line before the first newline ends in punctuation */
  size_t line_end;              /* just after the last non-space before the first newline */
  size_t term_start, term_end;  /* a terminator run followed by white space, if term_end */
  bool term_question, term_exclaim, term_ellipsis;
  bool term_quoted;             /* a closing quotation mark follows the terminator */
  unsigned term_dots;
  size_t soft_end;              /* after an emoji or smiley that ends the gap's first line, or 0 */
  bool bullet;                  /* the word's line starts with a bullet */
  bool word_starts_line;        /* only white space lies between the last newline and the word */
};

static bool
is_terminator (ucs4_t c)
{
  return c == '.' || c == '!' || c == '?' || c == 0x2026;
}

static bool
is_closer_mark (ucs4_t c)
{
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0xBB || c == 0xAB || c == 0x201C
    || c == 0x201D || c == 0x2018 || c == 0x2019 || c == 0x203A;
}

/* Emoji and pictographs (roughly Extended_Pictographic, which libunistring 1.0 lacks).  */
static bool
is_emoji (ucs4_t c)
{
  return (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || (c >= 0x1F000 && c <= 0x1F2FF)
    || (c >= 0x2B00 && c <= 0x2BFF);
}

static bool
is_bullet (ucs4_t c)
{
  return c == '-' || c == '*' || c == '+' || c == 0x2022 || c == 0xB7 || c == 0x25AA || c == 0x25BA
    || c == 0x27A2 || c == 0x2713 || c == 0x2714 || c == 0x2192 || c == 0x25CB || c == 0x25E6
    || c == 0x2013 || c == 0x2014 || c == 0x25CF || c == 0x25A0;
}

static bool
is_opener_mark (ucs4_t c)
{
  return c == 0x201E || c == 0x201C || c == '"' || c == 0xBB || c == 0xAB || c == 0x201A || c == 0x2018
    || c == '\'' || c == '(' || c == '[' || c == '{' || c == '<' || c == '`' || c == 0x201D
    || c == 0x2039
    || c == 0x203A;
}

/* The end of the white gap in S[FROM, TO): ASCII white space, and '>' once a line break has
   been seen (quote marks at a line start count as indentation).  The line breaks it holds are
   added to *NEWLINES, which the callers start at 0. */
static inline size_t
skip_white_gap (const char *s, size_t from, size_t to, unsigned *newlines)
{
  unsigned nl = *newlines;
  size_t p = from;
  for (; p < to; p++)
    {
      unsigned char b = s[p];
      if (b == '\n')
        nl++;
      else if (!is_space (b) && !(b == '>' && nl))
        break;
    }
  *newlines = nl;
  return p;
}

static void
scan_gap (const char *s, size_t len, size_t g0, size_t g1, struct gap *g)
{
  memset (g, 0, sizeof *g);
  /* One ASCII mark glued between two words ("www.example", "a=b", "und/oder"), common in
     addresses and markup: the loop below would find just this, no line break, no terminator
     before white space, no bullet.  */
  if (g1 == g0 + 1 && g0 > 0 && (unsigned char) s[g0] < 0x80 && s[g0] != '\n'
      && !is_space ((unsigned char) s[g0]))
    {
      unsigned char b = s[g0];
      g->line_end = g1;
      g->line_punctuated = true;
      g->punct_before = b;
      if (b == ':')
        g->initial = !(s[g0 - 1] >= '0' && s[g0 - 1] <= '9');    /* not the minutes of "10:15" */
      else if (b != '-' && b != '*' && b != '+')
        g->initial = is_opener_mark (b);
      return;
    }
  /* The end of most sentences: a terminator glued to the word before, then ASCII white space,
     where '>' after a line break counts as indentation ("Ende. Dann", "Ende.\n> Dann").  What
     the loop below would find, found directly: one terminator run of one mark, the word
     starts its line after a newline, and a second newline makes a blank line.  */
  if (HAVE_FAST_PATHS && g0 > 0 && g1 - g0 >= 2
      && (s[g0] == '.' || s[g0] == '?' || s[g0] == '!') && is_space ((unsigned char) s[g0 + 1]))
    {
      unsigned newlines = 0;
      if (skip_white_gap (s, g0 + 1, g1, &newlines) == g1)
        {
          unsigned char c = s[g0];
          g->punct_before = c;
          g->newlines = newlines;
          g->blank_line = newlines >= 2;
          g->line_punctuated = true;
          g->line_end = g0 + 1;
          g->term_start = g0;
          g->term_end = g0 + 1;
          g->term_question = c == '?';
          g->term_exclaim = c == '!';
          g->term_dots = c == '.';
          g->word_starts_line = newlines > 0;
          return;
        }
    }
  g->line_end = g0;
  bool at_line_start = g0 == 0, seen_space = g0 == 0, nonspace_since_nl = false;
  bool have_last = false, last_space_before = false, last_line_start = false;
  ucs4_t last = 0;
  size_t last_pos = 0, last_len = 0;
  size_t p = g0;
  while (p < g1)
    {
      unsigned char b = s[p];
      if (b == '\n')
        {
          if (g->newlines && !nonspace_since_nl)
            g->blank_line = true;
          g->newlines++;
          nonspace_since_nl = false;
          at_line_start = true;
          seen_space = true;
          g->bullet = false;
          p++;
          continue;
        }
      /* Quote marks at the start of a line are read like indentation, so quoted text has
         line starts too.  */
      int sl = space_len (s, g1, p);
      if (sl || (b == '>' && at_line_start && g->newlines))
        {
          seen_space = true;
          p += sl ? sl : 1;
          continue;
        }
      ucs4_t c;
      int n = next_char (s, len, p, &c);
      if (g->newlines == 0)
        {
          g->line_end = p + n;
          g->line_punctuated = c < 0x2190 || (c >= 0x2000 && c <= 0x206F);
        }
      if (at_line_start && is_bullet (c) && p + n < g1 && space_len (s, g1, p + n))
        g->bullet = true;
      if (is_terminator (c) && (!g->term_end || g->newlines == 0))
        {
          size_t q = p;
          bool question = false, exclaim = false, ellipsis = false;
          unsigned dots = 0;
          ucs4_t d;
          int m;
          while (q < g1 && (m = next_char (s, len, q, &d), is_terminator (d)))
            {
              question |= d == '?';
              exclaim |= d == '!';
              ellipsis |= d == 0x2026;
              dots += d == '.';
              q += m;
            }
          bool quoted = false;
          while (q < g1 && (m = next_char (s, len, q, &d), is_closer_mark (d)))
            {
              quoted |= d != ')' && d != ']';
              q += m;
            }
          if (q < g1 && space_len (s, g1, q) && !g->term_end)
            {
              g->term_start = p;
              g->term_end = q;
              g->term_question = question;
              g->term_exclaim = exclaim;
              g->term_ellipsis = ellipsis;
              g->term_quoted = quoted;
              g->term_dots = dots;
            }
        }
      have_last = true;
      last = c;
      last_pos = p;
      last_len = n;
      last_space_before = seen_space;
      last_line_start = at_line_start;
      at_line_start = false;
      seen_space = false;
      nonspace_since_nl = true;
      p += n;
    }
  g->word_starts_line = g->newlines > 0 && !nonspace_since_nl;
  if (g0 == 0 && !have_last)
    g->word_starts_line = true;

  if (!have_last)
    {
      g->punct_before = g->newlines ? '\n' : 0;
      return;
    }
  g->punct_before = last < 0x80 ? (uint8_t) last : 0;
  bool glued = last_pos + last_len == g1;
  bool space_after = !glued;
  /* Chat ends sentences with emoji and smileys instead of full stops ("Super 😊 Hast du Zeit?").  */
  if (space_after && g->newlines == 0
      && (is_emoji (last)
          || (last == ')' && last_pos >= 1
              && (s[last_pos - 1] == ':' || s[last_pos - 1] == ';'
                  || (s[last_pos - 1] == '-' && last_pos >= 2
                      && (s[last_pos - 2] == ':' || s[last_pos - 2] == ';'))))))
    g->soft_end = last_pos + last_len;
  switch (last)
    {
    case ':':
      /* Not the minutes of "10:15".  */
      g->initial = !(glued && last_pos > 0 && s[last_pos - 1] >= '0' && s[last_pos - 1] <= '9');
      break;
    case 0x2013:
    case 0x2014:
      g->initial = last_space_before || space_after;
      break;
    case '-':
      g->initial = (last_space_before || last_line_start) && space_after;
      break;
    case '*':
    case '+':
      g->initial = last_line_start && space_after;
      break;
    case 0x2022: case 0xB7: case 0x25AA: case 0x25BA: case 0x27A2: case 0x2713: case 0x2714:
    case 0x2192: case 0x25CB: case 0x25E6: case 0x25CF: case 0x25A0:
      g->initial = true;
      break;
    default:
      g->initial = glued && is_opener_mark (last);
      break;
    }
}

/* Lower-case ASCII copy of the chunk of non-space bytes that ends at S[E], without leading
   brackets or quotes, into BUF (size 24); return its length, or 0 if it is too long.  */
static size_t
chunk_before (const char *s, size_t e, char *buf)
{
  size_t a = e;
  while (a > 0 && !space_len_before (s, a) && e - a < 24)
    a--;
  if (a > 0 && !space_len_before (s, a))
    return 0;
  size_t w;
  while (a < e && (w = wrapper_len ((const unsigned char *) s + a, e - a)))
    a += w;
  size_t n = e - a;
  if (n == 0 || n >= 24)
    return 0;
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = s[a + i];
      if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
      else if (i > 0 && (unsigned char) s[a + i - 1] == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97)
        c += 0x20;
      buf[i] = c;
    }
  buf[n] = '\0';
  return n;
}

/* True if the lower-cased chunk BUF of N bytes before a dot is a known abbreviation ("z.b",
   "dr") or a single letter (an initial, or one half of "z. B.").  */
static bool
is_abbreviation (const char *buf, size_t n)
{
  /* No entry is longer than 10 bytes ("beispielsw", "dipl.-wirt").  */
  if (n <= 10 && may_be_abbreviation (buf, n) && IN_LIST (buf, abbreviations))
    return true;
  ucs4_t c;
  int m = u8_mbtouc (&c, (const uint8_t *) buf, n);
  return (size_t) m == n && (char_class (c) & CH_LETTER);
}

struct word_info
{
  unsigned first_class;         /* char_class of the first character */
  bool list_number;             /* a number that starts its line and is followed by '.' or ')' */
};

/* Decide whether the terminator in G ends the sentence before the word described by CUR.  */
static bool
terminator_ends_sentence (const char *s, const struct gap *g, const struct word_info *prev,
                          const struct word_info *cur, const char *cur_lower, bool all_lower,
                          bool *force_initial)
{
  bool next_lower = (cur->first_class & CH_LOWER) != 0;
  /* „Kommst du?“, fragte er: the quoted sentence is part of the reporting one.  */
  if (g->term_quoted && next_lower)
    return false;
  if (g->term_question || g->term_exclaim)
    return true;
  if (g->term_ellipsis || g->term_dots >= 2)
    return !(next_lower && !all_lower);
  if (g->term_dots != 1 || g->term_end - g->term_start != 1)
    {
      /* A dot followed by closing marks ("...Ende.“ Dann") ends a sentence.  */
      return true;
    }
  char buf[24];
  size_t n = chunk_before (s, g->term_start, buf);
  if (n == 0)
    return true;
  if (is_abbreviation (buf, n))
    return false;
  bool number = true;
  for (size_t i = 0; i < n; i++)
    if (!((buf[i] >= '0' && buf[i] <= '9') || buf[i] == '.'))
      number = false;
  if (number)
    {
      if (prev->list_number)
        {
          *force_initial = true;
          return false;
        }
      return !(next_lower || IN_LIST (cur_lower, months));
    }
  return true;
}

static size_t
utf8_chars (const char *s, size_t a, size_t b)
{
  size_t n = 0;
  for (; a < b; a++)
    n += ((unsigned char) s[a] & 0xC0) != 0x80;
  return n;
}

/* The line a position lies on; CURSOR only moves forward.  */
static size_t
line_of (const struct line *lines, size_t nlines, size_t *cursor, size_t off)
{
  while (*cursor + 1 < nlines && lines[*cursor].end < off)
    (*cursor)++;
  return *cursor;
}

/* Decide whether the line break(s) in G start a new sentence.  */
static bool
line_break_ends_sentence (const char *s, const struct gap *g, const struct line *prev_line,
                          const struct line *cur_line, const struct word_info *cur,
                          bool cur_is_list_number, bool all_lower)
{
  if (g->blank_line)
    return true;
  if (prev_line->flags & (LN_GREETING | LN_CLOSING))
    return true;
  if ((cur_line->flags & (LN_GREETING | LN_CLOSING)) && g->word_starts_line)
    return true;
  if (g->bullet || (cur_is_list_number && g->word_starts_line))
    return true;
  if (!g->line_punctuated && g->word_starts_line
      && ((cur->first_class & CH_UPPER) || all_lower || (cur->first_class & CH_DIGIT)))
    {
      /* A hard-wrapped paragraph breaks long lines; a short line that ends without punctuation
         was ended on purpose ("Danke\nIch melde mich").  */
      /* (a line has at most as many characters as bytes) */
      return prev_line->end - prev_line->lead < 60
        || utf8_chars (s, prev_line->lead, prev_line->end) < 60;
    }
  return false;
}

static int
open_sentence (struct builder *b, size_t first_tok, size_t off, const struct line *line)
{
  struct text *t = b->t;
  if (grow ((void **) &t->sent, &b->sent_cap, t->nsent + 1, sizeof *t->sent) < 0)
    return -1;
  struct text_sentence *st = &t->sent[t->nsent++];
  st->off = off;
  st->end = st->off;
  st->first_tok = first_tok;
  st->ntok = 0;
  st->flags = line->flags & (LN_GREETING | LN_CLOSING) ? SENT_GREETING : 0;
  return 0;
}

static void
close_sentence (struct text *t, size_t end, unsigned flags, uint32_t upper, uint32_t lower)
{
  struct text_sentence *st = &t->sent[t->nsent - 1];
  st->end = end;
  st->ntok = t->ntok - st->first_tok;
  st->flags |= flags;
  if (upper >= 2 && lower == 0)
    st->flags |= SENT_ALL_UPPER;
  if (lower >= 2 && upper == 0)
    st->flags |= SENT_ALL_LOWER;
}

/* True if no upper-case letter stands in the sender's own text.  */
static bool
text_is_all_lower (const char *s, size_t len, const uint8_t *mask)
{
  size_t i = 0, slow_until = 0;
  while (i < len)
    {
      /* Eight bytes at a time while there is neither a capital nor a byte above ASCII; eight
         bytes that hold one are looked at one by one.  */
      if (HAVE_FAST_PATHS && HAVE_FIRST_MARKED && i >= slow_until && i + 8 <= len)
        {
          uint64_t x = load8 (s + i);
          uint64_t t = x & BYTES_LOW7;
          uint64_t capital = (t + BYTES_ONES * (0x80 - 'A')) & ~(t + BYTES_ONES * (0x80 - 'Z' - 1));
          if (!((capital | x) & BYTES_HIGHS))
            {
              i += 8;
              continue;
            }
          slow_until = i + 8;
        }
      unsigned char b = s[i];
      if (b < 0x80)
        {
          if (b >= 'A' && b <= 'Z' && !(mask[i] & TEXT_NOT_OWN))
            return false;
          i++;
          continue;
        }
      ucs4_t c;
      int n = next_char (s, len, i, &c);
      if ((char_class (c) & CH_UPPER) && !(mask[i] & TEXT_NOT_OWN))
        return false;
      i += n;
    }
  return true;
}

enum latin1_case
{
  LATIN1_NONE,                  /* not a Latin-1 letter */
  LATIN1_UPPER,
  LATIN1_LOWER,
  LATIN1_CASELESS,              /* ß */
};

/* If S[J] starts a Latin-1 letter (U+00C0 to U+00FF but × and ÷, two bytes), write its
   lower-case form to D and say its case.  Umlauts stay on the fast paths this way.  */
static inline enum latin1_case
latin1_letter (const char *s, size_t len, size_t j, char *d)
{
  if ((unsigned char) s[j] != 0xC3 || j + 1 >= len)
    return LATIN1_NONE;
  unsigned char c2 = s[j + 1];
  if (c2 < 0x80 || c2 > 0xBF || c2 == 0x97 || c2 == 0xB7)
    return LATIN1_NONE;
  d[0] = (char) 0xC3;
  if (c2 < 0x9F)
    {
      d[1] = (char) (c2 + 0x20);
      return LATIN1_UPPER;
    }
  d[1] = (char) c2;
  return c2 == 0x9F ? LATIN1_CASELESS : LATIN1_LOWER;
}

/* A word as scan_word finds it.  */
struct word
{
  size_t end;                   /* end of the word as stored (without a dropped "'s") */
  size_t consumed;              /* end of what the word took from the text */
  uint32_t upper, lower;        /* upper- and lower-case letters */
  unsigned flags;               /* TOK_APOSTROPHE, TOK_HAS_DIGIT */
  bool ascii;                   /* DST holds the lower-cased word (ASCII, Latin-1, apostrophes) */
  bool only_digits;
};

/* Scan the word at S[START]: a run of letters, marks and digits, apostrophes allowed inside.
   Lower-case its ASCII letters into DST at the same offsets as in S (DST has room for the word).  */
static void
scan_word (const char *s, size_t len, size_t start, char *dst, struct word *w)
{
  size_t j = start, apos = 0, apos_len = 0;
  unsigned napos = 0;
  uint32_t upper = 0, lower = 0, upper_at_apos = 0, lower_at_apos = 0;
  bool digit = false, ascii = true, ascii_at_apos = true, letters = false;
  for (;;)
    {
      while (j < len)
        {
          unsigned char bj = s[j];
          if (HAVE_WORD_CHUNKS && j + 8 <= len)
            {
              bool full;
              unsigned k = copy_lower_run (s + j, len - j, dst + (j - start), &full);
              if (k)
                {
                  lower += k;
                  letters = true;
                  j += k;
                  if (full)
                    continue;
                  /* Not a lower-case letter: most often the end of the word.  */
                  bj = s[j];
                  if (bj < 0x80 && !is_ascii_alnum (bj))
                    break;
                }
            }
          unsigned char folded = bj | 0x20;
          if ((unsigned char) (folded - 'a') < 26)
            {
              unsigned is_upper = !(bj & 0x20);
              upper += is_upper;
              lower += is_upper ^ 1;
              letters = true;
              dst[j - start] = folded;
              j++;
              continue;
            }
          if ((unsigned char) (bj - '0') < 10)
            {
              digit = true;
              dst[j - start] = bj;
              j++;
              continue;
            }
          if (bj < 0x80)
            break;
          enum latin1_case l1 = latin1_letter (s, len, j, dst + (j - start));
          if (l1 != LATIN1_NONE)
            {
              upper += l1 == LATIN1_UPPER;
              lower += l1 == LATIN1_LOWER;
              letters = true;
              j += 2;
              continue;
            }
          ucs4_t c;
          int m = next_char (s, len, j, &c);
          unsigned k = char_class (c);
          if (!(k & CH_WORD))
            break;
          ascii = false;
          letters |= !(k & CH_DIGIT);
          upper += (k & CH_UPPER) != 0;
          lower += (k & CH_LOWER) != 0;
          digit |= (k & CH_DIGIT) != 0;
          j += m;
        }
      size_t al;
      if (j < len && (al = apostrophe_len (s, len, j)) && j + al < len)
        {
          ucs4_t d;
          next_char (s, len, j + al, &d);
          if (char_class (d) & CH_LETTER)
            {
              napos++;
              apos = j;
              apos_len = al;
              upper_at_apos = upper;
              lower_at_apos = lower;
              ascii_at_apos = ascii;
              /* Lower-casing leaves an apostrophe as it is: copy it ("don't").  */
              memcpy (dst + (j - start), s + j, al);
              j += al;
              continue;
            }
        }
      break;
    }
  w->end = w->consumed = j;
  w->flags = digit ? TOK_HAS_DIGIT : 0;
  w->only_digits = !letters;
  if (napos == 1 && j - (apos + apos_len) == 1 && (s[j - 1] == 's' || s[j - 1] == 'S'))
    {
      char base[12];
      size_t bn = apos - start;
      bool english = false;
      if (bn < sizeof base)
        {
          for (size_t i = 0; i < bn; i++)
            {
              unsigned char bc = s[start + i];
              base[i] = bc >= 'A' && bc <= 'Z' ? bc + ('a' - 'A') : bc;
            }
          base[bn] = '\0';
          english = IN_LIST (base, english_s_bases);
        }
      if (!english)
        {
          /* German clitic "'s" (es): "hast's" is the verb "hast".  */
          w->end = apos;
          w->flags |= TOK_APOSTROPHE;
          upper = upper_at_apos;
          lower = lower_at_apos;
          ascii = ascii_at_apos;
        }
    }
  w->upper = upper;
  w->lower = lower;
  w->ascii = ascii;
}

struct simple_word
{
  size_t end;
  uint32_t upper, lower;
  bool letters, digit;
};

/* Scan the run of ASCII and Latin-1 letters and digits at S[ST], lower-casing it into DST.  */
static struct simple_word
scan_simple_word (const char *s, size_t len, size_t st, char *restrict dst)
{
  struct simple_word w = { st, 0, 0, false, false };
  size_t j = st;
  uint32_t up = 0, lo = 0;
  bool letters = false, digit = false;
  while (j < len)
    {
      /* Runs of lower-case letters, the bulk of any text, eight bytes at a time.  DST has room
         for the rest of the text, so copying a whole word of bytes is safe.  */
      if (HAVE_WORD_CHUNKS && j + 8 <= len)
        {
          bool full;
          unsigned k = copy_lower_run (s + j, len - j, dst + (j - st), &full);
          if (k)
            {
              lo += k;
              letters = true;
              j += k;
              if (full)
                continue;
              /* Not a lower-case letter: most often the end of the word.  */
              unsigned char e = s[j];
              if (e < 0x80 && !is_ascii_alnum (e))
                break;
            }
        }
      unsigned char bj = s[j];
      unsigned char folded = bj | 0x20;
      if ((unsigned char) (folded - 'a') < 26)
        {
          unsigned is_upper = !(bj & 0x20);
          up += is_upper;
          lo += is_upper ^ 1;
          letters = true;
          dst[j - st] = folded;
          j++;
          continue;
        }
      if ((unsigned char) (bj - '0') < 10)
        {
          digit = true;
          dst[j - st] = bj;
          j++;
          continue;
        }
      enum latin1_case l1 = latin1_letter (s, len, j, dst + (j - st));
      if (l1 == LATIN1_NONE)
        break;
      up += l1 == LATIN1_UPPER;
      lo += l1 == LATIN1_LOWER;
      letters = true;
      j += 2;
    }
  w.end = j;
  w.upper = up;
  w.lower = lo;
  w.letters = letters;
  w.digit = digit;
  return w;
}

/* The ASCII marks that segment's fast path takes after a word, between it and the next one or
   before white space: none is white space, a hyphen or an apostrophe, which scan_word reads
   in a way of its own.  GLUED_OPENER marks an opening mark, which makes the word glued to it
   an initial one ("foo(bar", "title=\"Neu").  */
enum { GLUED_PLAIN = 1, GLUED_OPENER = 2 };
static const uint8_t glued_mark[256] = {
  ['.'] = GLUED_PLAIN, ['/'] = GLUED_PLAIN, ['@'] = GLUED_PLAIN, ['_'] = GLUED_PLAIN,
  ['='] = GLUED_PLAIN, ['&'] = GLUED_PLAIN, ['?'] = GLUED_PLAIN, ['#'] = GLUED_PLAIN,
  ['%'] = GLUED_PLAIN, ['+'] = GLUED_PLAIN, [':'] = GLUED_PLAIN, [';'] = GLUED_PLAIN,
  [','] = GLUED_PLAIN, ['!'] = GLUED_PLAIN, ['*'] = GLUED_PLAIN, ['~'] = GLUED_PLAIN,
  ['|'] = GLUED_PLAIN, ['\\'] = GLUED_PLAIN, ['^'] = GLUED_PLAIN, ['$'] = GLUED_PLAIN,
  [')'] = GLUED_PLAIN, [']'] = GLUED_PLAIN, ['}'] = GLUED_PLAIN, ['>'] = GLUED_PLAIN,
  ['"'] = GLUED_OPENER, ['('] = GLUED_OPENER, ['['] = GLUED_OPENER, ['{'] = GLUED_OPENER,
  ['<'] = GLUED_OPENER,
};

/* The ASCII bytes that end a word for segment's fast path: neither letters nor digits, nor
   an apostrophe or hyphen, which scan_word reads on (or which make a compound).  */
static const bool ends_ascii_word[256] = {
  [0] = true, [1] = true, [2] = true, [3] = true, [4] = true, [5] = true, [6] = true, [7] = true,
  [8] = true, [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [14] = true,
  [15] = true, [16] = true, [17] = true, [18] = true, [19] = true, [20] = true, [21] = true,
  [22] = true, [23] = true, [24] = true, [25] = true, [26] = true, [27] = true, [28] = true,
  [29] = true, [30] = true, [31] = true, [' '] = true, ['!'] = true, ['"'] = true, ['#'] = true,
  ['$'] = true, ['%'] = true, ['&'] = true, ['('] = true, [')'] = true, ['*'] = true,
  ['+'] = true, [','] = true, ['.'] = true, ['/'] = true, [':'] = true, [';'] = true,
  ['<'] = true, ['='] = true, ['>'] = true, ['?'] = true, ['@'] = true, ['['] = true,
  ['\\'] = true, [']'] = true, ['^'] = true, ['_'] = true, ['{'] = true, ['|'] = true,
  ['}'] = true, ['~'] = true, [127] = true,
};

#if defined __SSE2__
/* The bytes of X from LO to HI (both ASCII): X - LO below HI - LO + 1 without sign, as a
   signed comparison once both sides are moved down by 0x80.  */
static inline __m128i
bytes_in_range (__m128i x, unsigned char lo, unsigned char hi)
{
  __m128i moved = _mm_add_epi8 (x, _mm_set1_epi8 ((char) (0x80 - lo)));
  return _mm_cmplt_epi8 (moved, _mm_set1_epi8 ((char) (0x80 + hi - lo + 1)));
}
#endif

/* Whether the dot at S[DOT], white space after it, ends its sentence whatever word follows:
   as terminator_ends_sentence decides for one dot, unless the chunk before the dot is an
   abbreviation, an initial or a number, whose answer depends on the words around.  */
static bool
dot_ends_sentence (const char *s, size_t dot)
{
  char buf[24];
  if (HAVE_FAST_PATHS)
    {
      /* Most chunks before a full stop are ASCII letters after white space ("Danke. ",
         "today.\n"): they need neither chunk_before's walk, wrappers and copy nor the list
         unless their first two letters start an abbreviation, and only a chunk of two to ten
         letters can be one.  Anything else (digits, marks, bytes above ASCII before or in the
         chunk) takes the full way below.  */
      size_t a = dot;
#if defined __SSE2__
      if (dot >= 16)
        {
          /* The letters right before the dot, sixteen bytes at once: those after the last
             byte that is none (bit I stands for S[DOT - 16 + I]).  */
          __m128i x = _mm_loadu_si128 ((const __m128i *) (s + dot - 16));
          __m128i letter = bytes_in_range (_mm_or_si128 (x, _mm_set1_epi8 (0x20)), 'a', 'z');
          unsigned other = (unsigned) _mm_movemask_epi8 (letter) ^ 0xFFFF;
          a = other ? dot - 16 + 32 - (unsigned) __builtin_clz (other) : dot - 16;
        }
      else
#endif
        while (a > 0 && dot - a <= 10 && (unsigned char) ((s[a - 1] | 0x20) - 'a') < 26)
          a--;
      size_t n = dot - a;
      /* Eleven letters or more: whatever stands before them, chunk_before's chunk is none of
         the list (ten bytes at most), no initial and no number, or none at all.  */
      if (n > 10)
        return true;
      if (n > 0 && (a == 0 || is_space ((unsigned char) s[a - 1])))
        {
          if (n == 1)
            return false;       /* an initial */
          if (!(abbreviation_first_two[(s[a] | 0x20) - 'a'] & LETTER_BIT (s[a + 1] | 0x20)))
            return true;
          for (size_t i = 0; i < n; i++)
            buf[i] = s[a + i] | 0x20;
          buf[n] = '\0';
          return !IN_LIST (buf, abbreviations);
        }
    }
  size_t n = chunk_before (s, dot, buf);
  if (n == 0)
    return true;
  if (is_abbreviation (buf, n))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((buf[i] >= '0' && buf[i] <= '9') || buf[i] == '.'))
      return true;
  return false;
}

/* The number of bits set in M, for masks with few bits (the capitals and digits of a word).  */
static inline unsigned
bit_count16 (unsigned m)
{
  unsigned n = 0;
  for (; m; m &= m - 1)
    n++;
  return n;
}

/* ASCII marks that may stand between white space and a word ("(siehe", "\"Zitat", "$10",
   "*fett*") for segment's fast path, by what scan_gap makes of such a mark: LEAD_INITIAL for
   opening marks and ':', after which the word counts as an initial one, LEAD_PLAIN for the
   others.  Not here: terminators, which can end a sentence, and the apostrophe and backtick,
   which scan_word reads in a way of its own.  */
enum { LEAD_PLAIN = 1, LEAD_INITIAL = 2 };
static const uint8_t lead_mark[256] = {
  ['('] = LEAD_INITIAL, ['['] = LEAD_INITIAL, ['{'] = LEAD_INITIAL, ['<'] = LEAD_INITIAL,
  ['"'] = LEAD_INITIAL, [':'] = LEAD_INITIAL,
  ['-'] = LEAD_PLAIN, ['*'] = LEAD_PLAIN, ['+'] = LEAD_PLAIN, ['$'] = LEAD_PLAIN,
  ['_'] = LEAD_PLAIN, ['#'] = LEAD_PLAIN, ['&'] = LEAD_PLAIN, ['|'] = LEAD_PLAIN,
  ['/'] = LEAD_PLAIN, ['@'] = LEAD_PLAIN, ['='] = LEAD_PLAIN, ['%'] = LEAD_PLAIN,
  ['~'] = LEAD_PLAIN, ['^'] = LEAD_PLAIN, ['\\'] = LEAD_PLAIN, [';'] = LEAD_PLAIN,
  [','] = LEAD_PLAIN, [')'] = LEAD_PLAIN, [']'] = LEAD_PLAIN, ['}'] = LEAD_PLAIN,
  ['>'] = LEAD_PLAIN,
};

/* ASCII marks that segment's fast path takes between white space and white space: all but
   letters and digits, white space, terminators, which can end a sentence, the apostrophe and
   the backtick, which can start a quotation, and control bytes.  */
static const bool spaced_mark[256] = {
  ['"'] = true, ['#'] = true, ['$'] = true, ['%'] = true, ['&'] = true, ['('] = true,
  [')'] = true, ['*'] = true, ['+'] = true, [','] = true, ['-'] = true, ['/'] = true,
  [':'] = true, [';'] = true, ['<'] = true, ['='] = true, ['>'] = true, ['@'] = true,
  ['['] = true, ['\\'] = true, [']'] = true, ['^'] = true, ['_'] = true, ['{'] = true,
  ['|'] = true, ['}'] = true, ['~'] = true,
};

/* What segment carries from one word to the next that its fast path reads and changes.  */
struct run
{
  size_t pos;                   /* the end of the last word taken */
  size_t cursor;                /* line_of's cursor */
  size_t prev_line;             /* the line of the last word */
  uint32_t sent_upper, sent_lower;      /* upper- and lower-case letters of the open sentence */
};

/* The common case, on a fast path: take the words after R->pos that follow one space (or
   ", " or ": ") and are made of ASCII or Latin-1 letters and digits that do not end in an
   apostrophe or another non-ASCII character (the commonest loop also takes one apostrophe
   inside an ASCII word, "don't").  Such a word needs few of segment's checks: no sentence
   boundary, no line; a compound only when it ends in a hyphen or follows one.  Other gaps of
   white space (line breaks in a hard-wrapped paragraph, indentation), glued marks and the
   plain end of a sentence ("? ", ".\n") are read here the way scan_gap reads them.  Anything
   else goes back to segment's loop.  Return 1 if a word was taken (R then describes the last
   one), 0 if none, -1 (ENOMEM).
   A function of its own, with the builder's counters in local variables: the lower-cased
   words are stored through a char pointer, which may alias anything, so counters kept in
   *B and *B->t were read back from memory after every store.  */
#if defined __GNUC__
# define TEXT_NOINLINE __attribute__ ((noinline))
#else
# define TEXT_NOINLINE
#endif

static TEXT_NOINLINE int
fast_words (struct builder *b, const struct line *lines, size_t nlines, struct run *r)
{
  struct text *t = b->t;
  const char *const s = t->s;
  const size_t len = t->len;
  const uint8_t *const mask = t->mask;
  size_t pos = r->pos;
  /* Room for the rest of the text lower-cased in place: each word below takes at least one
     more byte of the text than of the buffer (its gap), so this holds to the end.  */
  if (b->lower_len + (len - pos) + 2 > b->lower_cap
      && grow ((void **) &t->lower, &b->lower_cap, b->lower_len + (len - pos) + 2, 1) < 0)
    return -1;
  char *const lower = t->lower;
  char *dst = lower + b->lower_len;     /* where the next word goes */
  struct text_token *ft = t->tok + t->ntok, *tok_end = t->tok + b->tok_cap;
  uint32_t sentence = t->nsent - 1;
  uint32_t sent_upper = r->sent_upper, sent_lower = r->sent_lower;
  int ret = 0;
#if defined __SSE2__
  /* The commonest case's loop below reads sixteen bytes after a gap of at most two, so it runs
     while POS + 18 <= LEN; and it needs no check of the words' offsets in text.lower when the
     rest of the text cannot take them past 32 bits (only a text of gigabytes could).  */
  const size_t common_limit = len >= 18 && b->lower_len + (len - pos) + 2 <= UINT32_MAX
    ? len - 17 : 0;
#endif

  while (pos + 1 < len)
    {
#if defined __SSE2__
      /* The commonest case of all, on a path of its own: one space (or ", " or ": "), then
         ASCII letters and digits, fewer than sixteen, and an ASCII byte after them that ends
         the word (see ends_ascii_word).  One sixteen-byte load finds the word's letters,
         capitals and digits, and lower-cases it.  */
      /* Each word takes two bytes or more (its gap and a letter), so a bound on POS also
         keeps the words within the tokens' room: one comparison a word.  */
      size_t room = tok_end - ft;
      size_t limit = pos < common_limit && (common_limit - pos) / 2 >= room
        ? pos + 2 * room : common_limit;
      while (pos < limit)
        {
          unsigned char punct = s[pos];
          size_t st = pos + 1;
          if (punct == ' ')
            punct = 0;
          else if ((punct == ',' || punct == ':') && s[pos + 1] == ' ')
            st = pos + 2;
          else
            break;
          __m128i x = _mm_loadu_si128 ((const __m128i *) (s + st));
          __m128i folded = _mm_or_si128 (x, _mm_set1_epi8 (0x20));
          __m128i letter = bytes_in_range (folded, 'a', 'z');
          __m128i capital = bytes_in_range (x, 'A', 'Z');
          __m128i dig = bytes_in_range (x, '0', '9');
          /* (bit 16 set: K is 16 when all sixteen bytes are letters or digits) */
          unsigned word_end = (unsigned) _mm_movemask_epi8 (_mm_or_si128 (letter, dig)) ^ 0x1FFFF;
          unsigned k = (unsigned) __builtin_ctz (word_end);
          unsigned apostrophe = 0;
          if (k - 1 >= 15)
            break;
          if (!ends_ascii_word[(unsigned char) s[st + k]])
            {
              /* "don't", "I'm", "we'll": scan_word reads on over an apostrophe that a letter
                 follows, and keeps it in the word.  A lone "s" after it is left to segment's
                 loop, which drops it as a German clitic ("hast's") or keeps it ("it's").  */
              if (s[st + k] != '\'' || k >= 14
                  || !(((unsigned) _mm_movemask_epi8 (letter) >> (k + 1)) & 1))
                break;
              unsigned k2 = (unsigned) __builtin_ctz (word_end >> (k + 1)) + k + 1;
              if ((k2 == k + 2 && (s[st + k + 1] | 0x20) == 's') || k2 >= 16
                  || !ends_ascii_word[(unsigned char) s[st + k2]])
                break;
              apostrophe = 1u << k;
              k = k2;
            }
          size_t lower_off = dst - lower;
          unsigned in_word = (1u << k) - 1;
          unsigned caps = (unsigned) _mm_movemask_epi8 (capital) & in_word;
          unsigned digits = (unsigned) _mm_movemask_epi8 (dig) & in_word;
          unsigned smalls = in_word & ~(caps | digits | apostrophe);
          _mm_storeu_si128 ((__m128i *) dst,
                            _mm_or_si128 (x, _mm_and_si128 (capital, _mm_set1_epi8 (0x20))));
          dst[k] = '\0';
          dst += k + 1;
          ft->off = st;
          ft->len = k;
          ft->lower_off = lower_off;
          ft->sentence = sentence;
          ft->mask = mask[st];
          ft->punct_before = punct;
          /* (without branches: whether a word has capitals is as good as random) */
          bool two_caps = (caps & (caps - 1)) != 0, two_smalls = (smalls & (smalls - 1)) != 0;
          ft->flags = (caps & 1) * TOK_UPPER_INITIAL + (punct == ':') * TOK_INITIAL
            + (two_caps & !smalls) * TOK_ALL_UPPER + ((smalls != 0) & !caps) * TOK_ALL_LOWER
            + (digits != 0) * TOK_HAS_DIGIT;
          ft++;
          /* The sentence's counts are only compared with 0 and 2 (close_sentence): a word
             adds at most 2 of each, which keeps both comparisons' results.  */
          sent_upper += (caps != 0) + two_caps;
          sent_lower += (smalls != 0) + two_smalls;
          pos = st + k;
        }
      if (pos + 1 >= len)
        break;
#endif
      unsigned char punct = 0;
      size_t st = pos + 1;
      bool initial = false, white_gap = false, hyphen_gap = false, sentence_gap = false;
      unsigned newlines = 0;
      /* Where a white gap's line ends for line_break_ends_sentence and close_sentence, and
         whether a mark stands before it (only marks glued to the word before do).  */
      size_t line_end = pos;
      bool punctuated = false;
      if (s[pos] == ' ' && !is_space ((unsigned char) s[pos + 1]))
        ;
      else if (is_space ((unsigned char) s[pos]))
        {
          /* ASCII white space with line breaks, and '>' after one (quote marks at a line
             start count as indentation): scan_gap would find no terminator, no bullet, no
             punctuation before the first newline; the word starts its line if there is a
             newline, and two make a blank line.  */
          size_t k = skip_white_gap (s, pos, len - pos > 64 ? pos + 64 : len, &newlines);
          if (k >= len || k - pos >= 64)
            break;
          st = k;
          white_gap = true;
          punct = newlines ? '\n' : 0;
        }
      else
        {
          punct = s[pos];
          if ((punct == ',' || punct == ':') && pos + 2 < len && s[pos + 1] == ' ')
            {
              st = pos + 2;
              initial = punct == ':';
            }
          /* The second part of a compound ("E-Mail", "opt-in"): a hyphen glued between two
             words, read as scan_gap reads one glued mark.  */
          else if (punct == '-')
            {
              if ((mask[pos - 1] & MASK_BLOCK) != (mask[st] & MASK_BLOCK))
                break;
              hyphen_gap = true;
            }
          /* A sentence end: one terminator, then white space (line breaks too).  scan_gap
             reads it by its shortcut and terminator_ends_sentence ends the sentence there,
             after '?' and '!' always, after a dot unless what stands before it is an
             abbreviation, an initial or a number (those are left to segment's loop).  */
          else if ((punct == '.' || punct == '?' || punct == '!')
                   && is_space ((unsigned char) s[pos + 1]))
            {
              size_t k = skip_white_gap (s, pos + 1, len - pos > 64 ? pos + 64 : len, &newlines);
              if (k >= len || k - pos >= 64 || (punct == '.' && !dot_ends_sentence (s, pos)))
                break;
              st = k;
              sentence_gap = true;
            }
          /* Marks glued between two words ("www.example.com", "und/oder", "https://"), as
             scan_gap reads them: without white space no sentence ends there unless the
             masks of blocks change, and only the last mark counts.  */
          else if (glued_mark[punct])
            {
              while (st < len && st - pos < 8 && glued_mark[(unsigned char) s[st]])
                st++;
              if (st < len && is_space ((unsigned char) s[st]))
                {
                  /* Marks that end a line or a clause, then white space ("(Preis)\n",
                     "Danke,\nich", "Hinweis:\n"), as scan_gap reads them: the last mark is the
                     punctuation before the word, the line is punctuated and ends after the
                     marks, and only ':' makes the next word an initial one (not glued, so not
                     the minutes of "10:15").  Left to segment's loop: a terminator among the
                     marks, a smiley's ')' (":)", ";)" end a sentence softly), and ')' after a
                     digit of the first word, which segment's loop took and which may be a
                     list number ("1) "); a word this function takes never is one.  */
                  size_t marks_end = st;
                  bool plain = true;
                  for (size_t q = pos; q < marks_end; q++)
                    plain &= s[q] != '.' && s[q] != '?' && s[q] != '!';
                  punct = s[marks_end - 1];
                  if (!plain
                      || (punct == ')' && marks_end - pos >= 2
                          && (s[marks_end - 2] == ':' || s[marks_end - 2] == ';'))
                      || (s[pos] == ')' && pos == r->pos && (unsigned char) (s[pos - 1] - '0') < 10))
                    break;
                  size_t k = skip_white_gap (s, marks_end,
                                             len - marks_end > 64 ? marks_end + 64 : len,
                                             &newlines);
                  if (k >= len || k - marks_end >= 64)
                    break;
                  st = k;
                  white_gap = true;
                  line_end = marks_end;
                  punctuated = true;
                  initial = punct == ':';
                }
              /* (most often white space follows: ". ", ".\n") */
              else if (st >= len || ((unsigned char) s[st] < 0x80 && !is_ascii_alnum (s[st]))
                       || (mask[pos - 1] & MASK_BLOCK) != (mask[st] & MASK_BLOCK))
                break;
              else
                {
                  punct = s[st - 1];
                  initial = (punct == ':' && !(s[st - 2] >= '0' && s[st - 2] <= '9'))
                    || glued_mark[punct] == GLUED_OPENER;
                }
            }
          else
            break;
        }
      /* One mark between white space and the word ("(siehe", "\n\"Zitat"), as scan_gap reads
         it: the punctuation before the word; a line that ends in it if no line break comes
         before, and else a word that does not start its line.  */
      bool starts_line = true;
      if (is_space ((unsigned char) s[pos]) && lead_mark[(unsigned char) s[st]]
          && st + 2 < len && is_ascii_alnum (s[st + 1]))
        {
          punct = s[st];
          initial = lead_mark[punct] == LEAD_INITIAL;
          white_gap = true;
          starts_line = false;
          if (!newlines)
            {
              line_end = st + 1;
              punctuated = true;
            }
          st++;
        }
      /* Marks with white space on both sides on one line (" - ", " -- ", " | ", " => "), as
         scan_gap reads them: the last mark is the punctuation before the word, and the line
         ends after it, punctuated; a dash alone makes the word an initial one ("Preis - nur
         heute"), as ':' does.  Left to segment's loop: marks after a line break (bullets), a
         terminator ("..."), and ')' last (":-)" ends a sentence softly).  */
      else if (is_space ((unsigned char) s[pos]) && !newlines && spaced_mark[(unsigned char) s[st]])
        {
          size_t q = st;
          while (q < len && q - st < 8 && spaced_mark[(unsigned char) s[q]])
            q++;
          if (q >= len || !is_space ((unsigned char) s[q]) || s[q - 1] == ')')
            break;
          size_t k = skip_white_gap (s, q, len - q > 64 ? q + 64 : len, &newlines);
          if (k >= len || k - q >= 64)
            break;
          punct = s[q - 1];
          initial = punct == ':' || (punct == '-' && q - st == 1);
          white_gap = true;
          line_end = q;
          punctuated = true;
          st = k;
        }
      size_t j;
      uint32_t up, lo;
      bool letters, digit, first_upper;
#if defined __SSE2__
      unsigned ascii_run = 0;
      if (st + 16 <= len)
        {
          /* Most words are ASCII letters and digits shorter than sixteen bytes, followed by
             an ASCII byte: their letters, capitals and digits are found at once, and the
             word is lower-cased at once.  (The longer ones, and those that end in a byte
             above ASCII, take scan_simple_word.)  */
          __m128i x = _mm_loadu_si128 ((const __m128i *) (s + st));
          /* (signed bytes: those above ASCII are negative, below every range here) */
          __m128i folded = _mm_or_si128 (x, _mm_set1_epi8 (0x20));
          __m128i letter = _mm_and_si128 (_mm_cmpgt_epi8 (folded, _mm_set1_epi8 ('a' - 1)),
                                          _mm_cmplt_epi8 (folded, _mm_set1_epi8 ('z' + 1)));
          __m128i capital = _mm_and_si128 (_mm_cmpgt_epi8 (x, _mm_set1_epi8 ('A' - 1)),
                                           _mm_cmplt_epi8 (x, _mm_set1_epi8 ('Z' + 1)));
          __m128i dig = _mm_and_si128 (_mm_cmpgt_epi8 (x, _mm_set1_epi8 ('0' - 1)),
                                       _mm_cmplt_epi8 (x, _mm_set1_epi8 ('9' + 1)));
          unsigned stop = (unsigned) _mm_movemask_epi8 (_mm_or_si128 (letter, dig)) ^ 0xFFFF;
          unsigned k = stop ? (unsigned) __builtin_ctz (stop) : 16;
          if (k < 16 && (unsigned char) s[st + k] < 0x80)
            {
              unsigned in_word = (1u << k) - 1;
              unsigned caps = (unsigned) _mm_movemask_epi8 (capital) & in_word;
              unsigned digits = (unsigned) _mm_movemask_epi8 (dig) & in_word;
              _mm_storeu_si128 ((__m128i *) dst,
                                _mm_or_si128 (x, _mm_and_si128 (capital, _mm_set1_epi8 (0x20))));
              up = bit_count16 (caps);
              lo = k - up - bit_count16 (digits);
              letters = (digits ^ in_word) != 0;
              digit = digits != 0;
              first_upper = caps & 1;
              j = st + k;
              ascii_run = 1;
            }
        }
      if (!ascii_run)
#endif
        {
          struct simple_word sw = scan_simple_word (s, len, st, dst);
          j = sw.end;
          up = sw.upper;
          lo = sw.lower;
          letters = sw.letters;
          digit = sw.digit;
          /* (a word that starts with 0xC3 starts with a Latin-1 letter, two bytes: only
             then is s[st + 1] in the text) */
          unsigned char f0 = s[st];
          first_upper = (unsigned char) (f0 - 'A') < 26
            || (f0 == 0xC3 && j > st && (unsigned char) s[st + 1] < 0x9F);
        }
      if (j == st)
        break;
      bool compound = false;
      if (j < len)
        {
          unsigned char e = s[j];
          if (e >= 0x80 || e == '\'' || e == '`')
            break;
          if (e == '-' && j + 1 < len)
            {
              /* The first part of a compound, as segment reads it: a letter after the
                 hyphen, or '/' or ','.  (A space may start "Du- und Sie-Form", and a byte
                 above ASCII a letter: segment's loop reads those.)  */
              unsigned char d = s[j + 1];
              if (d >= 0x80 || d == ' ')
                break;
              compound = (is_ascii_alnum (d) && (unsigned char) (d - '0') >= 10) || d == '/'
                || d == ',';
            }
        }
      if (white_gap)
        {
          /* A number alone after a line break may be a list number ("1." at a line start):
             segment's loop knows those.  (Without a line break the word does not start its
             line, so it is none.)  */
          if (newlines && digit && !letters)
            break;
          bool split = false;
          if (newlines)
            {
              size_t li = line_of (lines, nlines, &r->cursor, st);
              struct gap g;
              memset (&g, 0, sizeof g);
              g.newlines = newlines;
              g.blank_line = newlines >= 2;
              g.line_end = line_end;
              g.line_punctuated = punctuated;
              g.word_starts_line = starts_line;
              /* (line_break_ends_sentence reads only CH_UPPER and CH_DIGIT) */
              struct word_info cur;
              unsigned char f0 = s[st];
              cur.first_class = (unsigned char) (f0 - '0') < 10 ? CH_DIGIT
                : first_upper ? CH_LETTER | CH_UPPER : CH_LETTER;
              cur.list_number = false;
              split = line_break_ends_sentence (s, &g, &lines[r->prev_line], &lines[li], &cur,
                                                false, t->all_lower);
              r->prev_line = li;
            }
          if (split || (mask[pos - 1] & MASK_BLOCK) != (mask[st] & MASK_BLOCK))
            {
              /* The sentence ends with the word before the gap.  */
              t->ntok = ft - t->tok;
              close_sentence (t, line_end, 0, sent_upper, sent_lower);
              sent_upper = sent_lower = 0;
              if (open_sentence (b, t->ntok, st, &lines[r->prev_line]) < 0)
                {
                  ret = -1;
                  break;
                }
              sentence = t->nsent - 1;
              initial = true;
            }
        }
      if (sentence_gap)
        {
          /* As segment: a number alone after a line break may be a list number.  */
          if (newlines && digit && !letters)
            break;
          size_t li = line_of (lines, nlines, &r->cursor, st);
          r->prev_line = li;
          t->ntok = ft - t->tok;
          close_sentence (t, pos + 1,
                          punct == '?' ? SENT_QUESTION : punct == '!' ? SENT_EXCLAIM : 0,
                          sent_upper, sent_lower);
          sent_upper = sent_lower = 0;
          if (open_sentence (b, t->ntok, st, &lines[li]) < 0)
            {
              ret = -1;
              break;
            }
          sentence = t->nsent - 1;
          initial = true;
        }
      if (ft == tok_end)
        {
          size_t ntok = ft - t->tok;
          if (grow ((void **) &t->tok, &b->tok_cap, ntok + 1, sizeof *t->tok) < 0)
            {
              ret = -1;
              break;
            }
          ft = t->tok + ntok;
          tok_end = t->tok + b->tok_cap;
        }
      size_t lower_off = dst - lower;
      if (lower_off > UINT32_MAX)
        {
          errno = EOVERFLOW;
          ret = -1;
          break;
        }
      size_t wl = j - st;
      dst[wl] = '\0';
      dst += wl + 1;
      ft->off = st;
      ft->len = wl;
      ft->lower_off = lower_off;
      ft->sentence = sentence;
      ft->mask = mask[st];
      ft->punct_before = punct;
      unsigned fl = (first_upper ? TOK_UPPER_INITIAL : 0) | (initial ? TOK_INITIAL : 0);
      if (up >= 2 && lo == 0)
        fl |= TOK_ALL_UPPER;
      if (lo >= 1 && up == 0)
        fl |= TOK_ALL_LOWER;
      if (digit)
        fl |= TOK_HAS_DIGIT;
      if (compound)
        fl |= TOK_COMPOUND;
      if (hyphen_gap)
        {
          /* As segment marks the word after a hyphen that follows a letter.  */
          size_t l0 = prev_char_start (s, pos);
          ucs4_t l;
          next_char (s, pos, l0, &l);
          if (char_class (l) & CH_LETTER)
            fl |= TOK_AFTER_HYPHEN;
        }
      ft->flags = fl;
      ft++;
      sent_upper += up;
      sent_lower += lo;
      pos = j;
    }
  bool taken = pos != r->pos;
  t->ntok = ft - t->tok;
  b->lower_len = dst - lower;
  r->pos = pos;
  r->sent_upper = sent_upper;
  r->sent_lower = sent_lower;
  return ret < 0 ? -1 : taken;
}

static int
segment (struct builder *b, const struct line *lines, size_t nlines)
{
  struct text *t = b->t;
  const char *s = t->s;
  size_t len = t->len;
  size_t pos = 0, prev_end = 0, cursor = 0, prev_line = 0;
  bool have_prev = false;
  /* (of the previous word only list_number is read, and never after a fast-path word) */
  struct word_info prev_info = { 0, false };
  uint32_t sent_upper = 0, sent_lower = 0;

  while (pos < len)
    {
      unsigned char b0 = s[pos];
      if (b0 < 0x80 && !is_ascii_alnum (b0))
        {
          pos++;
          continue;
        }
      ucs4_t c;
      int n = next_char (s, len, pos, &c);
      unsigned cls = char_class (c);
      if (!(cls & CH_WORD))
        {
          pos += n;
          continue;
        }

      /* The word is lower-cased in place while it is scanned: make sure the rest of the text would
         fit (it always does unless lower-casing grew earlier words by more than half).  */
      if (b->lower_len + (len - pos) + 2 > b->lower_cap
          && grow ((void **) &t->lower, &b->lower_cap, b->lower_len + (len - pos) + 2, 1) < 0)
        return -1;
      struct word w;
      scan_word (s, len, pos, t->lower + b->lower_len, &w);
      size_t start = pos, end = w.end, consumed = w.consumed;
      uint32_t upper = w.upper, lower = w.lower;
      bool ascii = w.ascii, only_digits = w.only_digits;
      unsigned first_class = cls, flags = w.flags;
      pos = consumed;

      if (first_class & CH_UPPER)
        flags |= TOK_UPPER_INITIAL;
      if (upper >= 2 && lower == 0)
        flags |= TOK_ALL_UPPER;
      if (lower >= 1 && upper == 0)
        flags |= TOK_ALL_LOWER;

      /* Compounds: "Du-Form", and the suspended hyphen of "Du- und Sie-Form".  */
      if (consumed < len && (s[consumed] == '-' || (unsigned char) s[consumed] == 0xE2))
        {
          ucs4_t h;
          int hn = next_char (s, len, consumed, &h);
          if (is_hyphen (h))
            {
              size_t after = consumed + hn;
              ucs4_t d = 0;
              if (after < len)
                next_char (s, len, after, &d);
              if (after < len && (char_class (d) & CH_LETTER))
                flags |= TOK_COMPOUND;
              else if (after < len && (s[after] == '/' || s[after] == ','))
                flags |= TOK_COMPOUND;
              else if (after < len && s[after] == ' ')
                {
                  static const char *const joins[] = {
                    "&", "als auch", "and", "bzw", "oder", "or", "sowie", "und", "wie", NULL
                  };
                  size_t k = after;
                  while (k < len && s[k] == ' ')
                    k++;
                  size_t rest = len - k < 16 ? len - k : 16;
                  if (rest && (s[k] == '&' || match_any_word (s + k, rest, joins)))
                    flags |= TOK_COMPOUND;
                }
            }
        }
      if (start > 1 && (s[start - 1] == '-' || (unsigned char) s[start - 1] == 0x90
                        || (unsigned char) s[start - 1] == 0x91))
        {
          size_t h0 = prev_char_start (s, start);
          ucs4_t h;
          next_char (s, start, h0, &h);
          if (is_hyphen (h) && h0 > 0)
            {
              size_t l0 = prev_char_start (s, h0);
              ucs4_t l;
              next_char (s, h0, l0, &l);
              if (char_class (l) & CH_LETTER)
                flags |= TOK_AFTER_HYPHEN;
            }
        }

      if (t->ntok == b->tok_cap
          && grow ((void **) &t->tok, &b->tok_cap, t->ntok + 1, sizeof *t->tok) < 0)
        return -1;
      int64_t lower_off;
      if (ascii)
        {
          t->lower[b->lower_len + end - start] = '\0';
          lower_off = b->lower_len;
          b->lower_len += end - start + 1;
          if (lower_off > UINT32_MAX)
            {
              errno = EOVERFLOW;
              return -1;
            }
        }
      else if ((lower_off = store_lower (b, s + start, end - start)) < 0)
        return -1;

      struct word_info info;
      info.first_class = first_class;
      info.list_number = false;
      /* Most words are separated by one space: nothing to look at.  */
      struct gap g;
      bool simple_gap = have_prev && start == prev_end + 1 && s[prev_end] == ' ';
      size_t li = simple_gap ? prev_line : line_of (lines, nlines, &cursor, start);

      if (simple_gap)
        {
          memset (&g, 0, sizeof g);
          g.line_end = prev_end;
        }
      else
        scan_gap (s, len, have_prev ? prev_end : 0, start, &g);
      if (only_digits && end - start <= 3 && consumed < len && (s[consumed] == '.' || s[consumed] == ')')
          && (consumed + 1 >= len || is_space ((unsigned char) s[consumed + 1]))
          && (start == lines[li].lead || (g.bullet && g.word_starts_line)))
        info.list_number = true;

      struct text_token *tk = &t->tok[t->ntok];
      tk->off = start;
      tk->len = end - start;
      tk->lower_off = lower_off;
      tk->mask = t->mask[start];
      tk->punct_before = g.punct_before;

      bool split = false, force_initial = false;
      if (have_prev && !simple_gap)
        {
          unsigned sflags = 0;
          size_t send = 0;
          if (g.term_end
              && terminator_ends_sentence (s, &g, &prev_info, &info, t->lower + lower_off, t->all_lower,
                                           &force_initial))
            {
              split = true;
              send = g.term_end;
              /* Closing marks after the terminator belong to the sentence, the space does not.  */
              sflags = (g.term_question ? SENT_QUESTION : 0) | (g.term_exclaim ? SENT_EXCLAIM : 0);
            }
          else if (g.soft_end && !g.term_end && ((first_class & CH_UPPER) || t->all_lower))
            {
              split = true;
              send = g.soft_end;
            }
          else if ((g.newlines
                    && line_break_ends_sentence (s, &g, &lines[prev_line], &lines[li], &info,
                                                 info.list_number, t->all_lower))
                   || (t->mask[prev_end > 0 ? prev_end - 1 : 0] & MASK_BLOCK)
                   != (t->mask[start] & MASK_BLOCK))
            {
              split = true;
              send = g.line_end;
              if (send > prev_end)
                {
                  unsigned char e = s[send - 1];
                  sflags = e == '?' ? SENT_QUESTION : e == '!' ? SENT_EXCLAIM : 0;
                }
            }
          if (split)
            {
              close_sentence (t, send, sflags, sent_upper, sent_lower);
              sent_upper = sent_lower = 0;
            }
        }
      if (!have_prev || split)
        {
          if (open_sentence (b, t->ntok, start, &lines[li]) < 0)
            return -1;
          flags |= TOK_INITIAL;
        }
      if (g.initial || force_initial || (prev_info.list_number && have_prev))
        flags |= TOK_INITIAL;
      tk = &t->tok[t->ntok];
      tk->flags = flags;
      tk->sentence = t->nsent - 1;
      t->ntok++;
      sent_upper += upper;
      sent_lower += lower;

      prev_info = info;
      prev_end = consumed;
      prev_line = li;
      have_prev = true;

      if (HAVE_FAST_PATHS && pos + 1 < len)
        {
          struct run r = { pos, cursor, prev_line, sent_upper, sent_lower };
          int taken = fast_words (b, lines, nlines, &r);
          if (taken < 0)
            return -1;
          if (taken)
            {
              /* (the last word is a fast-path word: no list number) */
              prev_info.list_number = false;
              prev_end = pos = r.pos;
              cursor = r.cursor;
              prev_line = r.prev_line;
              sent_upper = r.sent_upper;
              sent_lower = r.sent_lower;
            }
        }
    }

  if (t->nsent)
    {
      /* The last sentence runs to its terminator or the end of its line.  */
      size_t p = prev_end, end = prev_end;
      unsigned sflags = 0;
      bool in_run = true;
      while (p < len && s[p] != '\n')
        {
          if (is_space ((unsigned char) s[p]))
            {
              in_run = false;
              p++;
              continue;
            }
          ucs4_t c;
          int n = next_char (s, len, p, &c);
          if (in_run && c == '?')
            sflags |= SENT_QUESTION;
          if (in_run && c == '!')
            sflags |= SENT_EXCLAIM;
          if (!is_terminator (c) && !is_closer_mark (c))
            in_run = false;
          p += n;
          end = p;
        }
      close_sentence (t, end, sflags, sent_upper, sent_lower);
    }

  /* A salutation or closing that shares its line with other sentences ("Hey! Lasst uns ...",
     "Bist du dabei? Liebe Grüße"): the first own sentence, or any sentence, as a whole.  */
  bool first_own = true;
  for (size_t i = 0; i < t->nsent; i++)
    {
      struct text_sentence *st = &t->sent[i];
      if (t->mask[st->off] & (MASK_BLOCK | TEXT_CODE))
        continue;
      bool first = first_own;
      first_own = false;
      if ((st->flags & SENT_GREETING) || st->end - st->off > 80 || st->ntok > 6)
        continue;
      const char *p = s + st->off;
      size_t n = st->end - st->off;
      if ((first && !(st->flags & SENT_QUESTION) && is_greeting (p, n, true)) || is_closing (p, n))
        st->flags |= SENT_GREETING;
    }
  return 0;
}

/* ------------------------------------------------------------------ entry points */

/* Most texts have no quoted line, so every mask byte is read: eight at a time. */
bool
text_has_quoted (const struct text *t)
{
  if (!t->mask)
    return false;
  const uint64_t quoted = UINT64_C (0x0101010101010101) * TEXT_QUOTED;
  size_t i = 0;
  for (; i + 8 <= t->len; i += 8)
    {
      uint64_t w;
      memcpy (&w, t->mask + i, 8);
      if (w & quoted)
        return true;
    }
  for (; i < t->len; i++)
    if (t->mask[i] & TEXT_QUOTED)
      return true;
  return false;
}

int
text_analyze (struct text *t, const char *s, size_t len)
{
  memset (t, 0, sizeof *t);
  if (len > UINT32_MAX)
    {
      errno = EOVERFLOW;
      return -1;
    }
  if (len == 0)
    s = "";                     /* memchr and friends want a real pointer even for 0 bytes */
  t->s = s;
  t->len = len;
  t->mask = calloc (len ? len : 1, 1);
  if (!t->mask)
    goto fail;

  struct line *lines = NULL;
  size_t nlines = 0;
  if (split_lines (s, len, &lines, &nlines) < 0)
    goto fail;
  compute_masks (s, len, lines, nlines, t->mask);
  t->all_lower = text_is_all_lower (s, len, t->mask);

  struct builder b = { t, 0, 0, 0, 0 };
  size_t guess = len / 6 + 16;
  if (grow ((void **) &t->tok, &b.tok_cap, guess, sizeof *t->tok) < 0
      || grow ((void **) &t->sent, &b.sent_cap, len / 80 + 8, sizeof *t->sent) < 0
      /* Room for every word, its NUL and the growth of lower-casing (İ: 2 bytes to 3), so the
         ASCII fast path in segment never checks: at most 2 * LEN + 2 bytes.  */
      || grow ((void **) &t->lower, &b.lower_cap, 2 * len + 2, 1) < 0
      || segment (&b, lines, nlines) < 0
      || grow ((void **) &t->lower, &b.lower_cap, b.lower_len + TEXT_LOWER_PAD, 1) < 0)
    {
      int e = errno;
      free (lines);
      text_free (t);
      errno = e;
      return -1;
    }
  free (lines);
  /* The padding text.h promises, so that eight bytes can be read from any word's start.  */
  memset (t->lower + b.lower_len, 0, TEXT_LOWER_PAD);
  return 0;

fail:
  text_free (t);
  errno = ENOMEM;
  return -1;
}

void
text_free (struct text *t)
{
  free (t->mask);
  free (t->tok);
  free (t->sent);
  free (t->lower);
  memset (t, 0, sizeof *t);
}
