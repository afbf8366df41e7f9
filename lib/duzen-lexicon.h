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

/* The first four bytes of the lower-cased, NUL-terminated WORD (all of it if shorter),
   little-endian, zero-padded: most listed words, and most words of a text, fit. */
static inline uint32_t
duzen_word_head (const char *word)
{
  const unsigned char *w = (const unsigned char *) word;
  uint32_t k = w[0];
  if (k)
    {
      k |= (uint32_t) w[1] << 8;
      if (w[1])
        {
          k |= (uint32_t) w[2] << 16;
          if (w[2])
            k |= (uint32_t) w[3] << 24;
        }
    }
  return k;
}

/* The first slot to probe for WORD, whose duzen_word_head is HEAD: the head and any further
   bytes mixed, spread by a Fibonacci multiplier.  A word of up to four bytes costs no loop. */
static inline uint32_t
duzen_word_home_of (const char *word, uint32_t head)
{
  uint32_t h = head;
  if (head >> 24)
    for (const unsigned char *p = (const unsigned char *) word + 4; *p; p++)
      h = (h ^ *p) * UINT32_C (16777619);
  return (uint32_t) (h * UINT32_C (2654435769)) >> (32 - DUZEN_WORD_BITS);
}

static inline uint32_t
duzen_word_home (const char *word)
{
  return duzen_word_home_of (word, duzen_word_head (word));
}

static const uint16_t duzen_word_slot[DUZEN_WORD_SLOTS] = {
  [2] = 37, [7] = 325, [8] = 138, [11] = 481, [14] = 167, [15] = 482, [29] = 182, [32] = 319,
  [38] = 240, [59] = 213, [63] = 257, [66] = 466, [67] = 9, [68] = 433, [75] = 29, [76] = 169,
  [77] = 334, [78] = 446, [80] = 224, [81] = 367, [83] = 431, [85] = 85, [89] = 473, [94] = 417,
  [95] = 491, [102] = 484, [108] = 4, [115] = 381, [124] = 302, [130] = 397, [135] = 457,
  [137] = 146, [138] = 328, [139] = 286, [141] = 168, [147] = 46, [157] = 43, [162] = 246,
  [165] = 248, [170] = 416, [171] = 451, [174] = 305, [175] = 98, [176] = 25, [177] = 16,
  [179] = 432, [181] = 413, [182] = 73, [184] = 278, [185] = 498, [190] = 318, [192] = 405,
  [195] = 410, [199] = 429, [206] = 391, [217] = 149, [219] = 155, [220] = 68, [222] = 404,
  [232] = 172, [239] = 366, [240] = 216, [244] = 311, [247] = 135, [256] = 131, [264] = 76,
  [284] = 454, [292] = 436, [298] = 376, [301] = 420, [305] = 30, [307] = 41, [309] = 387,
  [310] = 120, [315] = 105, [318] = 185, [322] = 102, [328] = 353, [338] = 124, [342] = 184,
  [348] = 288, [349] = 423, [359] = 231, [365] = 406, [368] = 465, [372] = 139, [380] = 1,
  [381] = 437, [383] = 290, [386] = 500, [389] = 299, [394] = 265, [395] = 337, [402] = 264,
  [407] = 128, [409] = 476, [416] = 99, [435] = 368, [436] = 218, [440] = 364, [442] = 166,
  [443] = 219, [452] = 189, [453] = 107, [464] = 283, [466] = 462, [470] = 159, [474] = 61,
  [476] = 327, [480] = 330, [482] = 237, [489] = 190, [493] = 174, [494] = 245, [496] = 17,
  [504] = 447, [507] = 10, [510] = 425, [513] = 430, [516] = 407, [517] = 303, [518] = 320,
  [520] = 322, [529] = 399, [531] = 408, [532] = 460, [533] = 106, [534] = 501, [545] = 335,
  [550] = 243, [551] = 421, [561] = 393, [562] = 315, [563] = 52, [567] = 163, [568] = 234,
  [570] = 57, [571] = 173, [582] = 435, [588] = 361, [589] = 331, [592] = 247, [593] = 157,
  [596] = 165, [597] = 394, [605] = 375, [607] = 118, [608] = 250, [610] = 161, [615] = 32,
  [617] = 208, [621] = 18, [622] = 158, [626] = 351, [634] = 418, [637] = 357, [644] = 285,
  [651] = 210, [655] = 70, [661] = 467, [663] = 314, [679] = 215, [684] = 14, [696] = 336,
  [700] = 132, [703] = 79, [704] = 24, [712] = 312, [714] = 487, [720] = 348, [722] = 5,
  [728] = 225, [738] = 23, [739] = 443, [740] = 121, [741] = 503, [742] = 371, [751] = 203,
  [758] = 91, [762] = 459, [763] = 261, [764] = 140, [765] = 267, [769] = 144, [774] = 378,
  [777] = 27, [789] = 294, [790] = 154, [799] = 197, [810] = 388, [815] = 260, [817] = 456,
  [818] = 72, [829] = 452, [833] = 450, [835] = 309, [836] = 480, [838] = 101, [841] = 253,
  [845] = 362, [847] = 80, [848] = 273, [850] = 332, [851] = 162, [852] = 298, [861] = 179,
  [867] = 205, [868] = 142, [869] = 428, [871] = 69, [876] = 401, [879] = 54, [880] = 346,
  [881] = 389, [886] = 449, [888] = 271, [889] = 160, [891] = 214, [892] = 103, [893] = 153,
  [897] = 170, [898] = 349, [906] = 209, [908] = 310, [909] = 66, [910] = 176, [912] = 409,
  [917] = 280, [919] = 200, [922] = 58, [923] = 194, [926] = 268, [930] = 26, [931] = 236,
  [934] = 483, [941] = 414, [954] = 117, [956] = 489, [958] = 439, [962] = 438, [977] = 35,
  [978] = 116, [979] = 360, [986] = 293, [993] = 89, [995] = 112, [1019] = 133, [1024] = 192,
  [1025] = 204, [1029] = 59, [1031] = 63, [1032] = 471, [1034] = 342, [1036] = 259, [1037] = 171,
  [1038] = 100, [1039] = 226, [1040] = 45, [1041] = 326, [1042] = 374, [1052] = 251, [1053] = 470,
  [1059] = 87, [1065] = 313, [1066] = 12, [1076] = 62, [1077] = 358, [1080] = 385, [1084] = 71,
  [1088] = 258, [1089] = 19, [1090] = 350, [1104] = 55, [1105] = 496, [1109] = 53, [1110] = 339,
  [1111] = 355, [1119] = 36, [1133] = 281, [1140] = 93, [1142] = 217, [1144] = 136, [1145] = 48,
  [1147] = 445, [1148] = 134, [1152] = 3, [1153] = 202, [1154] = 400, [1164] = 359, [1165] = 384,
  [1166] = 453, [1171] = 277, [1188] = 95, [1190] = 494, [1191] = 191, [1192] = 458, [1194] = 324,
  [1196] = 7, [1198] = 242, [1199] = 143, [1201] = 321, [1203] = 199, [1206] = 333, [1209] = 150,
  [1212] = 2, [1214] = 396, [1216] = 127, [1228] = 475, [1238] = 110, [1240] = 468, [1247] = 64,
  [1248] = 74, [1251] = 113, [1252] = 390, [1253] = 474, [1258] = 275, [1266] = 60, [1267] = 274,
  [1276] = 81, [1277] = 233, [1288] = 164, [1290] = 222, [1295] = 402, [1298] = 141, [1299] = 284,
  [1300] = 130, [1301] = 232, [1305] = 463, [1307] = 383, [1309] = 497, [1311] = 111, [1321] = 398,
  [1322] = 403, [1326] = 235, [1334] = 115, [1340] = 188, [1345] = 493, [1355] = 440, [1361] = 238,
  [1363] = 263, [1364] = 415, [1367] = 119, [1372] = 306, [1375] = 39, [1385] = 15, [1387] = 181,
  [1388] = 343, [1389] = 441, [1393] = 13, [1408] = 464, [1409] = 301, [1411] = 372, [1413] = 67,
  [1419] = 6, [1423] = 422, [1424] = 212, [1425] = 145, [1429] = 56, [1434] = 272, [1435] = 40,
  [1436] = 469, [1441] = 282, [1444] = 344, [1447] = 129, [1450] = 239, [1453] = 211, [1455] = 499,
  [1462] = 137, [1463] = 379, [1471] = 442, [1477] = 448, [1479] = 317, [1488] = 151, [1492] = 266,
  [1493] = 178, [1496] = 252, [1497] = 33, [1505] = 148, [1506] = 461, [1510] = 300, [1527] = 49,
  [1528] = 412, [1534] = 373, [1535] = 206, [1537] = 370, [1540] = 47, [1542] = 82, [1543] = 341,
  [1544] = 492, [1550] = 31, [1555] = 198, [1556] = 369, [1559] = 96, [1560] = 186, [1561] = 478,
  [1565] = 180, [1572] = 279, [1575] = 195, [1576] = 472, [1578] = 444, [1585] = 338, [1594] = 175,
  [1595] = 220, [1601] = 486, [1603] = 386, [1609] = 94, [1610] = 11, [1614] = 44, [1615] = 347,
  [1624] = 377, [1631] = 229, [1632] = 291, [1633] = 411, [1634] = 108, [1638] = 152, [1639] = 304,
  [1641] = 196, [1642] = 20, [1643] = 292, [1646] = 193, [1656] = 434, [1657] = 114, [1665] = 84,
  [1667] = 255, [1683] = 354, [1688] = 308, [1689] = 123, [1694] = 424, [1698] = 38, [1705] = 287,
  [1708] = 223, [1711] = 488, [1712] = 177, [1714] = 316, [1717] = 340, [1732] = 92, [1740] = 490,
  [1742] = 382, [1745] = 183, [1746] = 276, [1753] = 8, [1755] = 97, [1759] = 201, [1765] = 207,
  [1767] = 28, [1776] = 427, [1781] = 244, [1782] = 329, [1791] = 254, [1792] = 78, [1793] = 296,
  [1803] = 187, [1806] = 227, [1810] = 504, [1821] = 241, [1822] = 295, [1830] = 228, [1832] = 90,
  [1840] = 455, [1857] = 125, [1858] = 21, [1860] = 122, [1864] = 262, [1866] = 221, [1870] = 479,
  [1883] = 356, [1888] = 345, [1889] = 502, [1899] = 156, [1902] = 477, [1905] = 363, [1906] = 419,
  [1909] = 365, [1929] = 50, [1930] = 75, [1934] = 269, [1935] = 249, [1947] = 42, [1952] = 104,
  [1955] = 395, [1957] = 352, [1962] = 77, [1963] = 307, [1964] = 495, [1972] = 83, [1983] = 147,
  [1986] = 256, [1994] = 270, [2001] = 289, [2002] = 51, [2003] = 392, [2004] = 65, [2005] = 485,
  [2007] = 86, [2011] = 426, [2014] = 22, [2023] = 297, [2032] = 323, [2033] = 88, [2034] = 34,
  [2035] = 109, [2036] = 380, [2040] = 126, [2042] = 230,
};

/* A filter in front of duzen_word_slot: bit duzen_prefix_bit (duzen_word_head (word)) is set
   for every word in duzen_words.  Most tokens of a message, and nearly all of an English one,
   are in no list; the filter turns them away after four bytes (83 % of the corpus sample's
   words) instead of a hash and a probe.  tests/unit/test-duzen.c checks the table against the
   list and prints a new one when it is stale. */
#define DUZEN_PREFIX_BITS 13

/* The filter bit of a word whose duzen_word_head is HEAD. */
static inline uint32_t
duzen_prefix_bit (uint32_t head)
{
  return (uint32_t) (head * UINT32_C (2654435769)) >> (32 - DUZEN_PREFIX_BITS);
}

static const uint64_t duzen_word_prefix[1u << (DUZEN_PREFIX_BITS - 6)] = {
  UINT64_C (0x0880000240022101), UINT64_C (0x0c20000000000000), UINT64_C (0x0000000000000000),
  UINT64_C (0x2000400000080000), UINT64_C (0x0088000000028400), UINT64_C (0x4100000000800002),
  UINT64_C (0x0001000000000000), UINT64_C (0x0000000002001200), UINT64_C (0x4020100000000000),
  UINT64_C (0x0040000000008000), UINT64_C (0x8200000000100000), UINT64_C (0x0000000100808028),
  UINT64_C (0x0000000020000000), UINT64_C (0x0204000000004000), UINT64_C (0x8000000000000000),
  UINT64_C (0x0000000000020040), UINT64_C (0x0000000000000004), UINT64_C (0x0000808000004000),
  UINT64_C (0x0020000000040000), UINT64_C (0x0100400000802010), UINT64_C (0x0000002440000200),
  UINT64_C (0x0010000001000201), UINT64_C (0x0020000000000000), UINT64_C (0x00c8000000810000),
  UINT64_C (0x0000421000000600), UINT64_C (0x0000000000000200), UINT64_C (0x0000000000000000),
  UINT64_C (0x1000080800001000), UINT64_C (0x0000000000020000), UINT64_C (0x0001020000000204),
  UINT64_C (0x0080000000000000), UINT64_C (0x0000800100000001), UINT64_C (0x0000000000540020),
  UINT64_C (0x00100010000c4040), UINT64_C (0x0000000021000020), UINT64_C (0x0000800800408800),
  UINT64_C (0x1088000004000000), UINT64_C (0x0000000000018008), UINT64_C (0x8010000000000108),
  UINT64_C (0x0020080000000100), UINT64_C (0x0000120000020000), UINT64_C (0x0800000020410208),
  UINT64_C (0x0004000040000000), UINT64_C (0x0004000801000000), UINT64_C (0x0000080400000400),
  UINT64_C (0x0000000040000801), UINT64_C (0x4000000000001800), UINT64_C (0x0840200002000000),
  UINT64_C (0x0000001004000000), UINT64_C (0x2000000000800000), UINT64_C (0x8000048000000000),
  UINT64_C (0x0040000000000000), UINT64_C (0x0040002008008080), UINT64_C (0x0000000000083000),
  UINT64_C (0x9042000000000008), UINT64_C (0x0000408402000000), UINT64_C (0x0042000000000c00),
  UINT64_C (0x0200820000100004), UINT64_C (0x0004010000200100), UINT64_C (0x0102022040400000),
  UINT64_C (0x0000000000000000), UINT64_C (0x0000020000002200), UINT64_C (0x0000000000000020),
  UINT64_C (0x0000100000000000), UINT64_C (0x09010a0810000002), UINT64_C (0x0404000000000006),
  UINT64_C (0x0000013100004000), UINT64_C (0x4002000000a00000), UINT64_C (0x0000000000000074),
  UINT64_C (0x0000000009800004), UINT64_C (0x0010000000000000), UINT64_C (0x0000000208080000),
  UINT64_C (0x0000000000000020), UINT64_C (0x0080080000000000), UINT64_C (0x0000000004040000),
  UINT64_C (0x0008000001001010), UINT64_C (0x0004000000000000), UINT64_C (0x1000000000000000),
  UINT64_C (0x0000020000021008), UINT64_C (0x0004000800000200), UINT64_C (0x2000040000000000),
  UINT64_C (0x0000804000142000), UINT64_C (0x0018005000080000), UINT64_C (0x0000000000000000),
  UINT64_C (0x0000400000000000), UINT64_C (0x0001000000008000), UINT64_C (0x0005004000000000),
  UINT64_C (0x0000000000000000), UINT64_C (0x2040200000400080), UINT64_C (0x0800040001000041),
  UINT64_C (0x0000000080020000), UINT64_C (0x140000000c000000), UINT64_C (0x0000000010c00000),
  UINT64_C (0x1000000200000000), UINT64_C (0x0000002002000200), UINT64_C (0x4200000030080000),
  UINT64_C (0x0100000400048000), UINT64_C (0x8000000080081200), UINT64_C (0x4000020800018000),
  UINT64_C (0x0000080000020420), UINT64_C (0x21000410000000c0), UINT64_C (0x8000000800000000),
  UINT64_C (0x0100082020000008), UINT64_C (0x0000000800000000), UINT64_C (0x0000000001002000),
  UINT64_C (0x0100008000014000), UINT64_C (0x8002008000000100), UINT64_C (0x0020480000100104),
  UINT64_C (0x0402000100810000), UINT64_C (0x0000400000000060), UINT64_C (0x0000000000000000),
  UINT64_C (0x1004000008000000), UINT64_C (0x0080800000004000), UINT64_C (0x0400000000000000),
  UINT64_C (0x0002001421000000), UINT64_C (0x0020004000000000), UINT64_C (0x0000020000000800),
  UINT64_C (0x0000800002000000), UINT64_C (0x0080000000040251), UINT64_C (0x00000000000000a0),
  UINT64_C (0x4200000004004001), UINT64_C (0x0000000000000000), UINT64_C (0x0000400000204000),
  UINT64_C (0x1000020000000802), UINT64_C (0x0000000000000100), UINT64_C (0x0100000000080000),
  UINT64_C (0x0000000000000000), UINT64_C (0x0000010000004020),
};

/* The L_* classes of the lower-cased, NUL-terminated WORD, whose duzen_word_head is HEAD, or 0
   if it is in no list: the probe of duzen_word_slot alone. */
static inline uint64_t
duzen_word_probe (const char *word, uint32_t head)
{
  for (uint32_t slot = duzen_word_home_of (word, head);; slot = (slot + 1) % DUZEN_WORD_SLOTS)
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

/* The L_* classes of the lower-cased, NUL-terminated WORD, or 0 if it is in no list: the
   prefix filter, then the probe. */
static inline uint64_t
duzen_word_classes (const char *word)
{
  uint32_t head = duzen_word_head (word);
  uint32_t bit = duzen_prefix_bit (head);
  if (!(duzen_word_prefix[bit >> 6] >> (bit & 63) & 1))
    return 0;
  return duzen_word_probe (word, head);
}

#endif
