/* duzen-lexicon.h: the word lists and verb-table types behind detect-duzen (private to lib/). */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_DUZEN_LEXICON_H
#define RITTBERGER_DUZEN_LEXICON_H

#include <stddef.h>
#include <stdint.h>

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

/* An open-addressing hash of duzen_words, so that a token costs one hash and about one string
   comparison instead of nine (a binary search over 504 words was a third of detect-duzen's time).
   Slot (duzen_word_home (word) + k) % DUZEN_WORD_SLOTS holds index + 1 into duzen_words, 0 =
   empty; the words were inserted in list order.  Whoever changes the list runs
   tests/unit/test-duzen, which checks this table against the list and prints the new one. */
#define DUZEN_WORD_BITS 11
#define DUZEN_WORD_SLOTS (1u << DUZEN_WORD_BITS)

/* The first slot to probe for the lower-cased WORD: duzen_hash spread by a Fibonacci multiplier
   (short words differ in their last byte only, which duzen_hash alone leaves in clusters). */
static inline uint32_t
duzen_word_home (const char *word)
{
  return (uint32_t) (duzen_hash (word) * UINT32_C (2654435769)) >> (32 - DUZEN_WORD_BITS);
}

static const uint16_t duzen_word_slot[DUZEN_WORD_SLOTS] = {
  [5] = 427, [13] = 387, [17] = 26, [18] = 200, [23] = 336, [28] = 280, [34] = 124, [40] = 501,
  [60] = 267, [75] = 333, [78] = 161, [79] = 59, [81] = 7, [82] = 109, [87] = 206, [91] = 416,
  [92] = 113, [96] = 395, [97] = 23, [98] = 32, [100] = 318, [101] = 482, [105] = 80, [106] = 362,
  [107] = 412, [113] = 245, [114] = 497, [115] = 55, [117] = 38, [120] = 241, [123] = 57,
  [135] = 251, [137] = 394, [144] = 179, [145] = 457, [146] = 332, [147] = 425, [148] = 453,
  [156] = 465, [164] = 328, [165] = 317, [173] = 275, [175] = 473, [180] = 350, [182] = 48,
  [187] = 402, [200] = 334, [202] = 49, [203] = 145, [207] = 75, [208] = 397, [220] = 218,
  [223] = 101, [226] = 189, [227] = 111, [228] = 351, [234] = 88, [239] = 373, [241] = 29,
  [242] = 346, [243] = 321, [246] = 16, [254] = 39, [256] = 466, [260] = 279, [265] = 148,
  [275] = 266, [283] = 132, [284] = 137, [289] = 82, [298] = 247, [303] = 382, [315] = 141,
  [316] = 140, [318] = 429, [326] = 184, [327] = 235, [328] = 237, [329] = 288, [330] = 459,
  [332] = 115, [333] = 27, [343] = 46, [345] = 438, [360] = 5, [365] = 173, [366] = 460,
  [370] = 322, [374] = 384, [379] = 396, [381] = 65, [382] = 422, [385] = 95, [393] = 71,
  [400] = 364, [403] = 222, [406] = 196, [407] = 309, [410] = 118, [415] = 348, [416] = 379,
  [419] = 91, [432] = 299, [440] = 398, [441] = 102, [442] = 239, [450] = 150, [455] = 340,
  [456] = 96, [460] = 122, [461] = 363, [466] = 408, [469] = 2, [471] = 311, [472] = 430,
  [483] = 431, [485] = 504, [492] = 293, [496] = 331, [499] = 143, [503] = 393, [506] = 108,
  [509] = 227, [510] = 238, [514] = 290, [515] = 447, [518] = 31, [519] = 441, [540] = 41,
  [542] = 69, [545] = 86, [546] = 433, [551] = 463, [559] = 446, [561] = 47, [573] = 13,
  [575] = 260, [578] = 74, [585] = 490, [586] = 294, [592] = 253, [593] = 51, [594] = 120,
  [596] = 439, [625] = 399, [628] = 376, [629] = 201, [631] = 207, [633] = 203, [634] = 418,
  [635] = 304, [636] = 400, [637] = 365, [639] = 345, [643] = 139, [658] = 415, [662] = 310,
  [665] = 126, [666] = 342, [669] = 67, [674] = 249, [677] = 491, [678] = 76, [679] = 78,
  [681] = 421, [684] = 209, [703] = 186, [704] = 409, [706] = 360, [709] = 445, [711] = 147,
  [714] = 449, [721] = 442, [725] = 103, [739] = 100, [740] = 383, [747] = 202, [748] = 375,
  [750] = 185, [755] = 353, [756] = 44, [759] = 8, [761] = 297, [762] = 261, [775] = 134,
  [778] = 493, [780] = 98, [800] = 291, [801] = 341, [802] = 306, [803] = 257, [808] = 112,
  [829] = 411, [843] = 11, [846] = 19, [852] = 17, [855] = 30, [859] = 476, [861] = 198,
  [879] = 276, [891] = 213, [892] = 283, [894] = 231, [895] = 104, [896] = 244, [897] = 339,
  [911] = 325, [918] = 250, [925] = 312, [935] = 435, [936] = 424, [944] = 499, [947] = 278,
  [949] = 367, [957] = 4, [964] = 450, [969] = 128, [970] = 215, [972] = 498, [1001] = 410,
  [1011] = 183, [1014] = 378, [1016] = 87, [1020] = 163, [1022] = 281, [1026] = 390, [1031] = 478,
  [1034] = 216, [1035] = 277, [1036] = 43, [1038] = 97, [1040] = 324, [1043] = 99, [1047] = 451,
  [1053] = 34, [1056] = 494, [1059] = 219, [1065] = 131, [1070] = 455, [1071] = 195, [1074] = 370,
  [1077] = 9, [1080] = 246, [1083] = 475, [1087] = 359, [1089] = 89, [1100] = 178, [1104] = 454,
  [1108] = 24, [1109] = 234, [1112] = 117, [1113] = 458, [1116] = 210, [1120] = 440, [1121] = 45,
  [1122] = 338, [1128] = 319, [1132] = 254, [1133] = 330, [1136] = 180, [1137] = 381, [1164] = 63,
  [1166] = 307, [1168] = 389, [1171] = 25, [1173] = 159, [1174] = 14, [1175] = 70, [1176] = 406,
  [1177] = 489, [1179] = 182, [1182] = 470, [1186] = 3, [1195] = 477, [1200] = 391, [1201] = 90,
  [1204] = 12, [1209] = 162, [1214] = 420, [1216] = 168, [1223] = 270, [1226] = 314, [1227] = 284,
  [1228] = 484, [1231] = 401, [1235] = 428, [1236] = 274, [1239] = 432, [1241] = 177, [1242] = 495,
  [1247] = 240, [1248] = 242, [1254] = 66, [1258] = 6, [1259] = 264, [1265] = 265, [1266] = 300,
  [1267] = 355, [1292] = 361, [1293] = 236, [1294] = 386, [1296] = 289, [1297] = 444, [1300] = 54,
  [1301] = 212, [1302] = 170, [1303] = 480, [1308] = 349, [1309] = 166, [1315] = 205, [1317] = 154,
  [1318] = 156, [1320] = 369, [1329] = 110, [1331] = 285, [1332] = 233, [1338] = 169, [1340] = 313,
  [1342] = 354, [1343] = 426, [1344] = 208, [1345] = 224, [1354] = 452, [1355] = 474, [1360] = 72,
  [1361] = 129, [1365] = 176, [1367] = 366, [1368] = 308, [1370] = 81, [1377] = 107, [1378] = 192,
  [1379] = 405, [1395] = 116, [1400] = 380, [1401] = 252, [1403] = 50, [1405] = 164, [1410] = 21,
  [1414] = 114, [1415] = 271, [1418] = 462, [1422] = 344, [1423] = 64, [1428] = 214, [1430] = 316,
  [1439] = 256, [1443] = 305, [1448] = 481, [1449] = 485, [1458] = 503, [1459] = 456, [1460] = 42,
  [1463] = 413, [1464] = 193, [1465] = 492, [1467] = 146, [1468] = 232, [1473] = 326, [1474] = 174,
  [1475] = 337, [1481] = 158, [1503] = 199, [1507] = 259, [1508] = 160, [1509] = 68, [1510] = 356,
  [1511] = 18, [1514] = 171, [1515] = 56, [1516] = 230, [1517] = 187, [1518] = 229, [1520] = 175,
  [1523] = 130, [1524] = 385, [1531] = 149, [1532] = 273, [1533] = 371, [1534] = 487, [1537] = 302,
  [1543] = 127, [1545] = 357, [1549] = 136, [1552] = 303, [1553] = 496, [1555] = 77, [1556] = 83,
  [1557] = 298, [1558] = 417, [1563] = 269, [1575] = 105, [1576] = 155, [1580] = 142, [1585] = 53,
  [1586] = 255, [1589] = 403, [1596] = 292, [1597] = 436, [1601] = 486, [1604] = 217, [1606] = 347,
  [1620] = 33, [1632] = 94, [1633] = 461, [1636] = 93, [1648] = 423, [1655] = 377, [1656] = 258,
  [1657] = 60, [1663] = 123, [1664] = 135, [1668] = 167, [1669] = 404, [1670] = 138, [1676] = 119,
  [1684] = 36, [1685] = 92, [1691] = 106, [1695] = 15, [1700] = 181, [1701] = 248, [1703] = 172,
  [1704] = 464, [1705] = 388, [1707] = 320, [1709] = 315, [1710] = 272, [1711] = 225, [1712] = 286,
  [1713] = 414, [1715] = 152, [1718] = 434, [1724] = 483, [1730] = 502, [1735] = 488, [1749] = 223,
  [1750] = 301, [1752] = 211, [1755] = 327, [1762] = 73, [1765] = 144, [1766] = 263, [1767] = 374,
  [1777] = 62, [1779] = 295, [1780] = 448, [1782] = 151, [1783] = 467, [1784] = 472, [1787] = 165,
  [1798] = 85, [1811] = 262, [1815] = 335, [1819] = 220, [1827] = 40, [1830] = 228, [1834] = 226,
  [1837] = 468, [1842] = 61, [1845] = 500, [1854] = 471, [1860] = 10, [1861] = 121, [1862] = 194,
  [1878] = 84, [1879] = 329, [1881] = 204, [1884] = 407, [1885] = 368, [1887] = 197, [1888] = 157,
  [1890] = 20, [1894] = 153, [1902] = 437, [1924] = 28, [1940] = 188, [1949] = 282, [1952] = 323,
  [1954] = 52, [1956] = 58, [1960] = 22, [1968] = 469, [1973] = 392, [1976] = 352, [1979] = 296,
  [1986] = 243, [1987] = 443, [1993] = 287, [1996] = 419, [2005] = 479, [2006] = 37, [2007] = 133,
  [2008] = 125, [2013] = 372, [2018] = 190, [2019] = 191, [2020] = 35, [2027] = 79, [2028] = 221,
  [2033] = 268, [2034] = 358, [2038] = 1, [2044] = 343,
};

/* A filter in front of duzen_word_slot: bit duzen_prefix_bit (word) is set for the first three
   bytes (fewer for shorter words) of every word in duzen_words.  Most tokens of a message, and
   nearly all of an English one, are in no list; the filter turns them away after three bytes
   instead of a hash over the whole word and a probe.  tests/unit/test-duzen.c checks the table
   against the list and prints a new one when it is stale. */
#define DUZEN_PREFIX_BITS 13

/* The filter bit of the lower-cased, NUL-terminated WORD. */
static inline uint32_t
duzen_prefix_bit (const char *word)
{
  const unsigned char *w = (const unsigned char *) word;
  uint32_t k = w[0];
  if (w[0] && w[1])
    k |= (uint32_t) w[1] << 8 | (uint32_t) w[2] << 16;
  return (uint32_t) (k * UINT32_C (2654435769)) >> (32 - DUZEN_PREFIX_BITS);
}

static const uint64_t duzen_word_prefix[1u << (DUZEN_PREFIX_BITS - 6)] = {
  UINT64_C (0x0000000040000100), UINT64_C (0x0000004000000004), UINT64_C (0x0004000000000000),
  UINT64_C (0x2000402000000000), UINT64_C (0x0008000000028000), UINT64_C (0x0100000000800000),
  UINT64_C (0x0001400000800000), UINT64_C (0x0000800000000000), UINT64_C (0x0000100000000000),
  UINT64_C (0x0041000000008000), UINT64_C (0x0000000000104400), UINT64_C (0x0008000000004020),
  UINT64_C (0x0000000020000000), UINT64_C (0x0000100002200200), UINT64_C (0x8000010034000020),
  UINT64_C (0x0000000000020000), UINT64_C (0x0000040000000206), UINT64_C (0x0000002000000800),
  UINT64_C (0x0020000000000000), UINT64_C (0x0000400000000080), UINT64_C (0x0080000408000200),
  UINT64_C (0x0010000001004400), UINT64_C (0x0001020000020000), UINT64_C (0x008a000000000000),
  UINT64_C (0x0000480400000400), UINT64_C (0x0000000000000200), UINT64_C (0x0008000000000400),
  UINT64_C (0x0010000800000001), UINT64_C (0x0000400000020000), UINT64_C (0x0000000800000200),
  UINT64_C (0x0000000000000000), UINT64_C (0x0000000100000001), UINT64_C (0x0000000001540020),
  UINT64_C (0x00000000000c8000), UINT64_C (0x0000000001080000), UINT64_C (0x0000000000000800),
  UINT64_C (0x0000000004000000), UINT64_C (0x0004000000000000), UINT64_C (0x0010800000000108),
  UINT64_C (0x0028080000000100), UINT64_C (0x0000100000020000), UINT64_C (0x0000000020400000),
  UINT64_C (0x0004002040000000), UINT64_C (0x0004000800000000), UINT64_C (0x0020080000000100),
  UINT64_C (0x0040000000000800), UINT64_C (0x4000000000200820), UINT64_C (0x0000200802000000),
  UINT64_C (0x1000001000000040), UINT64_C (0x0000000008800010), UINT64_C (0x8000000000000000),
  UINT64_C (0x0000000028000804), UINT64_C (0x0000012800008080), UINT64_C (0x0010000000000001),
  UINT64_C (0x0002000000000000), UINT64_C (0x0000002802000040), UINT64_C (0x0102000080000800),
  UINT64_C (0x0200808000100004), UINT64_C (0x0000200100020100), UINT64_C (0x0022000000000000),
  UINT64_C (0x8000000000000002), UINT64_C (0x0008020000802200), UINT64_C (0x0000000000000000),
  UINT64_C (0x0000100000000000), UINT64_C (0x0c01020810000002), UINT64_C (0x0004000021000004),
  UINT64_C (0x0001001001004000), UINT64_C (0x0800000000000400), UINT64_C (0x0000000000000014),
  UINT64_C (0x0040000808c00004), UINT64_C (0x4401000000000000), UINT64_C (0x0002000200080000),
  UINT64_C (0x0000000000000020), UINT64_C (0x0000000000000000), UINT64_C (0x0000000004040000),
  UINT64_C (0x0000000000000010), UINT64_C (0x8004000000000000), UINT64_C (0x0000008000000000),
  UINT64_C (0x0084000010001000), UINT64_C (0x0a00000000000000), UINT64_C (0x2000001000000000),
  UINT64_C (0x0000004000042000), UINT64_C (0x0048000000000000), UINT64_C (0x0000000001020000),
  UINT64_C (0x0000400000100000), UINT64_C (0x0000002000008000), UINT64_C (0x0000004040000000),
  UINT64_C (0x0020084000000800), UINT64_C (0x20000000004000c0), UINT64_C (0x0240040000000001),
  UINT64_C (0x000000000002a000), UINT64_C (0x0000000008000000), UINT64_C (0x0001000010808000),
  UINT64_C (0x0040000200000000), UINT64_C (0x0000000002000200), UINT64_C (0x0080000030000000),
  UINT64_C (0x0100000400040000), UINT64_C (0x0000000081041000), UINT64_C (0x0000020000010200),
  UINT64_C (0x0000800000000000), UINT64_C (0x210006000a000081), UINT64_C (0x8080000800000000),
  UINT64_C (0x4000082020010008), UINT64_C (0x0000020800000000), UINT64_C (0x0000000000002000),
  UINT64_C (0x0100008000004000), UINT64_C (0x8002080000000000), UINT64_C (0x0000000000100000),
  UINT64_C (0x0400000200010000), UINT64_C (0x0800400000004000), UINT64_C (0x0000100000000000),
  UINT64_C (0x000000000a001000), UINT64_C (0x0000000000000000), UINT64_C (0x0000000094000000),
  UINT64_C (0x0000000401008000), UINT64_C (0x0008000000001000), UINT64_C (0x0000020300000000),
  UINT64_C (0x0200800000000000), UINT64_C (0x8000000000002011), UINT64_C (0x00000000000000a0),
  UINT64_C (0x0000000400000000), UINT64_C (0x0000000000000000), UINT64_C (0x0000400040204000),
  UINT64_C (0x0004000004000000), UINT64_C (0x0100000000000100), UINT64_C (0x0100000010080010),
  UINT64_C (0x0000000000000000), UINT64_C (0x0000010000042020),
};

/* The L_* classes of the lower-cased, NUL-terminated WORD, or 0 if it is in no list. */
static inline uint64_t
duzen_word_classes (const char *word)
{
  uint32_t bit = duzen_prefix_bit (word);
  if (!(duzen_word_prefix[bit >> 6] >> (bit & 63) & 1))
    return 0;
  for (uint32_t slot = duzen_word_home (word);; slot = (slot + 1) % DUZEN_WORD_SLOTS)
    {
      unsigned entry = duzen_word_slot[slot];
      if (entry == 0)
        return 0;
      const unsigned char *a = (const unsigned char *) word;
      const unsigned char *b = (const unsigned char *) duzen_words[entry - 1].word;
      while (*a && *a == *b)
        a++, b++;
      if (*a == *b)
        return duzen_words[entry - 1].classes;
    }
}

#endif
