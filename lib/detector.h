/* detector.h: the main() skeleton the detectors share: options, profile, rules, one call per message. */
#ifndef RITTBERGER_DETECTOR_H
#define RITTBERGER_DETECTOR_H

#include <stdbool.h>
#include "cli.h"
#include "findings.h"
#include "msg.h"
#include "profile.h"
#include "rules.h"
#include "text.h"

/* Long-only options every detector has besides the shared ones. */
enum
{
  DETECTOR_OPT_VERDICT = CLI_OPT_TOOL_BASE,
  DETECTOR_OPT_KNOWN,
  DETECTOR_OPT_TOOL_BASE = CLI_OPT_TOOL_BASE + 0x10   /* a detector numbers its own from here */
};

#define DETECTOR_LONG_OPTIONS \
  CLI_COMMON_LONG_OPTIONS, \
  {"verdict", no_argument, NULL, DETECTOR_OPT_VERDICT}, \
  {"known", required_argument, NULL, DETECTOR_OPT_KNOWN}

/* What a detector says about one message. */
struct detector_verdict
{
  const char *name;             /* "DU", "BAIT", "NONE", ... */
  double score;
  bool found;                   /* decides the exit status */
  char details[256];
};

struct detector_run;

struct detector
{
  const char *tool;
  const struct option *long_options;  /* DETECTOR_LONG_OPTIONS, the tool's own, and a NULL entry */
  void (*usage) (void);
  /* Handle a tool option; return 0, or -1 if its argument is wrong (after printing why). */
  int (*option) (struct detector_run *run, int c, const char *arg);
  /* Called once after rules and profile are loaded, before any input; may be NULL.  Return 0
     to go on, 1 when the run is complete without reading input (an export, say), -1 on trouble. */
  int (*start) (struct detector_run *run);
  /* Analyse message M (decoded into T) and append to RUN->findings; fill *V.
     M is NULL when the rule self-check runs an example text. */
  int (*analyze) (struct detector_run *run, const struct msg *m, const struct text *t,
                  struct detector_verdict *v);
  /* Runs one rule example for --check-rules (ARG is the struct detector_run *); NULL: ANALYZE
     on the example as a bare text. */
  rules_detector check_example;
  /* Called once at the end; may be NULL. */
  void (*finish) (struct detector_run *run);
};

struct detector_run
{
  const struct detector *d;
  struct cli cli;
  bool verdict_only;            /* --verdict */
  const char *known_file;       /* --known */
  struct profile profile;
  struct ruleset rules;
  struct findings findings;
  bool found;                   /* some message was found */
  void *state;                  /* the tool's own */
};

/* Run detector D as the program's main: parse ARGV, load rules and profile, analyse every
   message of every input, print, and return the exit status. */
int detector_main (const struct detector *d, void *state, int argc, char **argv);

#endif
