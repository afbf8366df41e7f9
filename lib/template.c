/* template.c: detect-template: template rules, greeting/category/subject checks, and the bulk store. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "template.h"
#include "score.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

/* ------------------------------------------------------------------ small helpers */

static char
ascii_lower (char c)
{
  return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* True if P[0..N) equals WORD, ASCII letters compared without case. */
static bool
equal_ci (const char *p, size_t n, const char *word)
{
  if (strlen (word) != n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (ascii_lower (p[i]) != word[i])
      return false;
  return true;
}

static bool
in_list_ci (const char *p, size_t n, const char *const *list)
{
  for (const char *const *w = list; *w; w++)
    if (equal_ci (p, n, *w))
      return true;
  return false;
}

/* Unicode case-insensitive equality of two byte ranges. */
static bool
equal_fold (const char *a, size_t na, const char *b, size_t nb)
{
  int r;
  if (u8_casecmp ((const uint8_t *) a, na, (const uint8_t *) b, nb, NULL, UNINORM_NFC, &r) < 0)
    return false;
  return r == 0;
}

const char *
template_verdict_name (enum template_verdict v)
{
  return v == TEMPLATE_VERDICT_TEMPLATE ? "TEMPLATE" : "NONE";
}

/* ------------------------------------------------------------------ headers */

bool
template_is_subscribed (const struct msg *m)
{
  if (!m || m->kind != MSG_MAIL)
    return false;
  if (msg_header (m, "List-Id") || msg_header (m, "List-Unsubscribe"))
    return true;
  const char *prec = msg_header (m, "Precedence");
  if (!prec)
    return false;
  while (is_blank (*prec))
    prec++;
  size_t n = 0;
  while (prec[n] && !is_blank (prec[n]))
    n++;
  return equal_ci (prec, n, "bulk") || equal_ci (prec, n, "list") || equal_ci (prec, n, "junk");
}

static bool
is_reply_thread (const struct msg *m)
{
  return m && (msg_header (m, "In-Reply-To") || msg_header (m, "References"));
}

int64_t
template_message_time (const struct msg *m)
{
  const char *d = m ? msg_header (m, "Date") : NULL;
  if (!d)
    return 0;
  static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
    "sep", "oct", "nov", "dec" };
  while (is_blank (*d))
    d++;
  /* An optional day name: "Mon, ". */
  const char *comma = strchr (d, ',');
  if (comma && comma - d <= 10)
    d = comma + 1;
  int day, year, hour, minute, second = 0;
  char mon[4];
  int used = 0;
  if (sscanf (d, " %d %3s %d %d:%d%n", &day, mon, &year, &hour, &minute, &used) != 5)
    return 0;
  d += used;
  if (*d == ':')
    {
      int n2 = 0;
      if (sscanf (d, ":%d%n", &second, &n2) == 1)
        d += n2;
    }
  int month = -1;
  for (int i = 0; i < 12; i++)
    if (ascii_lower (mon[0]) == months[i][0] && ascii_lower (mon[1]) == months[i][1]
        && ascii_lower (mon[2]) == months[i][2])
      month = i;
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return 0;
  if (year < 50)
    year += 2000;
  else if (year < 1000)
    year += 1900;
  while (is_blank (*d))
    d++;
  long offset = 0;
  if ((*d == '+' || *d == '-') && d[1] >= '0' && d[1] <= '9')
    {
      long hhmm = strtol (d + 1, NULL, 10);
      offset = (hhmm / 100) * 3600 + (hhmm % 100) * 60;
      if (*d == '-')
        offset = -offset;
    }
  else
    {
      static const struct { const char *name; int hours; } zones[] = {
        { "EDT", -4 }, { "EST", -5 }, { "CDT", -5 }, { "CST", -6 }, { "MDT", -6 }, { "MST", -7 },
        { "PDT", -7 }, { "PST", -8 }, { "CET", 1 }, { "CEST", 2 },
      };
      for (size_t i = 0; i < sizeof zones / sizeof *zones; i++)
        if (strncmp (d, zones[i].name, strlen (zones[i].name)) == 0)
          offset = zones[i].hours * 3600L;
    }
  struct tm tm = { 0 };
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t t = timegm (&tm);
  if (t == (time_t) -1)
    return 0;
  return (int64_t) t - offset;
}

/* ------------------------------------------------------------------ recipient */

/* What the checks know about the recipient: the profile plus the To header. */
struct recipient
{
  const struct profile *p;
  const struct msg *m;
  bool to_read;                 /* TO holds M's To address (see recipient_read_to) */
  char to[320];                 /* the first To address, lower case, or "" */
};

static void
recipient_init (struct recipient *r, const struct msg *m, const struct profile *p)
{
  r->p = p;
  r->m = m;
  r->to_read = false;
  r->to[0] = '\0';
}

/* Fill R's To address.  Only a greeting that looks like a handle asks for it, so most
   messages never parse their To field here. */
static void
recipient_read_to (struct recipient *r)
{
  if (r->to_read)
    return;
  r->to_read = true;
  const char *to = r->m ? msg_header (r->m, "To") : NULL;
  if (to && !profile_address (to, r->to, sizeof r->to))
    r->to[0] = '\0';
}

/* Free-mail domains say nothing about the recipient's business. */
static const char *const freemail_labels[] = {
  "gmail", "googlemail", "gmx", "web", "outlook", "hotmail", "live", "yahoo", "icloud", "me",
  "aol", "t-online", "posteo", "mailbox", "protonmail", "proton", "freenet", "arcor", "mail", NULL
};

/* Call FN for each address the recipient is known by (profile addresses, the To address). */
static bool
address_matches (const struct recipient *r, const char *p, size_t n, bool local_part)
{
  const char *addrs[64];
  size_t na = 0;
  if (r->to[0])
    addrs[na++] = r->to;
  if (r->p)
    for (size_t i = 0; i < r->p->addresses.n && na < 64; i++)
      addrs[na++] = r->p->addresses.v[i];
  for (size_t i = 0; i < na; i++)
    {
      const char *a = addrs[i], *at = strrchr (a, '@');
      if (!at)
        continue;
      if (local_part)
        {
          if (equal_fold (a, at - a, p, n))
            return true;
          continue;
        }
      /* The domain, or its first label unless it is a free-mail provider. */
      const char *dom = at + 1, *dot = strchr (dom, '.');
      if (equal_fold (dom, strlen (dom), p, n))
        return true;
      size_t label = dot ? (size_t) (dot - dom) : strlen (dom);
      char lab[128];
      if (label == 0 || label >= sizeof lab)
        continue;
      memcpy (lab, dom, label);
      lab[label] = '\0';
      bool freemail = false;
      for (const char *const *f = freemail_labels; *f; f++)
        freemail |= strcmp (*f, lab) == 0;
      if (!freemail && equal_fold (dom, label, p, n))
        return true;
    }
  return false;
}

/* True if the word P[0..N) is one of the recipient's names, name parts, company words or handles. */
static bool
is_recipient_name (const struct recipient *r, const char *p, size_t n)
{
  if (!r->p)
    return false;
  const struct profile_list *lists[] = { &r->p->names, &r->p->company, &r->p->handles };
  for (size_t l = 0; l < 3; l++)
    for (size_t i = 0; i < lists[l]->n; i++)
      {
        const char *e = lists[l]->v[i];
        /* An entry may hold several words ("Anna Brandt"): compare with each. */
        while (*e)
          {
            while (*e && (is_blank (*e) || *e == '@'))
              e++;
            size_t k = 0;
            while (e[k] && !is_blank (e[k]))
              k++;
            if (k && equal_fold (e, k, p, n))
              return true;
            e += k;
          }
      }
  return false;
}

/* ------------------------------------------------------------------ greeting checks */

/* Openers of a salutation, ASCII letters in lower case, longest first where one is a prefix. */
#define OPENER(s) { s, sizeof s - 1 }
static const struct
{
  const char *text;
  size_t len;                   /* strlen (text): the table is read for every message */
} greeting_openers[] = {
  OPENER ("sehr geehrter"), OPENER ("sehr geehrte"), OPENER ("sehr geehrtes"),
  OPENER ("guten morgen"), OPENER ("guten tag"), OPENER ("guten abend"), OPENER ("good morning"),
  OPENER ("good afternoon"), OPENER ("good evening"), OPENER ("hallöchen"), OPENER ("hallo"),
  OPENER ("hello"), OPENER ("hey"), OPENER ("hiya"), OPENER ("hi"), OPENER ("dear"),
  OPENER ("liebe"), OPENER ("lieber"), OPENER ("liebes"), OPENER ("moin"), OPENER ("servus"),
  OPENER ("greetings"), OPENER ("howdy"), OPENER ("grüß gott"), OPENER ("grüezi"),
  OPENER ("werte"), OPENER ("werter"), OPENER ("salut"), OPENER ("hej"), OPENER ("yo"),
};
#undef OPENER

/* Words that address people without naming them. */
static const char *const generic_addressees[] = {
  "team", "zusammen", "all", "allerseits", "there", "everyone", "everybody", "folks", "leute",
  "ihr", "du", "sie", "friend", "friends", "sir", "madam", "damen", "herren", "kollegen",
  "kolleginnen", "freunde", "community", "guys", "you", "und", "and", "miteinander", "beisammen",
  "gemeinsam", "again", "nochmal", "wieder", "back", "both", "beide", "alle", "here", "channel",
  "world", "welt", "hiring", "manager", "recruiter", "customer", "kunde", "kundin", "user",
  "nutzer", "member", "mitglied", "colleague", "kollege", "kollegin", "partner", "partnerin",
  "mitarbeiter", "mitarbeiterin", "owner", "inhaber", "inhaberin", "founder", "gründer",
  "gründerin", "ceo", "geschäftsführer", "geschäftsführerin", "sir/madam", "valued", "dear",
  "lieber", "liebe", NULL
};

static const char *const titles[] = {
  "herr", "frau", "hr", "hr.", "fr", "fr.", "dr", "dr.", "prof", "prof.", "mr", "mr.", "mrs",
  "mrs.", "ms", "ms.", "miss", "mx", "mx.", "mag.", "dipl.-ing.", "ing.", NULL
};

/* Mailbox names of roles, not people. */
static const char *const role_mailboxes[] = {
  "info", "kontakt", "contact", "office", "mail", "email", "e-mail", "hello", "hallo", "sales",
  "support", "admin", "service", "post", "buero", "büro", "marketing", "presse", "press", "jobs",
  "karriere", "careers", "noreply", "no-reply", "webmaster", "inbox", "team", "anfrage",
  "anfragen", "mailbox", "kundenservice", "verwaltung", "zentrale", "shop", NULL
};

static const char *const tld_list[] = {
  "com", "net", "org", "de", "at", "ch", "eu", "io", "co", "info", "biz", "app", "dev", "ai", "uk",
  "shop", "online", "agency", "digital", "media", "store", "studio", "gmbh", "berlin", NULL
};

struct word
{
  size_t a, b;                  /* byte range in the body */
};

/* Does the name part W look like a handle, an address, a domain or a role mailbox? */
static bool
looks_like_handle (const char *s, struct word w, const struct recipient *r)
{
  const char *p = s + w.a;
  size_t n = w.b - w.a;
  if (n == 0)
    return false;
  if (p[0] == '@')
    return n > 1;
  size_t letters = 0, digits = 0, upper = 0;
  bool underscore = false, at = false;
  const char *last_dot = NULL;
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = p[i];
      if (c >= '0' && c <= '9')
        digits++;
      else if (c == '_')
        underscore = true;
      else if (c == '@')
        at = true;
      else if (c == '.')
        last_dot = p + i;
      else if (c >= 'A' && c <= 'Z')
        {
          upper++;
          letters++;
        }
      else if (c >= 'a' && c <= 'z')
        letters++;
    }
  if (underscore || at)
    return true;
  if (digits && letters)
    return true;
  if (last_dot && last_dot + 1 < p + n)
    {
      size_t tl = p + n - last_dot - 1;
      char tld[16];
      if (tl < sizeof tld)
        {
          for (size_t i = 0; i < tl; i++)
            tld[i] = ascii_lower (last_dot[1 + i]);
          tld[tl] = '\0';
          for (const char *const *t = tld_list; *t; t++)
            if (strcmp (*t, tld) == 0)
              return true;
        }
      /* anna.brandt: a local part written where a name belongs. */
      if (upper == 0)
        return true;
    }
  if (in_list_ci (p, n, role_mailboxes))
    return true;
  /* The recipient's own mailbox local part or domain, written in lower case, unless it is one
     of their names ("Hi anna" is sloppy, not a handle). */
  if (upper == 0 && !is_recipient_name (r, p, n)
      && (address_matches (r, p, n, true) || address_matches (r, p, n, false)))
    return true;
  /* brandt-consulting: a lower-case hyphenated word is a domain label, not a name. */
  if (upper == 0 && memchr (p, '-', n))
    return true;
  return false;
}

/* Split [A, B) of S into blank-separated words; return how many (at most MAX). */
static size_t
split_words (const char *s, size_t a, size_t b, struct word *w, size_t max)
{
  size_t n = 0;
  size_t i = a;
  while (i < b && n < max)
    {
      while (i < b && is_blank (s[i]))
        i++;
      if (i >= b)
        break;
      size_t j = i;
      while (j < b && !is_blank (s[j]))
        j++;
      w[n].a = i;
      w[n].b = j;
      n++;
      i = j;
    }
  return n;
}

/* Does word W start with an upper-case letter, and hold only letters, hyphens, apostrophes? */
static bool
looks_like_name (const char *s, struct word w)
{
  ucs4_t c;
  size_t i = w.a;
  int m = u8_mbtouc (&c, (const uint8_t *) s + i, w.b - i);
  if (m <= 0 || !uc_is_upper (c))
    return false;
  for (i += m; i < w.b; i += m)
    {
      m = u8_mbtouc (&c, (const uint8_t *) s + i, w.b - i);
      if (m <= 0)
        return false;
      if (!uc_is_alpha (c) && c != '-' && c != '\'' && c != 0x2019)
        return false;
    }
  return w.b - w.a >= 2;
}

static int
add_finding (struct findings *out, const struct text *t, const struct ruleset *rs, const char *rule,
             uint32_t off, uint32_t len)
{
  if (findings_add (out, t->s, rule, TEMPLATE_CLASS, SEV_MEDIUM, 0, off, len) < 0)
    return -1;
  const struct rule *r = rs ? rules_find (rs, rule) : NULL;
  out->v[out->n - 1].weight = r ? r->weight : 1.0;
  return 0;
}

/* The greeting line of T: the first of the sender's own first sentences that starts with an
   opener; its range in *A, *B and the end of the opener in *NAME_AT.  False if none. */
static bool
find_greeting (const struct text *t, size_t *a, size_t *b, size_t *name_at)
{
  size_t seen = 0;
  for (size_t s = 0; s < t->nsent && seen < 3; s++)
    {
      const struct text_sentence *st = &t->sent[s];
      if (st->ntok == 0 || st->first_tok >= t->ntok || st->end > t->len || st->end <= st->off)
        continue;
      if (t->tok[st->first_tok].mask & (TEXT_QUOTED | TEXT_SIGNATURE | TEXT_FORWARD
                                        | TEXT_DISCLAIMER | TEXT_CODE))
        continue;
      seen++;
      const char *p = t->s + st->off;
      size_t n = st->end - st->off;
      /* Only the first line of the sentence. */
      const char *nl = memchr (p, '\n', n);
      if (nl)
        n = nl - p;
      size_t lead = 0;
      while (lead < n && is_blank (p[lead]))
        lead++;
      if (lead >= n)
        continue;
      /* Most lines start with none of the openers' first letters. */
      char first = ascii_lower (p[lead]);
      for (size_t o = 0; o < sizeof greeting_openers / sizeof *greeting_openers; o++)
        {
          const char *opener = greeting_openers[o].text;
          size_t k = greeting_openers[o].len;
          if (opener[0] != first || lead + k > n)
            continue;
          bool same = true;
          for (size_t i = 1; i < k && same; i++)
            same = ascii_lower (p[lead + i]) == opener[i];
          if (!same)
            continue;
          unsigned char after = lead + k < n ? (unsigned char) p[lead + k] : ' ';
          if ((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') || after >= 0x80
              || (after >= '0' && after <= '9'))
            continue;
          *a = st->off;
          *b = st->off + n;
          *name_at = st->off + lead + k;
          return true;
        }
    }
  return false;
}

static int
check_greeting (const struct ruleset *rs, const struct text *t, struct recipient *r,
                struct findings *out)
{
  size_t a, b, name_at;
  if (!find_greeting (t, &a, &b, &name_at))
    return 0;
  const char *s = t->s;
  /* The name part: up to the first ',', '!', ':' or ';'. */
  size_t end = name_at;
  while (end < b && !strchr (",!:;", s[end]))
    end++;
  struct word w[8];
  size_t nw = split_words (s, name_at, end, w, 8);
  /* A trailing '.' or '?' belongs to the sentence, not the name. */
  if (nw && (s[w[nw - 1].b - 1] == '.' || s[w[nw - 1].b - 1] == '?') && w[nw - 1].b - w[nw - 1].a > 1
      && !memchr (s + w[nw - 1].a, '.', w[nw - 1].b - w[nw - 1].a - 1))
    w[nw - 1].b--;
  size_t first = 0;
  while (first < nw && in_list_ci (s + w[first].a, w[first].b - w[first].a, titles))
    first++;
  if (first >= nw)
    return 0;
  /* A name part is a few words that start with a letter or '@'; more, or punctuation first,
     is a sentence typed straight after the greeting ("Hi the way I was with u 2day"). */
  if (nw - first > 4)
    return 0;
  {
    ucs4_t c;
    if (s[w[first].a] != '@'
        && (u8_mbtouc (&c, (const uint8_t *) s + w[first].a, w[first].b - w[first].a) <= 0
            || !uc_is_alpha (c)))
      return 0;
  }
  /* "Greetings from Geocaching.com", "Grüße aus Köln": no addressee at all. */
  static const char *const prepositions[] = { "from", "von", "aus", "at", "to", "in", "an", "for",
    "für", "with", "mit", "and", "und", NULL };
  if (in_list_ci (s + w[first].a, w[first].b - w[first].a, prepositions))
    return 0;

  /* "Team X" and "X Team": X is the name part to judge. */
  size_t from = first, to = nw;
  if (equal_ci (s + w[first].a, w[first].b - w[first].a, "team") && nw - first >= 2)
    from = first + 1;
  else if (nw - first >= 2 && equal_ci (s + w[nw - 1].a, w[nw - 1].b - w[nw - 1].a, "team"))
    to = nw - 1;
  else if (in_list_ci (s + w[first].a, w[first].b - w[first].a, generic_addressees)
           || (s[w[first].a] == '@'
               && in_list_ci (s + w[first].a + 1, w[first].b - w[first].a - 1, generic_addressees)))
    return 0;                   /* "Hallo zusammen", "Hi @all" */

  /* A handle, address or domain where a name belongs.  A bot slots it in alone ("Hi info,",
     "Hey @brandt_cc", "brandt-consulting Team"); several words are a description of the
     addressees ("Liebe Eltern der Klasse 7b"), whatever one of them looks like. */
  if (to - from == 1)
    recipient_read_to (r);
  if (to - from == 1 && looks_like_handle (s, w[from], r))
    return add_finding (out, t, rs, TEMPLATE_RULE_GREETING_HANDLE, w[from].a, w[from].b - w[from].a);
  if (from != first || to != nw)
    return 0;                   /* "Team Brandt Consulting": a company greeted as one */

  /* Someone else's name: only when the profile says who the recipient is. */
  if (!r->p || r->p->names.n == 0)
    return 0;
  bool has_name = false, recipient = false;
  size_t name_from = 0;
  for (size_t i = first; i < nw; i++)
    {
      if (in_list_ci (s + w[i].a, w[i].b - w[i].a, generic_addressees))
        continue;
      if (!looks_like_name (s, w[i]))
        continue;
      if (!has_name)
        name_from = w[i].a;
      has_name = true;
      if (is_recipient_name (r, s + w[i].a, w[i].b - w[i].a))
        recipient = true;
    }
  if (has_name && !recipient)
    return add_finding (out, t, rs, TEMPLATE_RULE_WRONG_NAME, name_from, w[nw - 1].b - name_from);
  return 0;
}

/* ------------------------------------------------------------------ category check */

/* Kinds of business a bot guesses from a directory entry; the profile's own words count too. */
static const char *const category_words[] = {
  "agentur", "agency", "agencies", "shop", "store", "startup", "start-up", "kanzlei", "praxis",
  "practice", "studio", "restaurant", "hotel", "verlag", "salon", "boutique", "klinik", "clinic",
  "firm", "verein", "brand", "marke", "kanal", "channel", "podcast", "blog", "laden", "café",
  "cafe", "bäckerei", "beratung", "consultancy", "werkstatt", "manufaktur", "label", "druckerei",
  "apotheke", "pharmacy", "bakery", "gym", "fitnessstudio", "schule", "school", "academy",
  "akademie", "newsletter", "publisher", "consultant", "association", "club", "lawfirm", NULL
};

/* Second-person possessives; the formal "Ihr-" forms only with a capital letter. */
static const char *const possessives_informal[] = {
  "dein", "deine", "deiner", "deinen", "deinem", "deines", "euer", "eure", "eurer", "euren",
  "eurem", "eures", "your", NULL
};
static const char *const possessives_formal[] = {
  "ihr", "ihre", "ihrer", "ihren", "ihrem", "ihres", NULL
};

static bool
in_list (const char *w, const char *const *list)
{
  for (const char *const *l = list; *l; l++)
    if (strcmp (w, *l) == 0)
      return true;
  return false;
}

/* The lower-case, hyphen-free stem of a category entry ("Agenturen" -> "agentur",
   "agencies" -> "agenc", "Start-up" -> "startup") into BUF. */
static void
category_stem (const char *e, char *buf, size_t size)
{
  size_t n = 0;
  uint8_t *low = u8_tolower ((const uint8_t *) e, strlen (e), NULL, NULL, NULL, &n);
  size_t w = 0;
  if (low)
    for (size_t i = 0; i < n && w + 1 < size; i++)
      if (low[i] != '-' && !is_blank (low[i]))
        buf[w++] = low[i];
  buf[w] = '\0';
  free (low);
  size_t len = strlen (buf);
  if (len > 5 && strcmp (buf + len - 3, "ies") == 0)
    buf[len - 3] = '\0';
  else if (len > 4 && buf[len - 1] == 'y')
    buf[len - 1] = '\0';
  else if (len > 6 && strcmp (buf + len - 2, "en") == 0)
    buf[len - 2] = '\0';
  else if (len > 4 && buf[len - 1] == 's')
    buf[len - 1] = '\0';
}

/* The same kind of business in German and English: a profile written in one language must
   catch the other ("is-not Agentur" and "your agency"). */
static const char *const category_synonyms[][6] = {
  { "agentur", "agency", NULL },
  { "shop", "store", "laden", NULL },
  { "startup", "start-up", NULL },
  { "kanzlei", "lawfirm", NULL },
  { "praxis", "practice", NULL },
  { "klinik", "clinic", NULL },
  { "verlag", "publisher", "publishing", NULL },
  { "beratung", "consultancy", "consulting", "berater", "consultant", NULL },
  { "bäckerei", "bakery", NULL },
  { "schule", "school", "akademie", "academy", NULL },
  { "marke", "brand", NULL },
  { "kanal", "channel", NULL },
  { "verein", "club", "association", NULL },
  { "café", "cafe", NULL },
};

static bool
category_matches (const char *word, const char *entry)
{
  char entry_stem[128];
  category_stem (entry, entry_stem, sizeof entry_stem);
  if (!entry_stem[0])
    return false;
  if (strstr (word, entry_stem))
    return true;
  for (size_t g = 0; g < sizeof category_synonyms / sizeof *category_synonyms; g++)
    {
      bool entry_in = false, word_in = false;
      for (const char *const *m = category_synonyms[g]; *m; m++)
        {
          char stem[128];
          category_stem (*m, stem, sizeof stem);
          entry_in |= strstr (entry_stem, stem) != NULL;
          word_in |= strstr (word, stem) != NULL;
        }
      if (entry_in && word_in)
        return true;
    }
  return false;
}

static bool
list_matches (const struct profile_list *l, const char *word)
{
  for (size_t i = 0; i < l->n; i++)
    if (category_matches (word, l->v[i]))
      return true;
  return false;
}

static bool
is_category_word (const char *word)
{
  for (const char *const *c = category_words; *c; c++)
    if (category_matches (word, *c))
      return true;
  return false;
}

static int
check_category (const struct ruleset *rs, const struct text *t, const struct profile *p,
                struct findings *out)
{
  if (!p || (p->is.n == 0 && p->is_not.n == 0))
    return 0;
  size_t last_sentence = (size_t) -1;
  for (size_t i = 0; i + 1 < t->ntok; i++)
    {
      const struct text_token *tk = &t->tok[i];
      if (tk->mask & (TEXT_NOT_OWN | TEXT_SPEECH))
        continue;
      const char *low = text_lower (t, i);
      bool possessive = in_list (low, possessives_informal)
        || ((tk->flags & TOK_UPPER_INITIAL) && in_list (low, possessives_formal));
      if (!possessive || tk->sentence == last_sentence)
        continue;
      /* The noun follows directly or after one adjective ("eure kleine Agentur"). */
      for (size_t j = i + 1; j < t->ntok && j <= i + 2; j++)
        {
          if (t->tok[j].sentence != tk->sentence)
            break;
          char word[128];
          const char *lw = text_lower (t, j);
          /* "Start-up" arrives as two words. */
          if ((t->tok[j].flags & TOK_COMPOUND) && j + 1 < t->ntok)
            snprintf (word, sizeof word, "%s%s", lw, text_lower (t, j + 1));
          else
            snprintf (word, sizeof word, "%s", lw);
          if (!is_category_word (word) && !list_matches (&p->is_not, word))
            continue;
          bool wrong = list_matches (&p->is_not, word)
            || (p->is.n > 0 && !list_matches (&p->is, word));
          if (!wrong)
            break;
          size_t endj = (t->tok[j].flags & TOK_COMPOUND) && j + 1 < t->ntok ? j + 1 : j;
          uint32_t off = tk->off, end = t->tok[endj].off + t->tok[endj].len;
          if (add_finding (out, t, rs, TEMPLATE_RULE_WRONG_CATEGORY, off, end - off) < 0)
            return -1;
          last_sentence = tk->sentence;
          break;
        }
    }
  return 0;
}

/* ------------------------------------------------------------------ subject check */

/* True if M is an automatic answer (RFC 3834 Auto-Submitted, or the older X-Autoreply). */
static bool
is_auto_reply (const struct msg *m)
{
  const char *a = msg_header (m, "Auto-Submitted");
  if (a)
    {
      while (is_blank (*a))
        a++;
      if (!(strncmp (a, "no", 2) == 0 && (a[2] == '\0' || is_blank (a[2]) || a[2] == ';')))
        return true;
    }
  return msg_header (m, "X-Autoreply") || msg_header (m, "X-Autorespond");
}

/* True if the start of T reads like an out-of-office answer, which old mailers send as "Re:"
   without threading headers. */
static bool
reads_like_auto_reply (const struct text *t)
{
  static const char *const phrases[] = {
    "automated response", "automatic reply", "auto-reply", "autoreply", "out of the office",
    "out of office", "abwesenheit", "abwesend", "automatische antwort", "nicht im büro", NULL
  };
  enum { LOOK_AT = 400 };
  size_t n = t->len < LOOK_AT ? t->len : LOOK_AT;
  /* The phrases are lower case: compare them with an ASCII-lower-cased copy, made once
     (comparing byte by byte, lower-casing each, cost more than the rest of the template
     checks). */
  char low[LOOK_AT];
  for (size_t i = 0; i < n; i++)
    low[i] = ascii_lower (t->s[i]);
  for (const char *const *ph = phrases; *ph; ph++)
    if (memmem (low, n, *ph, strlen (*ph)))
      return true;
  return false;
}

/* SUBJ is M's Subject field, or NULL. */
static int
check_fake_re (const struct ruleset *rs, const struct msg *m, const char *subj,
               const struct text *t, struct findings *out)
{
  /* The subject's reply prefix first: few mails have one, and the tests after it (the
     headers, the quoted text, the auto-reply phrases) cost far more. */
  if (!m || m->kind != MSG_MAIL || !subj)
    return 0;
  const char *p = subj;
  while (is_blank (*p))
    p++;
  static const char *const prefixes[] = { "re", "aw", "antw", "sv", "vs", "odp", "r", NULL };
  size_t n = 0;
  while (p[n] && ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z')))
    n++;
  if (!n || !in_list_ci (p, n, prefixes))
    return 0;
  const char *q = p + n;
  if (*q == '[' || *q == '(')
    {
      while (*q && *q != ']' && *q != ')')
        q++;
      if (*q)
        q++;
    }
  while (*q == ' ')
    q++;
  if (*q != ':')
    return 0;
  if (is_reply_thread (m) || is_auto_reply (m) || text_has_quoted (t)
      || reads_like_auto_reply (t))
    return 0;
  /* The finding is the subject itself (at most 200 bytes of it, ending on a character). */
  size_t len = strlen (subj);
  if (len > 200)
    for (len = 200; len > 0 && ((unsigned char) subj[len] & 0xc0) == 0x80; len--)
      ;
  if (findings_add (out, subj, TEMPLATE_RULE_FAKE_RE, TEMPLATE_CLASS, SEV_MEDIUM, FIND_SUBJECT, 0,
                    len) < 0)
    return -1;
  struct finding *f = &out->v[out->n - 1];
  const struct rule *r = rs ? rules_find (rs, TEMPLATE_RULE_FAKE_RE) : NULL;
  f->weight = r ? r->weight : 1.0;
  return 0;
}

/* ------------------------------------------------------------------ analysis */

static bool
has_prefix (const char *id, const char *prefix)
{
  return strncmp (id, prefix, strlen (prefix)) == 0;
}

/* Score the findings OUT->v[FIRST..] into RES: each rule its weight once, or up to its cap. */
static void
score_findings (struct ruleset *rs, const struct findings *out, size_t first,
                struct template_result *res)
{
  res->score = score_detector_sum (rs, out, first, &res->count, &res->allowed);
  res->verdict = res->count > 0 && res->score >= TEMPLATE_THRESHOLD
    ? TEMPLATE_VERDICT_TEMPLATE : TEMPLATE_VERDICT_NONE;
}

/* Append the string S at *P and advance *P to its end. */
static void
put_text (char **p, const char *s)
{
  size_t n = strlen (s);
  memcpy (*p, s, n + 1);
  *p += n;
}

/* Append "NAME=V" at *P. */
static void
put_count (char **p, const char *name, size_t v)
{
  put_text (p, name);
  *p += findings_format_size (*p, v);
}

static void
write_details (struct template_result *res)
{
  /* The common case by hand (snprintf cost more than the rest of this glue); it always fits:
     at most 6+20 + 9+20 + 7+31 + 9+20 + 8+20 + 11 bytes. */
  char score[32];
  int sn = findings_format_fixed (score, sizeof score, res->score, 2);
  _Static_assert (sizeof res->details > 6 + 20 + 9 + 20 + 7 + 31 + 9 + 20 + 8 + 20 + 11,
                  "details fit");
  if (sn >= 0 && (size_t) sn < sizeof score)
    {
      char *p = res->details;
      put_count (&p, "count=", res->count);
      put_count (&p, " allowed=", res->allowed);
      put_text (&p, " score=");
      put_text (&p, score);
      if (res->fingerprinted)
        {
          put_count (&p, " senders=", res->senders);
          put_count (&p, " tokens=", res->tokens);
        }
      if (res->subscribed)
        put_text (&p, " subscribed");
      return;
    }
  /* A score too large for the fast path: snprintf, which cuts the text to fit. */
  int n = snprintf (res->details, sizeof res->details, "count=%zu allowed=%zu score=%.2f",
                    res->count, res->allowed, res->score);
  if (n > 0 && (size_t) n < sizeof res->details && res->fingerprinted)
    snprintf (res->details + n, sizeof res->details - n, " senders=%zu tokens=%zu", res->senders,
              res->tokens);
  if (res->subscribed)
    {
      size_t len = strlen (res->details);
      snprintf (res->details + len, sizeof res->details - len, " subscribed");
    }
}

int
template_analyze (struct ruleset *rs, const struct msg *m, const struct text *t,
                  const struct profile *p, struct findings *out, struct template_result *res)
{
  memset (res, 0, sizeof *res);
  size_t first = out->n;
  const char *subject = m ? msg_header (m, "Subject") : NULL;
  if (rs && rules_match (rs, TEMPLATE_TOOL, t, subject, out) < 0)
    return -1;

  struct recipient r;
  recipient_init (&r, m, p);
  if (check_greeting (rs, t, &r, out) < 0 || check_category (rs, t, p, out) < 0
      || check_fake_re (rs, m, subject, t, out) < 0)
    {
      errno = ENOMEM;
      return -1;
    }

  res->subscribed = template_is_subscribed (m);
  /* Whether the sender is known matters only for findings a subscription leaves counted. */
  bool known = false;
  if (!res->subscribed && out->n > first && p && p->known.n > 0)
    {
      const char *from = m ? msg_header (m, "From") : NULL;
      known = from && profile_is_known (p, from);
    }
  for (size_t i = first; i < out->n; i++)
    {
      struct finding *f = &out->v[i];
      if (res->subscribed)
        f->flags |= FIND_ALLOWED;
      else if (known && (has_prefix (f->rule, "TEMPLATE_FOLLOWUP")
                         || strcmp (f->rule, TEMPLATE_RULE_FAKE_RE) == 0))
        f->flags |= FIND_ALLOWED;
    }
  score_findings (rs, out, first, res);
  write_details (res);
  return 0;
}

/* ------------------------------------------------------------------ bulk */

/* The recipient words that become "xrcptx": the profile's names, handles, company and
   addresses, and the To header's display name and address. */
static int
recipient_words (const struct msg *m, const struct profile *p, struct fp_recipient *rw)
{
  if (p)
    {
      const struct profile_list *lists[] = { &p->names, &p->handles, &p->company, &p->addresses };
      for (size_t l = 0; l < 4; l++)
        for (size_t i = 0; i < lists[l]->n; i++)
          if (fp_recipient_add (rw, lists[l]->v[i]) < 0)
            return -1;
    }
  const char *to = m ? msg_header (m, "To") : NULL;
  if (to)
    {
      /* Only the first recipient: a long To list would turn common words into xrcptx. */
      char first[400];
      size_t n = 0;
      bool quoted = false;
      while (to[n] && n + 1 < sizeof first && (quoted || to[n] != ','))
        {
          if (to[n] == '"')
            quoted = !quoted;
          first[n] = to[n];
          n++;
        }
      first[n] = '\0';
      for (char *c = first; *c; c++)
        if (*c == '<' || *c == '>' || *c == '"')
          *c = ' ';
      if (fp_recipient_add (rw, first) < 0)
        return -1;
    }
  return 0;
}

int
template_fingerprint (const struct fp_key *key, const struct msg *m, const struct text *t,
                      const struct profile *p, struct fingerprint *fp)
{
  struct fp_recipient rw = { 0 };
  int status = recipient_words (m, p, &rw);
  if (status == 0)
    status = fp_fingerprint (t->s, t->len, t->mask, &rw, key, fp);
  fp_recipient_free (&rw);
  if (status < 0)
    errno = ENOMEM;
  return status;
}

uint64_t
template_sender_key (const struct fp_key *key, const struct msg *m)
{
  const char *from = m ? msg_header (m, "From") : NULL;
  char buf[320];
  const char *addr = from ? profile_address (from, buf, sizeof buf) : NULL;
  return addr ? fp_sender_key (addr, key) : 0;
}

int
template_bulk (struct ruleset *rs, struct store *st, const struct msg *m, const struct text *t,
               const struct profile *p, const struct template_bulk_options *opts,
               struct findings *out, struct template_result *res)
{
  static const struct template_bulk_options defaults = { 0 };
  if (!opts)
    opts = &defaults;
  res->subscribed = template_is_subscribed (m);
  /* The tokens first: a body too short to fingerprint needs neither the store's key nor the
     store, which then need not even be opened. */
  struct fp_recipient rw = { 0 };
  struct fp_tokens tok;
  int status = recipient_words (m, p, &rw);
  if (status == 0)
    status = fp_normalise (t->s, t->len, t->mask, &rw, &tok);
  fp_recipient_free (&rw);
  if (status < 0)
    {
      errno = ENOMEM;
      res->store_status = STORE_ERROR;
      return STORE_ERROR;
    }
  res->tokens = tok.n;
  res->fingerprinted = tok.n >= FP_MIN_TOKENS;
  res->store_status = STORE_OK;
  if (!res->fingerprinted)
    {
      fp_tokens_free (&tok);
      write_details (res);
      return STORE_OK;
    }
  const struct fp_key *key = store_key (st);
  struct fingerprint fp;
  fp_compute (&tok, key, &fp);
  fp_tokens_free (&tok);
  struct store_query q = {
    .fp = &fp,
    .sender = template_sender_key (key, m),
    .now = opts->now ? opts->now : (int64_t) time (NULL),
    .days = opts->days,
    .lookup = opts->mode != TEMPLATE_LEARN_ONLY,
    .learn = opts->mode != TEMPLATE_NO_LEARN,
  };
  struct store_answer ans;
  int rc = store_lookup (st, &q, &ans);
  res->store_status = rc;
  if (rc != STORE_OK)
    return rc;
  res->senders = ans.senders;
  size_t k = opts->min_senders ? opts->min_senders : TEMPLATE_MIN_SENDERS;
  if (q.lookup && ans.senders >= k)
    {
      if (findings_add (out, NULL, TEMPLATE_RULE_BULK, TEMPLATE_CLASS, SEV_STRONG,
                        res->subscribed ? FIND_ALLOWED : 0, 0, 0) < 0)
        {
          res->store_status = STORE_ERROR;
          return STORE_ERROR;
        }
      struct finding *f = &out->v[out->n - 1];
      char text[64];
      snprintf (text, sizeof text, "%zu sender%s", ans.senders, ans.senders == 1 ? "" : "s");
      char *copy = strdup (text);
      if (copy)
        {
          free (f->match);
          f->match = copy;
        }
      const struct rule *r = rs ? rules_find (rs, TEMPLATE_RULE_BULK) : NULL;
      f->weight = r ? r->weight : 2.0;
      if (res->subscribed)
        res->allowed++;
      else
        {
          res->count++;
          res->score += f->weight;
          if (res->score >= TEMPLATE_THRESHOLD)
            res->verdict = TEMPLATE_VERDICT_TEMPLATE;
        }
    }
  write_details (res);
  return STORE_OK;
}

int
template_forget (struct store *st, const struct msg *m, const struct text *t,
                 const struct profile *p, size_t *removed)
{
  *removed = 0;
  struct fingerprint fp;
  if (template_fingerprint (store_key (st), m, t, p, &fp) < 0)
    return STORE_ERROR;
  if (fp.ntok < FP_MIN_TOKENS)
    return STORE_OK;
  return store_forget (st, &fp, removed);
}

/* ------------------------------------------------------------------ examples */

/* The example profile, all read-only (the casts only meet struct profile's char ** type). */
static char *const ex_names[] = { (char *) "Anna", (char *) "Brandt" };
static char *const ex_addresses[] = { (char *) "anna@brandt-consulting.de" };
static char *const ex_handles[] = { (char *) "@brandt_cc" };
static char *const ex_companies[] = { (char *) "Brandt Consulting" };
static char *const ex_is_list[] = { (char *) "Beratung" };
static char *const ex_is_not[] = { (char *) "Agentur", (char *) "Shop" };

static const struct profile example_profile = {
  .names = { (char **) ex_names, 2 },
  .addresses = { (char **) ex_addresses, 1 },
  .handles = { (char **) ex_handles, 1 },
  .company = { (char **) ex_companies, 1 },
  .is = { (char **) ex_is_list, 1 },
  .is_not = { (char **) ex_is_not, 2 },
};

const struct profile *
template_example_profile (void)
{
  return &example_profile;
}

int
template_example_detector (const char *text, size_t len, struct findings *out, void *arg)
{
  struct msg m;
  if (msg_parse (&m, text, len) < 0)
    return -1;
  struct text t;
  if (text_analyze (&t, m.body, m.body_len) < 0)
    {
      msg_free (&m);
      return -1;
    }
  struct template_result res;
  int status = template_analyze (arg, &m, &t, &example_profile, out, &res);
  text_free (&t);
  msg_free (&m);
  return status;
}
