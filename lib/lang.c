/* lang.c: guess German or English from function words, cheap enough to run per sentence. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "lang.h"

#include <string.h>

/* Frequent words that are common in one language and rare in the other.  Words that are
   frequent in both ("was", "will", "in", "an", "am", "so", "also", "man") are left out: they
   cannot tell the languages apart.  One list, sorted by strcmp, each word tagged with its
   language: a word is looked up once, not once per language. */
enum { FUNCTION_WORD_MAX = 6 };  /* bytes in the longest word below */

static const struct function_word
{
  char word[FUNCTION_WORD_MAX + 1];
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

/* The language W is a function word of ('d' or 'e'), or 0.  Called for every word of every
   sentence a language-bound rule looks at, so it avoids bsearch's indirect calls: most words
   are longer than any function word, and the first byte settles most probes. */
static char
function_word_lang (const char *w)
{
  if (strnlen (w, FUNCTION_WORD_MAX + 1) > FUNCTION_WORD_MAX)
    return 0;
  size_t lo = 0, hi = sizeof function_words / sizeof *function_words;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      const char *e = function_words[mid].word;
      int c = (unsigned char) w[0] - (unsigned char) e[0];
      if (c == 0)
        c = strcmp (w, e);
      if (c == 0)
        return function_words[mid].lang;
      if (c < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return 0;
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
      const char *w = text_lower (t, i);
      char lang = function_word_lang (w);
      if (lang == 'd' || (lang == 0 && has_german_letter (w)))
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
