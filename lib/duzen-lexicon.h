/* duzen-lexicon.h: the word lists and verb-table types behind detect-duzen (private to lib/). */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_DUZEN_LEXICON_H
#define RITTBERGER_DUZEN_LEXICON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- the verb table (lib/verbforms.c, generated from rules/verbforms-2p.tsv) ---- */

/* Cells a form realises (bit values fixed by build-aux/gen-verbforms.sh). */
enum duzen_verb_cell
{
  VF_PRS_2SG = 1 << 0,
  VF_PRT_2SG = 1 << 1,
  VF_SBJ1_2SG = 1 << 2,
  VF_SBJ2_2SG = 1 << 3,
  VF_PRS_2PL = 1 << 4,
  VF_PRT_2PL = 1 << 5,
  VF_SBJ1_2PL = 1 << 6,
  VF_SBJ2_2PL = 1 << 7,
  VF_IMP_SG = 1 << 8,
  VF_CLITIC = 1 << 9,
};
#define VF_2SG (VF_PRS_2SG | VF_PRT_2SG | VF_SBJ1_2SG | VF_SBJ2_2SG)
#define VF_2PL (VF_PRS_2PL | VF_PRT_2PL | VF_SBJ1_2PL | VF_SBJ2_2PL)

/* Categories in which every row of the form had unique=1 (no other person or number). */
enum duzen_verb_unique
{
  VU_2SG = 1 << 0,
  VU_2PL = 1 << 1,
  VU_IMP = 1 << 2,
  VU_CLITIC = 1 << 3,
};

enum duzen_verb_flag
{
  VFL_NOUN = 1 << 0,            /* a capitalised noun exists (Dienst, Macht) */
  VFL_HOMOGRAPH = 1 << 1,       /* a known adverb or adjective (einst) */
  VFL_LOWPRON = 1 << 2,         /* rarely near du/ihr in the corpus: probably another word */
  VFL_WORD = 1 << 3,            /* the clitic is an existing word (liebste) */
  VFL_OTHER_PRT = 1 << 4,       /* also a preterite of another cell (musste, passte) */
  VFL_OTHER_1SG = 1 << 5,       /* also a first person singular (melde, schicke) */
};

struct duzen_verbform
{
  const char *form;             /* lower case, NFC UTF-8 */
  uint16_t cells;               /* enum duzen_verb_cell */
  uint8_t unique;               /* enum duzen_verb_unique */
  uint8_t flags;                /* enum duzen_verb_flag */
};

/* The table, sorted by strcmp of form. */
extern const struct duzen_verbform duzen_verbforms[];
extern const size_t duzen_nverbforms;
/* Open-addressing hash of the table: slot (duzen_hash (form) + k) % DUZEN_VERB_SLOTS holds
   index + 1, 0 = empty. */
#define DUZEN_VERB_SLOTS 16384
extern const uint16_t duzen_verbform_slot[DUZEN_VERB_SLOTS];

/* The hash the verb table is laid out by (build-aux/gen-verbforms.sh computes the same in awk):
   h = h * 31 + byte, modulo 2^32, over the bytes of the lower-cased word. */
static inline uint32_t
duzen_hash (const char *word)
{
  uint32_t h = 0;
  for (const unsigned char *p = (const unsigned char *) word; *p; p++)
    h = h * 31 + *p;
  return h;
}

/* The key of the NUL-terminated WORD, read byte by byte. */
static inline uint64_t
duzen_word_key (const char *word)
{
  uint64_t k = 0;
  for (int b = 0; b < 8 && word[b]; b++)
    k |= (uint64_t) (unsigned char) word[b] << (8 * b);
  return k;
}

/* duzen_word_key of the NUL-terminated WORD by one load: eight bytes must be readable at WORD,
   whatever its length (text.lower's TEXT_LOWER_PAD).  *LONG_WORD tells whether the word has eight
   bytes or more. */
static inline uint64_t
duzen_word_key_padded (const char *word, bool *long_word)
{
  uint64_t v;
#if defined __BYTE_ORDER__ && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy (&v, word, 8);
#else
  v = 0;
  for (int b = 7; b >= 0; b--)
    v = v << 8 | (unsigned char) word[b];
#endif
  /* The lowest bit of ZEROS marks the word's NUL (bits above it may be false). */
  uint64_t zeros = (v - UINT64_C (0x0101010101010101)) & ~v & UINT64_C (0x8080808080808080);
  *long_word = zeros == 0;
  /* ZEROS ^ (ZEROS - 1) sets every bit up to that lowest one: the word's bytes and its NUL,
     which is zero in V anyway (all 64 when there is no NUL).  Three operations where isolating
     the bit and shifting it took five. */
  return v & (zeros ^ (zeros - 1));
}

/* A filter in front of the table, which is too large to stay in the cache between messages
   (32 KB of slots, 118 KB of rows, then the form): bits duzen_verb_filter_bit1 (k) and
   duzen_verb_filter_bit2 (k) are set for every form's key k (its first eight bytes, see
   duzen_word_key; forms that share them share the bits).  Most words looked up are no verb
   form; the filter, 8 KB, turns away nearly all of them after two multiplications. */
#define DUZEN_VERB_FILTER_BITS 65536
extern const unsigned char duzen_verbform_filter[DUZEN_VERB_FILTER_BITS / 8];

static inline uint32_t
duzen_verb_filter_bit1 (uint64_t key)
{
  return (uint32_t) ((uint32_t) key * UINT32_C (2654435761)
                     + (uint32_t) (key >> 32) * UINT32_C (2246822519)) >> 16;
}

static inline uint32_t
duzen_verb_filter_bit2 (uint64_t key)
{
  return (uint32_t) ((uint32_t) key * UINT32_C (3266489917)
                     + (uint32_t) (key >> 32) * UINT32_C (668265263)) >> 16;
}

/* Whether a form with key KEY may be in the table (false: it is not). */
static inline bool
duzen_verb_maybe (uint64_t key)
{
  uint32_t a = duzen_verb_filter_bit1 (key), b = duzen_verb_filter_bit2 (key);
  return (duzen_verbform_filter[a >> 3] >> (a & 7) & duzen_verbform_filter[b >> 3] >> (b & 7) & 1) != 0;
}

/* ---- closed word classes (lower case) ---- */

struct duzen_word
{
  const char *word;
  uint64_t classes;             /* L_* bits */
};

/* Word classes.  DU_PRON du/dich/dir; DU_POSS dein-; IHR ihr; IHRE ihre/ihren/...; EUCH; EUER
   euer/eure/...; SIE; IHNEN; PREP prepositions (ihr after them is dative); PARTICLE may stand
   between verb and ihr; IMP_PART particles that mark an imperative; SUBJ subject pronouns; SEP
   separable verb particles; HELLO greetings before a vocative ihr; T_GREET informal greetings;
   AUX auxiliaries after a participle; TITLE Euer Ehren/Majestät; CONJ_DROP words a dropped du
   may follow; IMP_LEAD words an imperative may follow; GREET_ADJ Liebe/Beste/Danke, never
   imperatives; HONORIFIC Herr/Frau; VOCATIVE ihr beiden/Lieben; ALLE_BEIDE; DUZEN duzen/siezen;
   ARTICLE das/beim/per before a nominal Du; STRONG_DROP verbs whose dropped du is strong;
   CLOSING_T/V closings; OFFER words of an offer to duzen; IMP_EXTRA imperatives missing from the
   verb table; ENTSCHULDIG; QUESTION_W; CUE words that open a greeting or closing; SUBORD
   subordinators; DET determiners; DE/EN/FR/NL/SC/ES/IT function words for the language gate. */
#define L_DU_PRON        (UINT64_C (1) << 0)
#define L_DU_POSS        (UINT64_C (1) << 1)
#define L_IHR            (UINT64_C (1) << 2)
#define L_IHRE           (UINT64_C (1) << 3)
#define L_EUCH           (UINT64_C (1) << 4)
#define L_EUER           (UINT64_C (1) << 5)
#define L_SIE            (UINT64_C (1) << 6)
#define L_IHNEN          (UINT64_C (1) << 7)
#define L_PREP           (UINT64_C (1) << 8)
#define L_PARTICLE       (UINT64_C (1) << 9)
#define L_IMP_PART       (UINT64_C (1) << 10)
#define L_SUBJ           (UINT64_C (1) << 11)
#define L_SEP            (UINT64_C (1) << 12)
#define L_HELLO          (UINT64_C (1) << 13)
#define L_T_GREET        (UINT64_C (1) << 14)
#define L_AUX            (UINT64_C (1) << 15)
#define L_TITLE          (UINT64_C (1) << 16)
#define L_CONJ_DROP      (UINT64_C (1) << 17)
#define L_IMP_LEAD       (UINT64_C (1) << 18)
#define L_GREET_ADJ      (UINT64_C (1) << 19)
#define L_HONORIFIC      (UINT64_C (1) << 20)
#define L_VOCATIVE       (UINT64_C (1) << 21)
#define L_ALLE_BEIDE     (UINT64_C (1) << 22)
#define L_DUZEN          (UINT64_C (1) << 23)
#define L_ARTICLE        (UINT64_C (1) << 24)
#define L_STRONG_DROP    (UINT64_C (1) << 25)
#define L_CLOSING_T      (UINT64_C (1) << 26)
#define L_CLOSING_V      (UINT64_C (1) << 27)
#define L_OFFER          (UINT64_C (1) << 28)
#define L_IMP_EXTRA      (UINT64_C (1) << 29)
#define L_ENTSCHULDIG    (UINT64_C (1) << 30)
#define L_QUESTION_W     (UINT64_C (1) << 31)
#define L_CUE            (UINT64_C (1) << 32)
#define L_SUBORD         (UINT64_C (1) << 33)
#define L_DET            (UINT64_C (1) << 34)
#define L_DE             (UINT64_C (1) << 35)
#define L_EN             (UINT64_C (1) << 36)
#define L_FR             (UINT64_C (1) << 37)
#define L_NL             (UINT64_C (1) << 38)
#define L_SC             (UINT64_C (1) << 39)
#define L_ES             (UINT64_C (1) << 40)
#define L_IT             (UINT64_C (1) << 41)

/* Closed word classes, sorted bytewise (strcmp order); keep new words in order and update
   duzen_word_slot below (tests/unit/test-duzen.c checks both).  A word may belong to several
   classes. */
static const struct duzen_word duzen_words[] = {
  {"ab", L_PREP | L_SEP},
  {"aber", L_CONJ_DROP | L_DE},
  {"about", L_EN},
  {"af", L_SC},
  {"al", L_ES},
  {"alle", L_VOCATIVE | L_ALLE_BEIDE},
  {"allen", L_VOCATIVE},
  {"allesamt", L_ALLE_BEIDE},
  {"als", L_SUBORD},
  {"also", L_CONJ_DROP | L_IMP_LEAD},
  {"an", L_PREP | L_SEP},
  {"anbieten", L_OFFER},
  {"anche", L_IT},
  {"and", L_EN},
  {"are", L_EN},
  {"at", L_EN},
  {"att", L_SC},
  {"au", L_FR},
  {"auch", L_PARTICLE | L_DE},
  {"auf", L_PREP | L_SEP | L_DE},
  {"aufs", L_ARTICLE},
  {"aus", L_PREP | L_SEP | L_DE},
  {"aux", L_FR},
  {"außer", L_PREP},
  {"avec", L_FR},
  {"be", L_EN},
  {"bei", L_PREP | L_DE},
  {"beide", L_ALLE_BEIDE},
  {"beiden", L_VOCATIVE},
  {"beim", L_ARTICLE | L_DE},
  {"ben", L_NL},
  {"bereit", L_SEP},
  {"beste", L_GREET_ADJ},
  {"besten", L_GREET_ADJ},
  {"bester", L_GREET_ADJ},
  {"bevor", L_SUBORD},
  {"bis", L_PREP | L_CUE | L_SUBORD | L_DE},
  {"bist", L_STRONG_DROP | L_DE},
  {"bitte", L_IMP_PART | L_IMP_LEAD | L_GREET_ADJ | L_DE},
  {"bleiben", L_OFFER},
  {"buch", L_IMP_EXTRA},
  {"bussi", L_CLOSING_T},
  {"but", L_EN},
  {"by", L_EN},
  {"can", L_EN},
  {"ce", L_FR},
  {"ces", L_FR},
  {"cette", L_FR},
  {"che", L_IT},
  {"check", L_IMP_EXTRA},
  {"cheers", L_CLOSING_T},
  {"ciao", L_CLOSING_T | L_IT},
  {"con", L_ES | L_IT},
  {"could", L_EN},
  {"cu", L_CLOSING_T},
  {"cómo", L_ES},
  {"damit", L_SUBORD},
  {"dank", L_PREP},
  {"danke", L_GREET_ADJ | L_DE},
  {"dann", L_IMP_LEAD | L_DE},
  {"dans", L_FR},
  {"darfst", L_STRONG_DROP | L_OFFER},
  {"das", L_ARTICLE | L_DET | L_DE},
  {"dass", L_SUBORD | L_DE},
  {"dat", L_NL},
  {"daß", L_SUBORD | L_DE},
  {"de", L_FR | L_ES},
  {"dein", L_DU_POSS | L_DE | L_DE},
  {"deine", L_DU_POSS | L_DE},
  {"deinem", L_DU_POSS},
  {"deinen", L_DU_POSS | L_DE},
  {"deiner", L_DU_POSS},
  {"deinerseits", L_DU_POSS},
  {"deines", L_DU_POSS},
  {"deinesgleichen", L_DU_POSS},
  {"deinethalben", L_DU_POSS},
  {"deinetwegen", L_DU_POSS},
  {"deinetwillen", L_DU_POSS},
  {"deinige", L_DU_POSS},
  {"deinigem", L_DU_POSS},
  {"deinigen", L_DU_POSS},
  {"deiniger", L_DU_POSS},
  {"deiniges", L_DU_POSS},
  {"deins", L_DU_POSS},
  {"del", L_ES | L_IT},
  {"della", L_IT},
  {"dem", L_ARTICLE | L_DET | L_DE},
  {"den", L_DET | L_DE},
  {"denn", L_PARTICLE | L_DE},
  {"der", L_DET | L_DE},
  {"des", L_DET | L_DE | L_FR},
  {"det", L_SC},
  {"di", L_IT},
  {"dich", L_DU_PRON | L_DE},
  {"die", L_DET | L_DE},
  {"dir", L_DU_PRON | L_DE},
  {"do", L_EN},
  {"doch", L_PARTICLE | L_IMP_PART | L_DE},
  {"domani", L_IT},
  {"dr", L_HONORIFIC},
  {"drei", L_VOCATIVE},
  {"du", L_DU_PRON | L_SUBJ | L_DE},
  {"durch", L_PREP | L_SEP | L_DE},
  {"durchlaucht", L_TITLE},
  {"duze", L_DUZEN},
  {"duzen", L_DUZEN},
  {"duzens", L_DUZEN},
  {"duzerei", L_DUZEN},
  {"duzt", L_DUZEN},
  {"duzte", L_DUZEN},
  {"duzten", L_DUZEN},
  {"dürfen", L_OFFER},
  {"een", L_NL},
  {"ehren", L_TITLE},
  {"eigentlich", L_DE},
  {"ein", L_SEP | L_ARTICLE | L_DET | L_DE},
  {"eine", L_DET | L_DE},
  {"einem", L_DET | L_DE},
  {"einen", L_DET | L_DE},
  {"einer", L_DET | L_DE},
  {"eines", L_DET},
  {"einfach", L_IMP_PART | L_IMP_LEAD | L_OFFER},
  {"el", L_ES},
  {"elle", L_FR},
  {"eller", L_SC},
  {"eminenz", L_TITLE},
  {"entgegen", L_PREP},
  {"entschuldige", L_ENTSCHULDIG},
  {"entschuldigen", L_ENTSCHULDIG},
  {"entschuldigt", L_ENTSCHULDIG},
  {"er", L_SUBJ | L_DE},
  {"es", L_SUBJ | L_DE | L_ES},
  {"est", L_FR},
  {"está", L_ES},
  {"estás", L_ES},
  {"et", L_FR},
  {"ett", L_SC},
  {"euch", L_EUCH | L_DE | L_DE},
  {"euer", L_EUER | L_DE},
  {"euere", L_EUER},
  {"euerem", L_EUER},
  {"eueren", L_EUER},
  {"euerer", L_EUER},
  {"eueres", L_EUER},
  {"euerm", L_EUER},
  {"euern", L_EUER},
  {"eure", L_EUER | L_DE},
  {"eurem", L_EUER},
  {"euren", L_EUER},
  {"eurer", L_EUER},
  {"eurerseits", L_EUER},
  {"eures", L_EUER},
  {"euresgleichen", L_EUER},
  {"eurethalben", L_EUER},
  {"euretwegen", L_EUER},
  {"euretwillen", L_EUER},
  {"exzellenz", L_TITLE},
  {"falls", L_SUBORD},
  {"familie", L_HONORIFIC},
  {"fest", L_SEP},
  {"for", L_EN},
  {"frau", L_HONORIFIC},
  {"freundlichen", L_CUE},
  {"frohe", L_GREET_ADJ},
  {"from", L_EN},
  {"för", L_SC},
  {"fünf", L_VOCATIVE},
  {"für", L_PREP | L_DE},
  {"geduzt", L_DUZEN},
  {"gegen", L_PREP},
  {"gegenüber", L_PREP},
  {"gemäß", L_PREP},
  {"gerade", L_DE},
  {"gern", L_IMP_PART | L_OFFER},
  {"gerne", L_IMP_PART | L_OFFER | L_DE},
  {"gesiezt", L_DUZEN},
  {"gibt", L_DE},
  {"gnaden", L_TITLE},
  {"gracias", L_ES},
  {"grazie", L_IT},
  {"grüezi", L_CUE},
  {"grüss", L_IMP_EXTRA},
  {"grüß", L_IMP_EXTRA},
  {"gut", L_DE},
  {"gute", L_GREET_ADJ},
  {"guten", L_GREET_ADJ | L_CUE},
  {"habe", L_AUX | L_DE},
  {"haben", L_AUX | L_DE},
  {"hai", L_IT},
  {"hallo", L_HELLO | L_CUE | L_DE},
  {"hallöchen", L_HELLO | L_T_GREET},
  {"har", L_SC},
  {"hast", L_STRONG_DROP | L_DE},
  {"hat", L_AUX | L_DE},
  {"hatte", L_AUX},
  {"hatten", L_AUX},
  {"have", L_EN},
  {"heb", L_NL},
  {"hebt", L_NL},
  {"heeft", L_NL},
  {"heiligkeit", L_TITLE},
  {"hej", L_SC},
  {"her", L_SEP},
  {"heraus", L_SEP},
  {"herein", L_SEP},
  {"herr", L_HONORIFIC},
  {"herrn", L_HONORIFIC},
  {"herzliche", L_GREET_ADJ},
  {"herzlichen", L_GREET_ADJ},
  {"het", L_NL},
  {"heute", L_DE},
  {"hey", L_HELLO | L_T_GREET},
  {"hi", L_HELLO | L_T_GREET},
  {"hier", L_DE},
  {"hin", L_SEP},
  {"hinter", L_PREP},
  {"hoch", L_SEP},
  {"hochachtungsvoll", L_CLOSING_V},
  {"hoheit", L_TITLE},
  {"hola", L_ES},
  {"how", L_EN},
  {"huhu", L_HELLO | L_T_GREET},
  {"hur", L_SC},
  {"hvordan", L_SC},
  {"hätte", L_AUX},
  {"hätten", L_AUX},
  {"hättest", L_STRONG_DROP},
  {"i", L_EN},
  {"ich", L_SUBJ | L_DE},
  {"if", L_EN},
  {"ihnen", L_IHNEN | L_DE},
  {"ihr", L_IHR | L_SUBJ | L_DE},
  {"ihre", L_IHRE},
  {"ihrem", L_IHRE},
  {"ihren", L_IHRE},
  {"ihrer", L_IHRE},
  {"ihrerseits", L_IHRE},
  {"ihres", L_IHRE},
  {"ihresgleichen", L_IHRE},
  {"ihrethalben", L_IHRE},
  {"ihretwegen", L_IHRE},
  {"ihretwillen", L_IHRE},
  {"ihrige", L_IHRE},
  {"ihrigem", L_IHRE},
  {"ihrigen", L_IHRE},
  {"ihriger", L_IHRE},
  {"ihriges", L_IHRE},
  {"ik", L_NL},
  {"ikke", L_SC},
  {"il", L_FR | L_IT},
  {"im", L_DE},
  {"in", L_PREP},
  {"ins", L_ARTICLE | L_DE},
  {"inte", L_SC},
  {"is", L_EN | L_NL},
  {"ist", L_AUX | L_DE},
  {"it", L_EN},
  {"ja", L_PARTICLE | L_DE},
  {"jag", L_SC},
  {"je", L_FR | L_NL},
  {"jeg", L_SC},
  {"jetzt", L_IMP_LEAD | L_DE},
  {"jij", L_NL},
  {"jou", L_NL},
  {"jouw", L_NL},
  {"jullie", L_NL},
  {"just", L_EN},
  {"kan", L_SC},
  {"kann", L_DE},
  {"kannst", L_STRONG_DROP | L_OFFER | L_DE},
  {"kein", L_DE},
  {"keine", L_DE},
  {"klick", L_IMP_EXTRA},
  {"klicke", L_IMP_EXTRA},
  {"kunt", L_NL},
  {"kurz", L_DE},
  {"können", L_OFFER | L_DE},
  {"könntest", L_STRONG_DROP},
  {"la", L_FR | L_ES | L_IT},
  {"las", L_ES},
  {"lass", L_OFFER},
  {"lassen", L_OFFER},
  {"laut", L_PREP},
  {"le", L_FR},
  {"les", L_FR},
  {"lg", L_CLOSING_T},
  {"liebe", L_GREET_ADJ | L_CUE},
  {"lieben", L_VOCATIVE | L_CUE},
  {"lieber", L_GREET_ADJ | L_CUE},
  {"liebes", L_GREET_ADJ},
  {"liebste", L_GREET_ADJ | L_CUE},
  {"lo", L_ES},
  {"los", L_SEP | L_ES},
  {"ma", L_FR},
  {"maar", L_NL},
  {"magnifizenz", L_TITLE},
  {"magst", L_STRONG_DROP},
  {"mais", L_FR},
  {"majestät", L_TITLE},
  {"mal", L_PARTICLE | L_IMP_PART | L_DE},
  {"man", L_SUBJ},
  {"mañana", L_ES},
  {"me", L_EN},
  {"med", L_SC},
  {"mehr", L_DE},
  {"mein", L_DE},
  {"meine", L_DE},
  {"merci", L_FR},
  {"met", L_NL},
  {"mfg", L_CLOSING_V},
  {"mi", L_IT},
  {"mich", L_DE},
  {"mij", L_NL},
  {"mir", L_DE},
  {"mit", L_PREP | L_SEP | L_DE},
  {"moin", L_HELLO | L_T_GREET},
  {"mon", L_FR},
  {"morgon", L_SC},
  {"musst", L_STRONG_DROP},
  {"muy", L_ES},
  {"my", L_EN},
  {"möchte", L_DE},
  {"möchtest", L_STRONG_DROP},
  {"müsstest", L_STRONG_DROP},
  {"na", L_CONJ_DROP | L_CUE},
  {"naar", L_NL},
  {"nach", L_PREP | L_SEP | L_DE},
  {"nachdem", L_SUBORD},
  {"ne", L_FR},
  {"neben", L_PREP},
  {"nein", L_DE},
  {"nicht", L_DE | L_DE},
  {"niet", L_NL},
  {"no", L_EN},
  {"noch", L_PARTICLE | L_DE},
  {"non", L_IT},
  {"not", L_EN},
  {"nous", L_FR},
  {"nur", L_DE},
  {"ob", L_SUBORD | L_DE},
  {"obwohl", L_SUBORD},
  {"och", L_SC},
  {"oder", L_CONJ_DROP | L_IMP_LEAD | L_DE},
  {"of", L_EN},
  {"og", L_SC},
  {"ohne", L_PREP},
  {"ok", L_CONJ_DROP},
  {"okay", L_CONJ_DROP},
  {"on", L_EN},
  {"ook", L_NL},
  {"or", L_EN},
  {"ou", L_FR},
  {"our", L_EN},
  {"où", L_FR},
  {"para", L_ES},
  {"pas", L_FR},
  {"per", L_ARTICLE | L_IT},
  {"pero", L_ES},
  {"please", L_EN},
  {"por", L_ES},
  {"pour", L_FR},
  {"prof", L_HONORIFIC},
  {"på", L_SC},
  {"que", L_FR | L_ES},
  {"questo", L_IT},
  {"qui", L_FR},
  {"qué", L_ES},
  {"raus", L_SEP},
  {"rein", L_SEP},
  {"ruhig", L_IMP_PART | L_OFFER},
  {"runter", L_SEP},
  {"rüber", L_SEP},
  {"samt", L_PREP},
  {"schon", L_PARTICLE | L_DE},
  {"schöne", L_GREET_ADJ},
  {"schönen", L_GREET_ADJ},
  {"sehr", L_CUE | L_DE},
  {"sein", L_DE},
  {"seit", L_PREP},
  {"servus", L_HELLO | L_T_GREET},
  {"sich", L_DE},
  {"sie", L_SIE | L_SUBJ | L_DE},
  {"sieze", L_DUZEN},
  {"siezen", L_DUZEN},
  {"siezens", L_DUZEN},
  {"siezt", L_DUZEN},
  {"siezte", L_DUZEN},
  {"sind", L_AUX | L_DE},
  {"skal", L_SC},
  {"sobald", L_SUBORD},
  {"sodass", L_SUBORD},
  {"solange", L_SUBORD},
  {"sollst", L_STRONG_DROP},
  {"solltest", L_STRONG_DROP},
  {"som", L_SC},
  {"sondern", L_DE},
  {"sonnige", L_GREET_ADJ},
  {"sono", L_IT},
  {"sont", L_FR},
  {"statt", L_PREP},
  {"su", L_ES},
  {"sur", L_FR},
  {"süßen", L_VOCATIVE},
  {"tack", L_SC},
  {"thanks", L_EN},
  {"that", L_EN},
  {"the", L_EN},
  {"this", L_EN},
  {"ti", L_IT},
  {"tienes", L_ES},
  {"til", L_SC},
  {"to", L_EN},
  {"trotz", L_PREP},
  {"très", L_FR},
  {"tschüs", L_CLOSING_T},
  {"tschüss", L_CLOSING_T},
  {"tu", L_FR},
  {"u", L_NL},
  {"um", L_PREP | L_SEP},
  {"un", L_FR | L_IT},
  {"una", L_ES | L_IT},
  {"und", L_CONJ_DROP | L_IMP_LEAD | L_DE},
  {"une", L_FR},
  {"uns", L_DE},
  {"unser", L_DE},
  {"unsere", L_DE},
  {"unter", L_PREP},
  {"usted", L_ES},
  {"uw", L_NL},
  {"van", L_NL},
  {"viele", L_GREET_ADJ},
  {"vier", L_VOCATIVE},
  {"vil", L_SC},
  {"vom", L_ARTICLE | L_DE},
  {"von", L_PREP | L_DE},
  {"voor", L_NL},
  {"vor", L_PREP | L_SEP},
  {"vorbei", L_SEP},
  {"vorwärts", L_SEP},
  {"vos", L_FR},
  {"votre", L_FR},
  {"vous", L_FR},
  {"wann", L_QUESTION_W},
  {"war", L_AUX},
  {"waren", L_AUX},
  {"warum", L_QUESTION_W | L_DE},
  {"was", L_QUESTION_W},
  {"wat", L_NL},
  {"we", L_EN},
  {"weg", L_SEP},
  {"wegen", L_PREP},
  {"weil", L_SUBORD | L_DE},
  {"weisst", L_STRONG_DROP},
  {"weiter", L_SEP},
  {"weißt", L_STRONG_DROP},
  {"welche", L_QUESTION_W},
  {"welchen", L_QUESTION_W},
  {"welcher", L_QUESTION_W},
  {"welches", L_QUESTION_W},
  {"wem", L_QUESTION_W},
  {"wen", L_QUESTION_W},
  {"wenn", L_SUBORD | L_DE | L_DE},
  {"wer", L_QUESTION_W | L_DE},
  {"werden", L_AUX | L_DE},
  {"weshalb", L_QUESTION_W},
  {"what", L_EN},
  {"wie", L_QUESTION_W | L_SUBORD | L_DE},
  {"wieso", L_QUESTION_W},
  {"wij", L_NL},
  {"willst", L_STRONG_DROP},
  {"wir", L_SUBJ | L_DE | L_DE},
  {"wird", L_AUX | L_DE | L_DE},
  {"wirst", L_STRONG_DROP},
  {"with", L_EN},
  {"wo", L_QUESTION_W | L_DE},
  {"woher", L_QUESTION_W},
  {"wohin", L_QUESTION_W},
  {"worden", L_AUX},
  {"would", L_EN},
  {"wurde", L_AUX | L_DE},
  {"wurden", L_AUX},
  {"während", L_PREP},
  {"wärst", L_STRONG_DROP},
  {"würde", L_DE},
  {"würdest", L_STRONG_DROP},
  {"y", L_ES},
  {"yes", L_EN},
  {"yo", L_T_GREET},
  {"you", L_EN},
  {"your", L_EN},
  {"zijn", L_NL},
  {"zu", L_PREP | L_SEP | L_DE},
  {"zufolge", L_PREP},
  {"zum", L_ARTICLE | L_DE},
  {"zur", L_DE},
  {"zurück", L_SEP},
  {"zusammen", L_SEP | L_VOCATIVE},
  {"zwei", L_VOCATIVE},
  {"zwischen", L_PREP},
  {"à", L_FR},
  {"är", L_SC},
  {"è", L_IT},
  {"être", L_FR},
  {"über", L_PREP | L_DE},
};

/* ---- the look-up of a word's classes ----

   A word's key is its first eight bytes as a little-endian number, zero from its NUL on: the
   whole word if it is shorter than eight bytes.  Every key of the list sits in one of two slots
   of duzen_key_slot (two-choice "cuckoo" hashing), so a look-up reads both and compares without
   a branch: no loop over the bytes, no probe chain, nothing for the branch predictor to miss on
   the words of a text, of which most are in no list.  A word of eight bytes or more whose key
   matches is settled by duzen_word_search (the keys of such words are not unique: entschuldige,
   entschuldigen).  tests/unit/test-duzen.c rebuilds duzen_keys and duzen_key_slot from the list
   and prints new ones when they are stale. */

#define DUZEN_KEY_BITS 11
#define DUZEN_KEY_SLOTS (1u << DUZEN_KEY_BITS)
#define DUZEN_KEY_MULT UINT64_C (0x9e3779b97f4a7c15)

/* The two slots KEY may sit in: the top two groups of DUZEN_KEY_BITS bits of one product. */
static inline uint32_t
duzen_key_slot1 (uint64_t key)
{
  return (uint32_t) ((key * DUZEN_KEY_MULT) >> (64 - DUZEN_KEY_BITS));
}

static inline uint32_t
duzen_key_slot2 (uint64_t key)
{
  return (uint32_t) ((key * DUZEN_KEY_MULT) >> (64 - 2 * DUZEN_KEY_BITS)) & (DUZEN_KEY_SLOTS - 1);
}

struct duzen_key
{
  uint64_t key;
  uint64_t classes;             /* L_* bits of the word if it is shorter than eight bytes, else 0 */
};

/* The distinct keys of duzen_words in list order, after an entry 0 that matches only the empty
   word (and gives it no class). */
static const struct duzen_key duzen_keys[] = {
  {0, 0}, {UINT64_C (0x6261), UINT64_C (0x1100)}, {UINT64_C (0x72656261), UINT64_C (0x800020000)},
  {UINT64_C (0x74756f6261), UINT64_C (0x1000000000)}, {UINT64_C (0x6661), UINT64_C (0x8000000000)},
  {UINT64_C (0x6c61), UINT64_C (0x10000000000)}, {UINT64_C (0x656c6c61), UINT64_C (0x600000)},
  {UINT64_C (0x6e656c6c61), UINT64_C (0x200000)}, {UINT64_C (0x746d6173656c6c61), UINT64_C (0x0)},
  {UINT64_C (0x736c61), UINT64_C (0x200000000)}, {UINT64_C (0x6f736c61), UINT64_C (0x60000)},
  {UINT64_C (0x6e61), UINT64_C (0x1100)}, {UINT64_C (0x6e65746569626e61), UINT64_C (0x0)},
  {UINT64_C (0x6568636e61), UINT64_C (0x20000000000)},
  {UINT64_C (0x646e61), UINT64_C (0x1000000000)}, {UINT64_C (0x657261), UINT64_C (0x1000000000)},
  {UINT64_C (0x7461), UINT64_C (0x1000000000)}, {UINT64_C (0x747461), UINT64_C (0x8000000000)},
  {UINT64_C (0x7561), UINT64_C (0x2000000000)}, {UINT64_C (0x68637561), UINT64_C (0x800000200)},
  {UINT64_C (0x667561), UINT64_C (0x800001100)}, {UINT64_C (0x73667561), UINT64_C (0x1000000)},
  {UINT64_C (0x737561), UINT64_C (0x800001100)}, {UINT64_C (0x787561), UINT64_C (0x2000000000)},
  {UINT64_C (0x72659fc37561), UINT64_C (0x100)}, {UINT64_C (0x63657661), UINT64_C (0x2000000000)},
  {UINT64_C (0x6562), UINT64_C (0x1000000000)}, {UINT64_C (0x696562), UINT64_C (0x800000100)},
  {UINT64_C (0x6564696562), UINT64_C (0x400000)}, {UINT64_C (0x6e6564696562), UINT64_C (0x200000)},
  {UINT64_C (0x6d696562), UINT64_C (0x801000000)}, {UINT64_C (0x6e6562), UINT64_C (0x4000000000)},
  {UINT64_C (0x746965726562), UINT64_C (0x1000)}, {UINT64_C (0x6574736562), UINT64_C (0x80000)},
  {UINT64_C (0x6e6574736562), UINT64_C (0x80000)}, {UINT64_C (0x726574736562), UINT64_C (0x80000)},
  {UINT64_C (0x726f766562), UINT64_C (0x200000000)}, {UINT64_C (0x736962), UINT64_C (0xb00000100)},
  {UINT64_C (0x74736962), UINT64_C (0x802000000)},
  {UINT64_C (0x6574746962), UINT64_C (0x8000c0400)},
  {UINT64_C (0x6e656269656c62), UINT64_C (0x10000000)},
  {UINT64_C (0x68637562), UINT64_C (0x20000000)}, {UINT64_C (0x6973737562), UINT64_C (0x4000000)},
  {UINT64_C (0x747562), UINT64_C (0x1000000000)}, {UINT64_C (0x7962), UINT64_C (0x1000000000)},
  {UINT64_C (0x6e6163), UINT64_C (0x1000000000)}, {UINT64_C (0x6563), UINT64_C (0x2000000000)},
  {UINT64_C (0x736563), UINT64_C (0x2000000000)},
  {UINT64_C (0x6574746563), UINT64_C (0x2000000000)},
  {UINT64_C (0x656863), UINT64_C (0x20000000000)}, {UINT64_C (0x6b63656863), UINT64_C (0x20000000)},
  {UINT64_C (0x737265656863), UINT64_C (0x4000000)},
  {UINT64_C (0x6f616963), UINT64_C (0x20004000000)},
  {UINT64_C (0x6e6f63), UINT64_C (0x30000000000)},
  {UINT64_C (0x646c756f63), UINT64_C (0x1000000000)}, {UINT64_C (0x7563), UINT64_C (0x4000000)},
  {UINT64_C (0x6f6db3c363), UINT64_C (0x10000000000)},
  {UINT64_C (0x74696d6164), UINT64_C (0x200000000)}, {UINT64_C (0x6b6e6164), UINT64_C (0x100)},
  {UINT64_C (0x656b6e6164), UINT64_C (0x800080000)},
  {UINT64_C (0x6e6e6164), UINT64_C (0x800040000)}, {UINT64_C (0x736e6164), UINT64_C (0x2000000000)},
  {UINT64_C (0x747366726164), UINT64_C (0x12000000)}, {UINT64_C (0x736164), UINT64_C (0xc01000000)},
  {UINT64_C (0x73736164), UINT64_C (0xa00000000)}, {UINT64_C (0x746164), UINT64_C (0x4000000000)},
  {UINT64_C (0x9fc36164), UINT64_C (0xa00000000)}, {UINT64_C (0x6564), UINT64_C (0x12000000000)},
  {UINT64_C (0x6e696564), UINT64_C (0x800000002)},
  {UINT64_C (0x656e696564), UINT64_C (0x800000002)}, {UINT64_C (0x6d656e696564), UINT64_C (0x2)},
  {UINT64_C (0x6e656e696564), UINT64_C (0x800000002)}, {UINT64_C (0x72656e696564), UINT64_C (0x2)},
  {UINT64_C (0x657372656e696564), UINT64_C (0x0)}, {UINT64_C (0x73656e696564), UINT64_C (0x2)},
  {UINT64_C (0x6c6773656e696564), UINT64_C (0x0)}, {UINT64_C (0x616874656e696564), UINT64_C (0x0)},
  {UINT64_C (0x657774656e696564), UINT64_C (0x0)}, {UINT64_C (0x697774656e696564), UINT64_C (0x0)},
  {UINT64_C (0x6567696e696564), UINT64_C (0x2)}, {UINT64_C (0x6d6567696e696564), UINT64_C (0x0)},
  {UINT64_C (0x6e6567696e696564), UINT64_C (0x0)}, {UINT64_C (0x726567696e696564), UINT64_C (0x0)},
  {UINT64_C (0x736567696e696564), UINT64_C (0x0)}, {UINT64_C (0x736e696564), UINT64_C (0x2)},
  {UINT64_C (0x6c6564), UINT64_C (0x30000000000)},
  {UINT64_C (0x616c6c6564), UINT64_C (0x20000000000)},
  {UINT64_C (0x6d6564), UINT64_C (0xc01000000)}, {UINT64_C (0x6e6564), UINT64_C (0xc00000000)},
  {UINT64_C (0x6e6e6564), UINT64_C (0x800000200)}, {UINT64_C (0x726564), UINT64_C (0xc00000000)},
  {UINT64_C (0x736564), UINT64_C (0x2c00000000)}, {UINT64_C (0x746564), UINT64_C (0x8000000000)},
  {UINT64_C (0x6964), UINT64_C (0x20000000000)}, {UINT64_C (0x68636964), UINT64_C (0x800000001)},
  {UINT64_C (0x656964), UINT64_C (0xc00000000)}, {UINT64_C (0x726964), UINT64_C (0x800000001)},
  {UINT64_C (0x6f64), UINT64_C (0x1000000000)}, {UINT64_C (0x68636f64), UINT64_C (0x800000600)},
  {UINT64_C (0x696e616d6f64), UINT64_C (0x20000000000)}, {UINT64_C (0x7264), UINT64_C (0x100000)},
  {UINT64_C (0x69657264), UINT64_C (0x200000)}, {UINT64_C (0x7564), UINT64_C (0x800000801)},
  {UINT64_C (0x6863727564), UINT64_C (0x800001100)},
  {UINT64_C (0x75616c6863727564), UINT64_C (0x0)}, {UINT64_C (0x657a7564), UINT64_C (0x800000)},
  {UINT64_C (0x6e657a7564), UINT64_C (0x800000)}, {UINT64_C (0x736e657a7564), UINT64_C (0x800000)},
  {UINT64_C (0x696572657a7564), UINT64_C (0x800000)}, {UINT64_C (0x747a7564), UINT64_C (0x800000)},
  {UINT64_C (0x65747a7564), UINT64_C (0x800000)}, {UINT64_C (0x6e65747a7564), UINT64_C (0x800000)},
  {UINT64_C (0x6e656672bcc364), UINT64_C (0x10000000)},
  {UINT64_C (0x6e6565), UINT64_C (0x4000000000)}, {UINT64_C (0x6e65726865), UINT64_C (0x10000)},
  {UINT64_C (0x696c746e65676965), UINT64_C (0x0)}, {UINT64_C (0x6e6965), UINT64_C (0xc01001000)},
  {UINT64_C (0x656e6965), UINT64_C (0xc00000000)},
  {UINT64_C (0x6d656e6965), UINT64_C (0xc00000000)},
  {UINT64_C (0x6e656e6965), UINT64_C (0xc00000000)},
  {UINT64_C (0x72656e6965), UINT64_C (0xc00000000)},
  {UINT64_C (0x73656e6965), UINT64_C (0x400000000)},
  {UINT64_C (0x686361666e6965), UINT64_C (0x10040400)},
  {UINT64_C (0x6c65), UINT64_C (0x10000000000)}, {UINT64_C (0x656c6c65), UINT64_C (0x2000000000)},
  {UINT64_C (0x72656c6c65), UINT64_C (0x8000000000)},
  {UINT64_C (0x7a6e656e696d65), UINT64_C (0x10000)},
  {UINT64_C (0x6e65676567746e65), UINT64_C (0x0)}, {UINT64_C (0x6c75686373746e65), UINT64_C (0x0)},
  {UINT64_C (0x7265), UINT64_C (0x800000800)}, {UINT64_C (0x7365), UINT64_C (0x10800000800)},
  {UINT64_C (0x747365), UINT64_C (0x2000000000)},
  {UINT64_C (0xa1c3747365), UINT64_C (0x10000000000)},
  {UINT64_C (0x73a1c3747365), UINT64_C (0x10000000000)},
  {UINT64_C (0x7465), UINT64_C (0x2000000000)}, {UINT64_C (0x747465), UINT64_C (0x8000000000)},
  {UINT64_C (0x68637565), UINT64_C (0x800000010)}, {UINT64_C (0x72657565), UINT64_C (0x800000020)},
  {UINT64_C (0x6572657565), UINT64_C (0x20)}, {UINT64_C (0x6d6572657565), UINT64_C (0x20)},
  {UINT64_C (0x6e6572657565), UINT64_C (0x20)}, {UINT64_C (0x726572657565), UINT64_C (0x20)},
  {UINT64_C (0x736572657565), UINT64_C (0x20)}, {UINT64_C (0x6d72657565), UINT64_C (0x20)},
  {UINT64_C (0x6e72657565), UINT64_C (0x20)}, {UINT64_C (0x65727565), UINT64_C (0x800000020)},
  {UINT64_C (0x6d65727565), UINT64_C (0x20)}, {UINT64_C (0x6e65727565), UINT64_C (0x20)},
  {UINT64_C (0x7265727565), UINT64_C (0x20)}, {UINT64_C (0x6965737265727565), UINT64_C (0x0)},
  {UINT64_C (0x7365727565), UINT64_C (0x20)}, {UINT64_C (0x656c677365727565), UINT64_C (0x0)},
  {UINT64_C (0x6c61687465727565), UINT64_C (0x0)}, {UINT64_C (0x6765777465727565), UINT64_C (0x0)},
  {UINT64_C (0x6c69777465727565), UINT64_C (0x0)}, {UINT64_C (0x6e656c6c657a7865), UINT64_C (0x0)},
  {UINT64_C (0x736c6c6166), UINT64_C (0x200000000)},
  {UINT64_C (0x65696c696d6166), UINT64_C (0x100000)}, {UINT64_C (0x74736566), UINT64_C (0x1000)},
  {UINT64_C (0x726f66), UINT64_C (0x1000000000)}, {UINT64_C (0x75617266), UINT64_C (0x100000)},
  {UINT64_C (0x696c646e75657266), UINT64_C (0x0)}, {UINT64_C (0x65686f7266), UINT64_C (0x80000)},
  {UINT64_C (0x6d6f7266), UINT64_C (0x1000000000)},
  {UINT64_C (0x72b6c366), UINT64_C (0x8000000000)}, {UINT64_C (0x666ebcc366), UINT64_C (0x200000)},
  {UINT64_C (0x72bcc366), UINT64_C (0x800000100)}, {UINT64_C (0x747a75646567), UINT64_C (0x800000)},
  {UINT64_C (0x6e65676567), UINT64_C (0x100)}, {UINT64_C (0x62bcc36e65676567), UINT64_C (0x0)},
  {UINT64_C (0x9fc3a4c36d6567), UINT64_C (0x100)},
  {UINT64_C (0x656461726567), UINT64_C (0x800000000)},
  {UINT64_C (0x6e726567), UINT64_C (0x10000400)}, {UINT64_C (0x656e726567), UINT64_C (0x810000400)},
  {UINT64_C (0x747a6569736567), UINT64_C (0x800000)},
  {UINT64_C (0x74626967), UINT64_C (0x800000000)}, {UINT64_C (0x6e6564616e67), UINT64_C (0x10000)},
  {UINT64_C (0x73616963617267), UINT64_C (0x10000000000)},
  {UINT64_C (0x65697a617267), UINT64_C (0x20000000000)},
  {UINT64_C (0x697a65bcc37267), UINT64_C (0x100000000)},
  {UINT64_C (0x7373bcc37267), UINT64_C (0x20000000)},
  {UINT64_C (0x9fc3bcc37267), UINT64_C (0x20000000)}, {UINT64_C (0x747567), UINT64_C (0x800000000)},
  {UINT64_C (0x65747567), UINT64_C (0x80000)}, {UINT64_C (0x6e65747567), UINT64_C (0x100080000)},
  {UINT64_C (0x65626168), UINT64_C (0x800008000)},
  {UINT64_C (0x6e65626168), UINT64_C (0x800008000)},
  {UINT64_C (0x696168), UINT64_C (0x20000000000)},
  {UINT64_C (0x6f6c6c6168), UINT64_C (0x900002000)},
  {UINT64_C (0x6863b6c36c6c6168), UINT64_C (0x0)}, {UINT64_C (0x726168), UINT64_C (0x8000000000)},
  {UINT64_C (0x74736168), UINT64_C (0x802000000)}, {UINT64_C (0x746168), UINT64_C (0x800008000)},
  {UINT64_C (0x6574746168), UINT64_C (0x8000)}, {UINT64_C (0x6e6574746168), UINT64_C (0x8000)},
  {UINT64_C (0x65766168), UINT64_C (0x1000000000)}, {UINT64_C (0x626568), UINT64_C (0x4000000000)},
  {UINT64_C (0x74626568), UINT64_C (0x4000000000)},
  {UINT64_C (0x7466656568), UINT64_C (0x4000000000)},
  {UINT64_C (0x656b67696c696568), UINT64_C (0x0)}, {UINT64_C (0x6a6568), UINT64_C (0x8000000000)},
  {UINT64_C (0x726568), UINT64_C (0x1000)}, {UINT64_C (0x737561726568), UINT64_C (0x1000)},
  {UINT64_C (0x6e6965726568), UINT64_C (0x1000)}, {UINT64_C (0x72726568), UINT64_C (0x100000)},
  {UINT64_C (0x6e72726568), UINT64_C (0x100000)}, {UINT64_C (0x6863696c7a726568), UINT64_C (0x0)},
  {UINT64_C (0x746568), UINT64_C (0x4000000000)}, {UINT64_C (0x6574756568), UINT64_C (0x800000000)},
  {UINT64_C (0x796568), UINT64_C (0x6000)}, {UINT64_C (0x6968), UINT64_C (0x6000)},
  {UINT64_C (0x72656968), UINT64_C (0x800000000)}, {UINT64_C (0x6e6968), UINT64_C (0x1000)},
  {UINT64_C (0x7265746e6968), UINT64_C (0x100)}, {UINT64_C (0x68636f68), UINT64_C (0x1000)},
  {UINT64_C (0x7468636168636f68), UINT64_C (0x0)}, {UINT64_C (0x746965686f68), UINT64_C (0x10000)},
  {UINT64_C (0x616c6f68), UINT64_C (0x10000000000)}, {UINT64_C (0x776f68), UINT64_C (0x1000000000)},
  {UINT64_C (0x75687568), UINT64_C (0x6000)}, {UINT64_C (0x727568), UINT64_C (0x8000000000)},
  {UINT64_C (0x6e6164726f7668), UINT64_C (0x8000000000)},
  {UINT64_C (0x657474a4c368), UINT64_C (0x8000)}, {UINT64_C (0x6e657474a4c368), UINT64_C (0x8000)},
  {UINT64_C (0x7473657474a4c368), UINT64_C (0x0)}, {UINT64_C (0x69), UINT64_C (0x1000000000)},
  {UINT64_C (0x686369), UINT64_C (0x800000800)}, {UINT64_C (0x6669), UINT64_C (0x1000000000)},
  {UINT64_C (0x6e656e6869), UINT64_C (0x800000080)}, {UINT64_C (0x726869), UINT64_C (0x800000804)},
  {UINT64_C (0x65726869), UINT64_C (0x8)}, {UINT64_C (0x6d65726869), UINT64_C (0x8)},
  {UINT64_C (0x6e65726869), UINT64_C (0x8)}, {UINT64_C (0x7265726869), UINT64_C (0x8)},
  {UINT64_C (0x6965737265726869), UINT64_C (0x0)}, {UINT64_C (0x7365726869), UINT64_C (0x8)},
  {UINT64_C (0x656c677365726869), UINT64_C (0x0)}, {UINT64_C (0x6c61687465726869), UINT64_C (0x0)},
  {UINT64_C (0x6765777465726869), UINT64_C (0x0)}, {UINT64_C (0x6c69777465726869), UINT64_C (0x0)},
  {UINT64_C (0x656769726869), UINT64_C (0x8)}, {UINT64_C (0x6d656769726869), UINT64_C (0x8)},
  {UINT64_C (0x6e656769726869), UINT64_C (0x8)}, {UINT64_C (0x72656769726869), UINT64_C (0x8)},
  {UINT64_C (0x73656769726869), UINT64_C (0x8)}, {UINT64_C (0x6b69), UINT64_C (0x4000000000)},
  {UINT64_C (0x656b6b69), UINT64_C (0x8000000000)}, {UINT64_C (0x6c69), UINT64_C (0x22000000000)},
  {UINT64_C (0x6d69), UINT64_C (0x800000000)}, {UINT64_C (0x6e69), UINT64_C (0x100)},
  {UINT64_C (0x736e69), UINT64_C (0x801000000)}, {UINT64_C (0x65746e69), UINT64_C (0x8000000000)},
  {UINT64_C (0x7369), UINT64_C (0x5000000000)}, {UINT64_C (0x747369), UINT64_C (0x800008000)},
  {UINT64_C (0x7469), UINT64_C (0x1000000000)}, {UINT64_C (0x616a), UINT64_C (0x800000200)},
  {UINT64_C (0x67616a), UINT64_C (0x8000000000)}, {UINT64_C (0x656a), UINT64_C (0x6000000000)},
  {UINT64_C (0x67656a), UINT64_C (0x8000000000)}, {UINT64_C (0x747a74656a), UINT64_C (0x800040000)},
  {UINT64_C (0x6a696a), UINT64_C (0x4000000000)}, {UINT64_C (0x756f6a), UINT64_C (0x4000000000)},
  {UINT64_C (0x77756f6a), UINT64_C (0x4000000000)},
  {UINT64_C (0x65696c6c756a), UINT64_C (0x4000000000)},
  {UINT64_C (0x7473756a), UINT64_C (0x1000000000)}, {UINT64_C (0x6e616b), UINT64_C (0x8000000000)},
  {UINT64_C (0x6e6e616b), UINT64_C (0x800000000)},
  {UINT64_C (0x74736e6e616b), UINT64_C (0x812000000)},
  {UINT64_C (0x6e69656b), UINT64_C (0x800000000)},
  {UINT64_C (0x656e69656b), UINT64_C (0x800000000)},
  {UINT64_C (0x6b63696c6b), UINT64_C (0x20000000)},
  {UINT64_C (0x656b63696c6b), UINT64_C (0x20000000)},
  {UINT64_C (0x746e756b), UINT64_C (0x4000000000)}, {UINT64_C (0x7a72756b), UINT64_C (0x800000000)},
  {UINT64_C (0x6e656e6eb6c36b), UINT64_C (0x810000000)},
  {UINT64_C (0x7365746e6eb6c36b), UINT64_C (0x0)}, {UINT64_C (0x616c), UINT64_C (0x32000000000)},
  {UINT64_C (0x73616c), UINT64_C (0x10000000000)}, {UINT64_C (0x7373616c), UINT64_C (0x10000000)},
  {UINT64_C (0x6e657373616c), UINT64_C (0x10000000)}, {UINT64_C (0x7475616c), UINT64_C (0x100)},
  {UINT64_C (0x656c), UINT64_C (0x2000000000)}, {UINT64_C (0x73656c), UINT64_C (0x2000000000)},
  {UINT64_C (0x676c), UINT64_C (0x4000000)}, {UINT64_C (0x656265696c), UINT64_C (0x100080000)},
  {UINT64_C (0x6e656265696c), UINT64_C (0x100200000)},
  {UINT64_C (0x72656265696c), UINT64_C (0x100080000)},
  {UINT64_C (0x73656265696c), UINT64_C (0x80000)},
  {UINT64_C (0x6574736265696c), UINT64_C (0x100080000)},
  {UINT64_C (0x6f6c), UINT64_C (0x10000000000)}, {UINT64_C (0x736f6c), UINT64_C (0x10000001000)},
  {UINT64_C (0x616d), UINT64_C (0x2000000000)}, {UINT64_C (0x7261616d), UINT64_C (0x4000000000)},
  {UINT64_C (0x7a6966696e67616d), UINT64_C (0x0)}, {UINT64_C (0x747367616d), UINT64_C (0x2000000)},
  {UINT64_C (0x7369616d), UINT64_C (0x2000000000)}, {UINT64_C (0xa4c37473656a616d), UINT64_C (0x0)},
  {UINT64_C (0x6c616d), UINT64_C (0x800000600)}, {UINT64_C (0x6e616d), UINT64_C (0x800)},
  {UINT64_C (0x616e61b1c3616d), UINT64_C (0x10000000000)},
  {UINT64_C (0x656d), UINT64_C (0x1000000000)}, {UINT64_C (0x64656d), UINT64_C (0x8000000000)},
  {UINT64_C (0x7268656d), UINT64_C (0x800000000)}, {UINT64_C (0x6e69656d), UINT64_C (0x800000000)},
  {UINT64_C (0x656e69656d), UINT64_C (0x800000000)},
  {UINT64_C (0x696372656d), UINT64_C (0x2000000000)},
  {UINT64_C (0x74656d), UINT64_C (0x4000000000)}, {UINT64_C (0x67666d), UINT64_C (0x8000000)},
  {UINT64_C (0x696d), UINT64_C (0x20000000000)}, {UINT64_C (0x6863696d), UINT64_C (0x800000000)},
  {UINT64_C (0x6a696d), UINT64_C (0x4000000000)}, {UINT64_C (0x72696d), UINT64_C (0x800000000)},
  {UINT64_C (0x74696d), UINT64_C (0x800001100)}, {UINT64_C (0x6e696f6d), UINT64_C (0x6000)},
  {UINT64_C (0x6e6f6d), UINT64_C (0x2000000000)},
  {UINT64_C (0x6e6f67726f6d), UINT64_C (0x8000000000)},
  {UINT64_C (0x747373756d), UINT64_C (0x2000000)}, {UINT64_C (0x79756d), UINT64_C (0x10000000000)},
  {UINT64_C (0x796d), UINT64_C (0x1000000000)},
  {UINT64_C (0x65746863b6c36d), UINT64_C (0x800000000)},
  {UINT64_C (0x7365746863b6c36d), UINT64_C (0x0)}, {UINT64_C (0x7365747373bcc36d), UINT64_C (0x0)},
  {UINT64_C (0x616e), UINT64_C (0x100020000)}, {UINT64_C (0x7261616e), UINT64_C (0x4000000000)},
  {UINT64_C (0x6863616e), UINT64_C (0x800001100)},
  {UINT64_C (0x6d65646863616e), UINT64_C (0x200000000)},
  {UINT64_C (0x656e), UINT64_C (0x2000000000)}, {UINT64_C (0x6e6562656e), UINT64_C (0x100)},
  {UINT64_C (0x6e69656e), UINT64_C (0x800000000)},
  {UINT64_C (0x746863696e), UINT64_C (0x800000000)},
  {UINT64_C (0x7465696e), UINT64_C (0x4000000000)}, {UINT64_C (0x6f6e), UINT64_C (0x1000000000)},
  {UINT64_C (0x68636f6e), UINT64_C (0x800000200)}, {UINT64_C (0x6e6f6e), UINT64_C (0x20000000000)},
  {UINT64_C (0x746f6e), UINT64_C (0x1000000000)}, {UINT64_C (0x73756f6e), UINT64_C (0x2000000000)},
  {UINT64_C (0x72756e), UINT64_C (0x800000000)}, {UINT64_C (0x626f), UINT64_C (0xa00000000)},
  {UINT64_C (0x6c686f77626f), UINT64_C (0x200000000)},
  {UINT64_C (0x68636f), UINT64_C (0x8000000000)}, {UINT64_C (0x7265646f), UINT64_C (0x800060000)},
  {UINT64_C (0x666f), UINT64_C (0x1000000000)}, {UINT64_C (0x676f), UINT64_C (0x8000000000)},
  {UINT64_C (0x656e686f), UINT64_C (0x100)}, {UINT64_C (0x6b6f), UINT64_C (0x20000)},
  {UINT64_C (0x79616b6f), UINT64_C (0x20000)}, {UINT64_C (0x6e6f), UINT64_C (0x1000000000)},
  {UINT64_C (0x6b6f6f), UINT64_C (0x4000000000)}, {UINT64_C (0x726f), UINT64_C (0x1000000000)},
  {UINT64_C (0x756f), UINT64_C (0x2000000000)}, {UINT64_C (0x72756f), UINT64_C (0x1000000000)},
  {UINT64_C (0xb9c36f), UINT64_C (0x2000000000)}, {UINT64_C (0x61726170), UINT64_C (0x10000000000)},
  {UINT64_C (0x736170), UINT64_C (0x2000000000)}, {UINT64_C (0x726570), UINT64_C (0x20001000000)},
  {UINT64_C (0x6f726570), UINT64_C (0x10000000000)},
  {UINT64_C (0x657361656c70), UINT64_C (0x1000000000)},
  {UINT64_C (0x726f70), UINT64_C (0x10000000000)}, {UINT64_C (0x72756f70), UINT64_C (0x2000000000)},
  {UINT64_C (0x666f7270), UINT64_C (0x100000)}, {UINT64_C (0xa5c370), UINT64_C (0x8000000000)},
  {UINT64_C (0x657571), UINT64_C (0x12000000000)},
  {UINT64_C (0x6f7473657571), UINT64_C (0x20000000000)},
  {UINT64_C (0x697571), UINT64_C (0x2000000000)}, {UINT64_C (0xa9c37571), UINT64_C (0x10000000000)},
  {UINT64_C (0x73756172), UINT64_C (0x1000)}, {UINT64_C (0x6e696572), UINT64_C (0x1000)},
  {UINT64_C (0x6769687572), UINT64_C (0x10000400)}, {UINT64_C (0x7265746e7572), UINT64_C (0x1000)},
  {UINT64_C (0x726562bcc372), UINT64_C (0x1000)}, {UINT64_C (0x746d6173), UINT64_C (0x100)},
  {UINT64_C (0x6e6f686373), UINT64_C (0x800000200)},
  {UINT64_C (0x656eb6c3686373), UINT64_C (0x80000)},
  {UINT64_C (0x6e656eb6c3686373), UINT64_C (0x0)}, {UINT64_C (0x72686573), UINT64_C (0x900000000)},
  {UINT64_C (0x6e696573), UINT64_C (0x800000000)}, {UINT64_C (0x74696573), UINT64_C (0x100)},
  {UINT64_C (0x737576726573), UINT64_C (0x6000)}, {UINT64_C (0x68636973), UINT64_C (0x800000000)},
  {UINT64_C (0x656973), UINT64_C (0x800000840)}, {UINT64_C (0x657a656973), UINT64_C (0x800000)},
  {UINT64_C (0x6e657a656973), UINT64_C (0x800000)},
  {UINT64_C (0x736e657a656973), UINT64_C (0x800000)},
  {UINT64_C (0x747a656973), UINT64_C (0x800000)}, {UINT64_C (0x65747a656973), UINT64_C (0x800000)},
  {UINT64_C (0x646e6973), UINT64_C (0x800008000)}, {UINT64_C (0x6c616b73), UINT64_C (0x8000000000)},
  {UINT64_C (0x646c61626f73), UINT64_C (0x200000000)},
  {UINT64_C (0x737361646f73), UINT64_C (0x200000000)},
  {UINT64_C (0x65676e616c6f73), UINT64_C (0x200000000)},
  {UINT64_C (0x74736c6c6f73), UINT64_C (0x2000000)},
  {UINT64_C (0x747365746c6c6f73), UINT64_C (0x0)}, {UINT64_C (0x6d6f73), UINT64_C (0x8000000000)},
  {UINT64_C (0x6e7265646e6f73), UINT64_C (0x800000000)},
  {UINT64_C (0x6567696e6e6f73), UINT64_C (0x80000)},
  {UINT64_C (0x6f6e6f73), UINT64_C (0x20000000000)},
  {UINT64_C (0x746e6f73), UINT64_C (0x2000000000)}, {UINT64_C (0x7474617473), UINT64_C (0x100)},
  {UINT64_C (0x7573), UINT64_C (0x10000000000)}, {UINT64_C (0x727573), UINT64_C (0x2000000000)},
  {UINT64_C (0x6e659fc3bcc373), UINT64_C (0x200000)},
  {UINT64_C (0x6b636174), UINT64_C (0x8000000000)},
  {UINT64_C (0x736b6e616874), UINT64_C (0x1000000000)},
  {UINT64_C (0x74616874), UINT64_C (0x1000000000)}, {UINT64_C (0x656874), UINT64_C (0x1000000000)},
  {UINT64_C (0x73696874), UINT64_C (0x1000000000)}, {UINT64_C (0x6974), UINT64_C (0x20000000000)},
  {UINT64_C (0x73656e656974), UINT64_C (0x10000000000)},
  {UINT64_C (0x6c6974), UINT64_C (0x8000000000)}, {UINT64_C (0x6f74), UINT64_C (0x1000000000)},
  {UINT64_C (0x7a746f7274), UINT64_C (0x100)}, {UINT64_C (0x73a8c37274), UINT64_C (0x2000000000)},
  {UINT64_C (0x73bcc368637374), UINT64_C (0x4000000)},
  {UINT64_C (0x7373bcc368637374), UINT64_C (0x0)}, {UINT64_C (0x7574), UINT64_C (0x2000000000)},
  {UINT64_C (0x75), UINT64_C (0x4000000000)}, {UINT64_C (0x6d75), UINT64_C (0x1100)},
  {UINT64_C (0x6e75), UINT64_C (0x22000000000)}, {UINT64_C (0x616e75), UINT64_C (0x30000000000)},
  {UINT64_C (0x646e75), UINT64_C (0x800060000)}, {UINT64_C (0x656e75), UINT64_C (0x2000000000)},
  {UINT64_C (0x736e75), UINT64_C (0x800000000)}, {UINT64_C (0x7265736e75), UINT64_C (0x800000000)},
  {UINT64_C (0x657265736e75), UINT64_C (0x800000000)}, {UINT64_C (0x7265746e75), UINT64_C (0x100)},
  {UINT64_C (0x6465747375), UINT64_C (0x10000000000)}, {UINT64_C (0x7775), UINT64_C (0x4000000000)},
  {UINT64_C (0x6e6176), UINT64_C (0x4000000000)}, {UINT64_C (0x656c656976), UINT64_C (0x80000)},
  {UINT64_C (0x72656976), UINT64_C (0x200000)}, {UINT64_C (0x6c6976), UINT64_C (0x8000000000)},
  {UINT64_C (0x6d6f76), UINT64_C (0x801000000)}, {UINT64_C (0x6e6f76), UINT64_C (0x800000100)},
  {UINT64_C (0x726f6f76), UINT64_C (0x4000000000)}, {UINT64_C (0x726f76), UINT64_C (0x1100)},
  {UINT64_C (0x696562726f76), UINT64_C (0x1000)}, {UINT64_C (0x7472a4c377726f76), UINT64_C (0x0)},
  {UINT64_C (0x736f76), UINT64_C (0x2000000000)},
  {UINT64_C (0x6572746f76), UINT64_C (0x2000000000)},
  {UINT64_C (0x73756f76), UINT64_C (0x2000000000)}, {UINT64_C (0x6e6e6177), UINT64_C (0x80000000)},
  {UINT64_C (0x726177), UINT64_C (0x8000)}, {UINT64_C (0x6e65726177), UINT64_C (0x8000)},
  {UINT64_C (0x6d75726177), UINT64_C (0x880000000)}, {UINT64_C (0x736177), UINT64_C (0x80000000)},
  {UINT64_C (0x746177), UINT64_C (0x4000000000)}, {UINT64_C (0x6577), UINT64_C (0x1000000000)},
  {UINT64_C (0x676577), UINT64_C (0x1000)}, {UINT64_C (0x6e65676577), UINT64_C (0x100)},
  {UINT64_C (0x6c696577), UINT64_C (0xa00000000)},
  {UINT64_C (0x747373696577), UINT64_C (0x2000000)}, {UINT64_C (0x726574696577), UINT64_C (0x1000)},
  {UINT64_C (0x749fc3696577), UINT64_C (0x2000000)},
  {UINT64_C (0x6568636c6577), UINT64_C (0x80000000)},
  {UINT64_C (0x6e6568636c6577), UINT64_C (0x80000000)},
  {UINT64_C (0x726568636c6577), UINT64_C (0x80000000)},
  {UINT64_C (0x736568636c6577), UINT64_C (0x80000000)},
  {UINT64_C (0x6d6577), UINT64_C (0x80000000)}, {UINT64_C (0x6e6577), UINT64_C (0x80000000)},
  {UINT64_C (0x6e6e6577), UINT64_C (0xa00000000)}, {UINT64_C (0x726577), UINT64_C (0x880000000)},
  {UINT64_C (0x6e6564726577), UINT64_C (0x800008000)},
  {UINT64_C (0x626c6168736577), UINT64_C (0x80000000)},
  {UINT64_C (0x74616877), UINT64_C (0x1000000000)}, {UINT64_C (0x656977), UINT64_C (0xa80000000)},
  {UINT64_C (0x6f73656977), UINT64_C (0x80000000)}, {UINT64_C (0x6a6977), UINT64_C (0x4000000000)},
  {UINT64_C (0x74736c6c6977), UINT64_C (0x2000000)}, {UINT64_C (0x726977), UINT64_C (0x800000800)},
  {UINT64_C (0x64726977), UINT64_C (0x800008000)}, {UINT64_C (0x7473726977), UINT64_C (0x2000000)},
  {UINT64_C (0x68746977), UINT64_C (0x1000000000)}, {UINT64_C (0x6f77), UINT64_C (0x880000000)},
  {UINT64_C (0x7265686f77), UINT64_C (0x80000000)},
  {UINT64_C (0x6e69686f77), UINT64_C (0x80000000)}, {UINT64_C (0x6e6564726f77), UINT64_C (0x8000)},
  {UINT64_C (0x646c756f77), UINT64_C (0x1000000000)},
  {UINT64_C (0x6564727577), UINT64_C (0x800008000)}, {UINT64_C (0x6e6564727577), UINT64_C (0x8000)},
  {UINT64_C (0x646e657268a4c377), UINT64_C (0x0)},
  {UINT64_C (0x747372a4c377), UINT64_C (0x2000000)},
  {UINT64_C (0x656472bcc377), UINT64_C (0x800000000)},
  {UINT64_C (0x7473656472bcc377), UINT64_C (0x0)}, {UINT64_C (0x79), UINT64_C (0x10000000000)},
  {UINT64_C (0x736579), UINT64_C (0x1000000000)}, {UINT64_C (0x6f79), UINT64_C (0x4000)},
  {UINT64_C (0x756f79), UINT64_C (0x1000000000)}, {UINT64_C (0x72756f79), UINT64_C (0x1000000000)},
  {UINT64_C (0x6e6a697a), UINT64_C (0x4000000000)}, {UINT64_C (0x757a), UINT64_C (0x800001100)},
  {UINT64_C (0x65676c6f66757a), UINT64_C (0x100)}, {UINT64_C (0x6d757a), UINT64_C (0x801000000)},
  {UINT64_C (0x72757a), UINT64_C (0x800000000)}, {UINT64_C (0x6b63bcc372757a), UINT64_C (0x1000)},
  {UINT64_C (0x6e656d6d6173757a), UINT64_C (0x0)}, {UINT64_C (0x6965777a), UINT64_C (0x200000)},
  {UINT64_C (0x6e6568637369777a), UINT64_C (0x0)}, {UINT64_C (0xa0c3), UINT64_C (0x2000000000)},
  {UINT64_C (0x72a4c3), UINT64_C (0x8000000000)}, {UINT64_C (0xa8c3), UINT64_C (0x20000000000)},
  {UINT64_C (0x657274aac3), UINT64_C (0x2000000000)},
  {UINT64_C (0x726562bcc3), UINT64_C (0x800000100)},
};

/* duzen_key_slot[s]: an index into duzen_keys, 0 = empty. */
static const uint16_t duzen_key_slot[DUZEN_KEY_SLOTS] = {
  [3] = 235, [4] = 74, [5] = 279, [7] = 322, [26] = 180, [31] = 374, [36] = 170, [37] = 231,
  [56] = 161, [59] = 274, [60] = 307, [61] = 411, [63] = 254, [65] = 126, [69] = 9, [70] = 430,
  [76] = 331, [87] = 85, [89] = 114, [94] = 414, [95] = 106, [97] = 184, [105] = 313, [108] = 4,
  [111] = 109, [113] = 38, [114] = 195, [118] = 391, [122] = 244, [123] = 28, [127] = 175,
  [134] = 397, [139] = 283, [144] = 263, [146] = 251, [147] = 487, [153] = 51, [159] = 43,
  [165] = 245, [167] = 125, [170] = 423, [172] = 142, [177] = 16, [184] = 273, [187] = 267,
  [199] = 426, [203] = 144, [206] = 162, [212] = 371, [214] = 304, [227] = 165, [229] = 292,
  [241] = 363, [244] = 308, [246] = 185, [256] = 129, [269] = 21, [287] = 42, [291] = 246,
  [297] = 171, [301] = 417, [310] = 10, [311] = 241, [322] = 102, [324] = 29, [325] = 266,
  [327] = 237, [330] = 350, [335] = 482, [338] = 145, [344] = 182, [350] = 420, [352] = 424,
  [360] = 157, [374] = 428, [380] = 1, [383] = 434, [386] = 497, [387] = 66, [397] = 334,
  [404] = 261, [409] = 305, [423] = 136, [433] = 476, [440] = 127, [442] = 361, [444] = 99,
  [446] = 382, [451] = 154, [453] = 187, [470] = 230, [479] = 425, [481] = 208, [490] = 33,
  [497] = 17, [505] = 444, [511] = 174, [515] = 427, [517] = 300, [518] = 404, [519] = 317,
  [525] = 70, [526] = 77, [529] = 463, [530] = 378, [534] = 498, [547] = 14, [550] = 394,
  [551] = 418, [564] = 312, [572] = 25, [581] = 167, [584] = 432, [589] = 448, [591] = 98,
  [593] = 202, [597] = 166, [603] = 495, [608] = 247, [609] = 169, [611] = 149, [618] = 188,
  [621] = 18, [624] = 377, [626] = 348, [629] = 302, [630] = 490, [633] = 133, [634] = 429,
  [639] = 354, [641] = 319, [645] = 108, [646] = 282, [649] = 401, [651] = 384, [652] = 207,
  [653] = 480, [655] = 240, [659] = 68, [662] = 461, [663] = 464, [665] = 311, [681] = 212,
  [682] = 191, [685] = 189, [686] = 243, [689] = 500, [692] = 139, [698] = 333, [700] = 130,
  [701] = 457, [707] = 218, [710] = 150, [711] = 120, [712] = 327, [716] = 484, [719] = 105,
  [721] = 183, [722] = 41, [733] = 119, [735] = 456, [740] = 30, [741] = 124, [743] = 299,
  [744] = 146, [747] = 433, [753] = 201, [754] = 294, [755] = 364, [760] = 91, [765] = 258,
  [771] = 325, [778] = 27, [784] = 73, [787] = 389, [789] = 291, [796] = 62, [800] = 177,
  [809] = 80, [815] = 257, [817] = 168, [824] = 493, [827] = 137, [828] = 403, [835] = 447,
  [836] = 316, [837] = 306, [843] = 250, [845] = 57, [847] = 34, [851] = 12, [863] = 3, [865] = 288,
  [866] = 281, [869] = 262, [876] = 398, [886] = 446, [891] = 324, [894] = 365, [895] = 61,
  [897] = 13, [898] = 346, [899] = 164, [902] = 110, [905] = 459, [908] = 412, [910] = 343,
  [912] = 406, [918] = 277, [924] = 47, [925] = 192, [927] = 280, [928] = 265, [929] = 79,
  [930] = 26, [933] = 172, [934] = 315, [939] = 84, [946] = 289, [951] = 275, [954] = 452,
  [958] = 486, [960] = 332, [968] = 380, [975] = 112, [976] = 252, [977] = 81, [979] = 381,
  [980] = 116, [981] = 357, [983] = 178, [988] = 290, [990] = 405, [992] = 396, [995] = 349,
  [1004] = 475, [1006] = 52, [1007] = 221, [1020] = 131, [1026] = 190, [1027] = 356, [1028] = 48,
  [1029] = 328, [1031] = 163, [1032] = 369, [1033] = 233, [1034] = 468, [1035] = 339, [1037] = 107,
  [1039] = 100, [1042] = 45, [1043] = 40, [1044] = 358, [1050] = 470, [1052] = 248, [1056] = 232,
  [1061] = 87, [1064] = 362, [1066] = 310, [1077] = 238, [1080] = 181, [1086] = 86, [1088] = 255,
  [1089] = 234, [1090] = 347, [1098] = 206, [1104] = 55, [1110] = 69, [1111] = 53, [1112] = 336,
  [1121] = 71, [1127] = 309, [1133] = 383, [1138] = 368, [1140] = 93, [1142] = 367, [1144] = 134,
  [1154] = 200, [1178] = 440, [1183] = 35, [1190] = 95, [1192] = 491, [1198] = 78, [1201] = 318,
  [1203] = 345, [1210] = 385, [1213] = 375, [1222] = 393, [1228] = 472, [1232] = 143, [1234] = 236,
  [1236] = 388, [1251] = 494, [1252] = 359, [1257] = 228, [1258] = 101, [1260] = 449, [1268] = 453,
  [1270] = 450, [1277] = 24, [1278] = 138, [1283] = 462, [1288] = 140, [1291] = 222, [1297] = 399,
  [1299] = 259, [1302] = 229, [1303] = 242, [1307] = 460, [1310] = 386, [1312] = 295, [1314] = 8,
  [1318] = 160, [1327] = 268, [1333] = 442, [1346] = 211, [1348] = 76, [1349] = 58, [1353] = 158,
  [1357] = 437, [1365] = 260, [1366] = 205, [1370] = 390, [1372] = 199, [1384] = 173, [1385] = 36,
  [1387] = 15, [1389] = 111, [1403] = 50, [1407] = 176, [1411] = 298, [1413] = 67, [1424] = 419,
  [1425] = 209, [1427] = 422, [1432] = 89, [1436] = 466, [1442] = 210, [1444] = 341, [1456] = 72,
  [1464] = 135, [1475] = 402, [1476] = 215, [1479] = 445, [1480] = 501, [1486] = 193, [1490] = 56,
  [1492] = 321, [1494] = 372, [1495] = 323, [1496] = 249, [1497] = 479, [1504] = 19, [1508] = 458,
  [1511] = 297, [1518] = 115, [1520] = 355, [1527] = 409, [1528] = 49, [1529] = 320, [1531] = 443,
  [1538] = 39, [1542] = 373, [1544] = 489, [1545] = 194, [1549] = 284, [1551] = 31, [1556] = 196,
  [1558] = 214, [1559] = 285, [1561] = 96, [1570] = 203, [1572] = 276, [1580] = 441, [1583] = 186,
  [1585] = 198, [1587] = 213, [1592] = 278, [1600] = 400, [1601] = 483, [1607] = 271, [1608] = 75,
  [1609] = 477, [1610] = 11, [1614] = 44, [1615] = 344, [1619] = 478, [1624] = 141, [1633] = 226,
  [1634] = 408, [1640] = 301, [1641] = 451, [1644] = 20, [1646] = 32, [1649] = 82, [1654] = 387,
  [1657] = 256, [1658] = 431, [1659] = 103, [1666] = 197, [1667] = 471, [1669] = 330, [1680] = 46,
  [1686] = 351, [1689] = 123, [1692] = 352, [1695] = 421, [1697] = 474, [1700] = 23, [1703] = 122,
  [1704] = 415, [1705] = 60, [1706] = 64, [1710] = 220, [1711] = 485, [1714] = 7, [1717] = 337,
  [1721] = 272, [1722] = 467, [1725] = 314, [1728] = 270, [1729] = 121, [1731] = 465, [1733] = 104,
  [1735] = 329, [1739] = 132, [1740] = 148, [1741] = 156, [1742] = 54, [1744] = 379, [1749] = 293,
  [1752] = 407, [1755] = 97, [1757] = 219, [1762] = 147, [1763] = 118, [1764] = 395, [1765] = 436,
  [1779] = 269, [1782] = 326, [1784] = 153, [1787] = 296, [1790] = 455, [1792] = 239, [1796] = 413,
  [1799] = 264, [1800] = 59, [1811] = 303, [1815] = 224, [1816] = 128, [1817] = 83, [1822] = 6,
  [1823] = 410, [1825] = 2, [1830] = 225, [1831] = 159, [1834] = 90, [1843] = 340, [1854] = 496,
  [1859] = 481, [1868] = 117, [1875] = 179, [1882] = 473, [1885] = 353, [1888] = 342, [1889] = 499,
  [1893] = 216, [1895] = 286, [1905] = 416, [1907] = 488, [1908] = 360, [1911] = 37, [1913] = 113,
  [1916] = 454, [1925] = 376, [1930] = 439, [1939] = 223, [1940] = 151, [1955] = 287, [1957] = 392,
  [1965] = 492, [1971] = 438, [1976] = 469, [1982] = 217, [1983] = 435, [1985] = 63, [1987] = 253,
  [1990] = 204, [1996] = 366, [1997] = 370, [1998] = 155, [2003] = 152, [2006] = 65, [2008] = 5,
  [2010] = 92, [2015] = 22, [2021] = 338, [2024] = 94, [2035] = 88, [2042] = 227, [2044] = 335,
};


/* The L_* classes of the lower-cased, NUL-terminated WORD, or 0 if it is in no list: a binary
   search of the sorted list.  The look-up of the words the keys cannot tell apart, and the
   plain look-up of duzen_analyze_eager. */
static inline uint64_t
duzen_word_search (const char *word)
{
  size_t lo = 0, hi = sizeof duzen_words / sizeof duzen_words[0];
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      const unsigned char *a = (const unsigned char *) word;
      const unsigned char *b = (const unsigned char *) duzen_words[mid].word;
      while (*a && *a == *b)
        a++, b++;
      if (*a == *b)
        return duzen_words[mid].classes;
      if (*a < *b)
        hi = mid;
      else
        lo = mid + 1;
    }
  return 0;
}

/* The L_* classes of the lower-cased, NUL-terminated WORD, or 0 if it is in no list.  Eight
   bytes must be readable at WORD, whatever its length (text.lower's TEXT_LOWER_PAD). */
static inline uint64_t
duzen_word_classes_padded (const char *word)
{
  bool long_word;
  uint64_t key = duzen_word_key_padded (word, &long_word);
  unsigned ia = duzen_key_slot[duzen_key_slot1 (key)], ib = duzen_key_slot[duzen_key_slot2 (key)];
  bool in_a = duzen_keys[ia].key == key, in_b = duzen_keys[ib].key == key;
  if (long_word && (in_a | in_b))
    return duzen_word_search (word);
  /* The keys are distinct, so at most one entry matches; entry 0 has no class.  The entry is
     chosen by its index, then one row read (GCC makes the first choice a conditional move and
     the second a branch rarely taken; choosing between the two rows' classes instead compiled
     to branches on both loads). */
  unsigned hit = in_a ? ia : 0;
  hit = in_b ? ib : hit;
  return duzen_keys[hit].classes;
}

#endif
