/* severity-names.h: the printed names of finding severities (private to lib/). */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_SEVERITY_NAMES_H
#define RITTBERGER_SEVERITY_NAMES_H
#include <string.h>
#include "findings.h"

static const char *const severity_names[] = { "info", "weak", "medium", "strong" };

static inline const char *
severity_name (enum finding_severity s)
{
  return (unsigned) s < 4 ? severity_names[s] : "info";
}

static inline int
severity_from_name (const char *name, enum finding_severity *s)
{
  for (int i = 0; i < 4; i++)
    if (strcmp (name, severity_names[i]) == 0)
      {
        *s = (enum finding_severity) i;
        return 0;
      }
  return -1;
}
#endif
