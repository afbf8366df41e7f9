/* lang.c: guess German or English from function words, cheap enough to run per sentence. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "lang.h"

#include <stdbool.h>
#include <string.h>

/* Frequent words that are common in one language and rare in the other.  Words that are
   frequent in both ("was", "will", "in", "an", "am", "so", "also", "man") are left out: they
   cannot tell the languages apart.  One list, sorted by strcmp, each word tagged with its
   language: a word is looked up once, not once per language. */
enum { FUNCTION_WORD_MAX = LANG_FUNCTION_WORD_MAX };  /* bytes in the longest word below */

static const struct function_word
{
  char word[8];                 /* NUL-padded: entry_key reads all eight bytes */
  char lang;                    /* 'd' German, 'e' English */
} function_words[] = {
  {"a", 'e'}, {"aber", 'd'}, {"about", 'e'}, {"als", 'd'}, {"and", 'e'}, {"any", 'e'},
  {"are", 'e'}, {"at", 'e'}, {"auch", 'd'}, {"auf", 'd'}, {"aus", 'd'}, {"be", 'e'},
  {"been", 'e'}, {"bei", 'd'}, {"bin", 'd'}, {"bist", 'd'}, {"bitte", 'd'}, {"but", 'e'},
  {"can", 'e'}, {"could", 'e'}, {"danke", 'd'}, {"das", 'd'}, {"dass", 'd'}, {"dein", 'd'},
  {"deine", 'd'}, {"deinen", 'd'}, {"dem", 'd'}, {"den", 'd'}, {"denn", 'd'}, {"der", 'd'},
  {"des", 'd'}, {"dich", 'd'}, {"did", 'e'}, {"die", 'd'}, {"dir", 'd'}, {"do", 'e'},
  {"doch", 'd'}, {"does", 'e'}, {"du", 'd'}, {"durch", 'd'}, {"ein", 'd'}, {"eine", 'd'},
  {"einem", 'd'}, {"einen", 'd'}, {"einer", 'd'}, {"er", 'd'}, {"es", 'd'}, {"euch", 'd'},
  {"euer", 'd'}, {"eure", 'd'}, {"for", 'e'}, {"from", 'e'}, {"gerne", 'd'}, {"get", 'e'},
  {"gibt", 'd'}, {"habe", 'd'}, {"haben", 'd'}, {"had", 'e'}, {"hallo", 'd'}, {"has", 'e'},
  {"hast", 'd'}, {"hat", 'd'}, {"have", 'e'}, {"he", 'e'}, {"hello", 'e'}, {"hi", 'e'},
  {"how", 'e'}, {"i", 'e'}, {"ich", 'd'}, {"if", 'e'}, {"ihnen", 'd'}, {"ihr", 'd'},
  {"ihre", 'd'}, {"is", 'e'}, {"ist", 'd'}, {"it", 'e'}, {"its", 'e'}, {"ja", 'd'},
  {"jetzt", 'd'}, {"just", 'e'}, {"kann", 'd'}, {"kannst", 'd'}, {"keine", 'd'}, {"kurz", 'd'},
  {"kurze", 'd'}, {"let", 'e'}, {"mal", 'd'}, {"me", 'e'}, {"mehr", 'd'}, {"mich", 'd'},
  {"mir", 'd'}, {"mit", 'd'}, {"my", 'e'}, {"nach", 'd'}, {"nicht", 'd'}, {"noch", 'd'},
  {"not", 'e'}, {"nur", 'd'}, {"oder", 'd'}, {"of", 'e'}, {"on", 'e'}, {"or", 'e'},
  {"our", 'e'}, {"please", 'e'}, {"quick", 'e'}, {"schon", 'd'}, {"sehr", 'd'}, {"sein", 'd'},
  {"she", 'e'}, {"should", 'e'}, {"sich", 'd'}, {"sie", 'd'}, {"sind", 'd'}, {"thanks", 'e'},
  {"that", 'e'}, {"the", 'e'}, {"their", 'e'}, {"there", 'e'}, {"they", 'e'}, {"this", 'e'},
  {"to", 'e'}, {"und", 'd'}, {"uns", 'd'}, {"unser", 'd'}, {"unsere", 'd'}, {"us", 'e'},
  {"vom", 'd'}, {"von", 'd'}, {"vor", 'd'}, {"war", 'd'}, {"we", 'e'}, {"weil", 'd'},
  {"wenn", 'd'}, {"wer", 'd'}, {"werden", 'd'}, {"were", 'e'}, {"what", 'e'}, {"when", 'e'},
  {"which", 'e'}, {"who", 'e'}, {"why", 'e'}, {"wie", 'd'}, {"wir", 'd'}, {"wird", 'd'},
  {"with", 'e'}, {"wo", 'd'}, {"would", 'e'}, {"you", 'e'}, {"your", 'e'}, {"zu", 'd'},
  {"zum", 'd'}, {"zur", 'd'},
};

/* Where the words of each first two bytes start in function_words: those whose first byte is
   'a' + F and whose second is NUL (S == 0) or 'a' + S - 1 are function_words[pair_start[27 * F
   + S] .. pair_start[27 * F + S + 1]).  Every table word is made of the letters a to z, and the
   order of the pairs is strcmp's, so the ranges follow each other.  test-lang checks it against
   the table, so a word added there without updating this fails the tests. */
enum { PAIR_SECONDS = 27 };
static const uint8_t pair_start[26 * PAIR_SECONDS + 1] = {
  0, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 6, 6, 6, 6, 7, 7, 8, 11, 11, 11, 11, 11, 11, 11, 11,
  11, 11, 11, 14, 14, 14, 14, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 18, 18, 18, 18, 18,
  18, 18, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 20, 20, 20, 20, 20, 20, 20, 20,
  20, 20, 20, 20, 20, 23, 23, 23, 23, 31, 31, 31, 31, 35, 35, 35, 35, 35, 35, 38, 38, 38, 38, 38,
  38, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 45, 45, 45, 45, 45, 45, 45, 45,
  45, 46, 47, 47, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50,
  50, 51, 51, 51, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52, 54, 54, 54, 54, 55, 55,
  55, 55, 55, 55, 55, 55, 55, 55, 55, 55, 55, 55, 55, 55, 55, 55, 55, 63, 63, 63, 63, 65, 65, 65,
  65, 66, 66, 66, 66, 66, 66, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 68, 68, 68, 69, 69,
  69, 70, 70, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73, 75, 77, 77, 77, 77, 77, 77, 77, 77, 78,
  78, 78, 78, 79, 79, 79, 79, 79, 79, 79, 79, 79, 79, 79, 79, 79, 79, 79, 79, 80, 80, 80, 80, 80,
  80, 80, 82, 82, 82, 82, 83, 83, 83, 83, 83, 83, 83, 83, 83, 83, 83, 83, 83, 83, 83, 83, 85, 85,
  85, 85, 85, 85, 85, 85, 85, 85, 85, 86, 86, 86, 86, 86, 86, 86, 86, 86, 86, 86, 86, 86, 86, 86,
  86, 86, 86, 86, 86, 86, 86, 86, 87, 87, 87, 87, 89, 89, 89, 89, 92, 92, 92, 92, 92, 92, 92, 92,
  92, 92, 92, 92, 92, 92, 92, 92, 93, 93, 93, 94, 94, 94, 94, 94, 94, 94, 94, 95, 95, 95, 95, 95,
  95, 97, 97, 97, 97, 97, 97, 98, 98, 98, 98, 98, 98, 98, 98, 98, 98, 99, 99, 100, 100, 100, 100,
  100, 100, 100, 100, 101, 101, 101, 101, 102, 102, 102, 103, 103, 103, 103, 103, 103, 103, 103,
  103, 103, 103, 103, 103, 103, 103, 103, 103, 103, 104, 104, 104, 104, 104, 104, 104, 104, 104,
  104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104,
  104, 104, 104, 104, 104, 104, 104, 104, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105,
  105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105,
  105, 105, 105, 105, 105, 105, 106, 106, 108, 108, 108, 110, 113, 113, 113, 113, 113, 113, 113,
  113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113,
  120, 120, 120, 120, 120, 120, 120, 121, 121, 121, 121, 121, 121, 121, 121, 121, 121, 121, 121,
  121, 121, 121, 121, 121, 121, 121, 121, 121, 121, 121, 121, 121, 121, 125, 125, 125, 125, 125,
  126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126,
  126, 126, 126, 126, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 130, 130,
  130, 130, 136, 136, 136, 141, 145, 145, 145, 145, 145, 145, 147, 147, 147, 147, 147, 147, 147,
  147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147,
  147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147,
  147, 147, 147, 147, 147, 147, 147, 147, 147, 149, 149, 149, 149, 149, 149, 149, 149, 149, 149,
  149, 149, 149, 149, 149, 149, 149, 149, 149, 149, 149, 149, 149, 149, 149, 149, 149, 149, 149,
  149, 149, 149, 149, 152, 152, 152, 152, 152, 152
};

/* The first eight bytes of the NUL-padded table word F as a number whose order is strcmp's: the
   first byte most significant. */
static inline uint64_t
entry_key (const struct function_word *f)
{
#if defined __GNUC__ && defined __BYTE_ORDER__ && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t x;
  memcpy (&x, f->word, 8);
  return __builtin_bswap64 (x);
#else
  uint64_t x = 0;
  for (int k = 0; k < 8; k++)
    x = x << 8 | (unsigned char) f->word[k];
  return x;
#endif
}

/* ä, ö, ü and ß (UTF-8, lower case) are German evidence of their own: English has none. */
static bool
has_german_letter (const char *w)
{
  for (; *w; w++)
    if ((unsigned char) w[0] == 0xC3 && w[1]
        && ((unsigned char) w[1] == 0xA4 || (unsigned char) w[1] == 0xB6
            || (unsigned char) w[1] == 0xBC || (unsigned char) w[1] == 0x9F))
      return true;
  return false;
}

/* The language of the table word whose key (the order of entry_key) is KEY, or 0: KEY is
   compared, one instruction each, with the one to three table words of its first two bytes. */
static inline char
key_lang (uint64_t key)
{
  unsigned first = (unsigned) (key >> 56) - 'a', second = (unsigned) (key >> 48) & 0xFF;
  /* every table word is made of the letters a to z */
  if (first > 'z' - 'a' || (second != 0 && second - 'a' > 'z' - 'a'))
    return 0;
  size_t pair = PAIR_SECONDS * first + (second ? second - 'a' + 1 : 0);
  for (size_t i = pair_start[pair]; i < pair_start[pair + 1]; i++)
    {
      uint64_t e = entry_key (&function_words[i]);
      if (e >= key)
        return e == key ? function_words[i].lang : 0;
    }
  return 0;
}

/* The evidence word W gives: 'd' for a German function word or a word with a German letter,
   'e' for an English function word, else 0.  The portable form of lower_word_lang, which
   lang_guess uses where the compiler and byte order allow eight-byte reads: one pass over the
   word's first bytes makes its key (the order of entry_key) and tells whether a German letter
   may follow; only a longer word, or one with a byte above ASCII, is looked at again. */
static inline char
word_lang (const char *w)
{
  uint64_t key = 0;
  unsigned high = 0;
  int k = 0;
  for (; k <= FUNCTION_WORD_MAX; k++)
    {
      unsigned char c = w[k];
      if (c == 0)
        break;
      high |= c;
      key |= (uint64_t) c << (56 - 8 * k);    /* (at k == FUNCTION_WORD_MAX, unused) */
    }
  if (k <= FUNCTION_WORD_MAX)
    {
      char lang = key_lang (key);
      if (lang)
        return lang;
      if (!(high & 0x80))
        return 0;               /* short and ASCII: no German letter */
    }
  /* A German letter starts with a byte above ASCII: none in the bytes read, none starts there. */
  return has_german_letter (high & 0x80 ? w : w + k) ? 'd' : 0;
}

#if defined __GNUC__ && defined __BYTE_ORDER__ && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* has_german_letter for a word of text.lower, eight bytes at a time: the padding
   (TEXT_LOWER_PAD) lets eight bytes be read from any byte up to the word's NUL.  Long words
   (eight bytes or more) are a tenth of all and were most of the time spent here. */
static inline bool
lower_has_german_letter (const char *w)
{
  const uint64_t ones = UINT64_C (0x0101010101010101), highs = UINT64_C (0x8080808080808080);
  const uint64_t low7 = ~highs;
  for (;; w += 8)
    {
      uint64_t x;
      memcpy (&x, w, 8);
      uint64_t nul = (x - ones) & ~x & highs;   /* exact for the first NUL byte */
      uint64_t y = x ^ (ones * 0xC3);
      uint64_t lead = ~(((y & low7) + low7) | y | low7);        /* every 0xC3 byte, exactly */
      if (nul)
        lead &= (nul & -nul) - 1;       /* only those before the NUL */
      for (; lead; lead &= lead - 1)
        {
          unsigned char next = w[__builtin_ctzll (lead) / 8 + 1];
          if (next == 0xA4 || next == 0xB6 || next == 0xBC || next == 0x9F)
            return true;
        }
      if (nul)
        return false;
    }
}

/* word_lang for a word of text.lower, whose padding (TEXT_LOWER_PAD) lets eight bytes be read
   at once: the first NUL among them gives the length, and the bytes before it the key. */
static inline char
lower_word_lang (const char *w)
{
  enum { PAD_OK = 1 / (TEXT_LOWER_PAD >= 8) };
  const uint64_t ones = UINT64_C (0x0101010101010101), highs = UINT64_C (0x8080808080808080);
  uint64_t x;
  memcpy (&x, w, 8);
  uint64_t nul = (x - ones) & ~x & highs;       /* exact for the first NUL byte */
  if (!nul)
    return lower_has_german_letter (w) ? 'd' : 0;       /* eight bytes or more */
  unsigned len = (unsigned) __builtin_ctzll (nul) / 8;
  if (len == 0)
    return 0;
  uint64_t bytes = x & ((UINT64_C (1) << (8 * len)) - 1);
  if (len <= FUNCTION_WORD_MAX)
    {
      char lang = key_lang (__builtin_bswap64 (bytes));
      if (lang)
        return lang;
    }
  if (!(bytes & highs))
    return 0;                   /* ASCII: no German letter */
  return lower_has_german_letter (w) ? 'd' : 0;
}
#else
# define lower_word_lang word_lang
#endif

char
lang_word_evidence (const char *w)
{
  return lower_word_lang (w);
}

const char *
lang_guess (const struct text *t, size_t sentence)
{
  size_t first, end;
  if (sentence == LANG_WHOLE_TEXT)
    {
      first = 0;
      end = t->ntok;
    }
  else if (sentence < t->nsent)
    {
      first = t->sent[sentence].first_tok;
      end = first + t->sent[sentence].ntok;
      if (end > t->ntok)
        end = t->ntok;
    }
  else
    return NULL;

  size_t german = 0, english = 0;
  for (size_t i = first; i < end; i++)
    {
      if (t->tok[i].mask & TEXT_NOT_OWN)
        continue;
      char lang = lower_word_lang (text_lower (t, i));
      if (lang == 'd')
        german++;
      else if (lang == 'e')
        english++;
    }
  if (german > english)
    return "de";
  if (english > german)
    return "en";
  return NULL;
}
