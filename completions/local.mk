## completions/local.mk: bash, zsh and fish completions, installed under the prefix.
## Copyright (C) 2026 The rittberger authors.
## SPDX-License-Identifier: GPL-3.0-or-later

rittberger_tools = detect-duzen detect-bait-question detect-template score-outreach explain

# The completions name the tools; with --program-transform-name (for instance to install explain
# as rittberger-explain beside libexplain's explain) the installed files name the installed
# programs, so they are written at install time with the same $(transform) automake applies.
bashcompletiondir = $(datadir)/bash-completion/completions
zshcompletiondir = $(datadir)/zsh/vendor-completions
fishcompletiondir = $(datadir)/fish/vendor_completions.d
completion_sources = completions/bash/rittberger completions/zsh/_rittberger \
  completions/fish/common.fish $(rittberger_tools:%=completions/fish/%.fish)
# fish loads one file per command: the detectors' and score-outreach's files get the shared
# options of common.fish appended; explain's own file lists its (different) options whole.
fish_with_common = detect-duzen detect-bait-question detect-template score-outreach
EXTRA_DIST += $(completion_sources)

# A sed script that renames every tool as $(transform) renames its program.
completion_rename = for t in $(rittberger_tools); do \
	  n=`echo $$t | sed '$(transform)'`; \
	  printf 's/\\<%s\\>/%s/g\n' "$$t" "$$n"; \
	done

install-data-local: install-completions
install-completions:
	$(MKDIR_P) "$(DESTDIR)$(bashcompletiondir)" "$(DESTDIR)$(zshcompletiondir)" \
	  "$(DESTDIR)$(fishcompletiondir)"
	$(completion_rename) > completions.sed
	sed -f completions.sed $(srcdir)/completions/bash/rittberger \
	  > "$(DESTDIR)$(bashcompletiondir)/rittberger"
	sed -f completions.sed $(srcdir)/completions/zsh/_rittberger \
	  > "$(DESTDIR)$(zshcompletiondir)/_rittberger"
	for t in $(rittberger_tools); do \
	  n=`echo $$t | sed '$(transform)'`; \
	  ln -sf rittberger "$(DESTDIR)$(bashcompletiondir)/$$n" || exit 1; \
	  sed -f completions.sed $(srcdir)/completions/fish/$$t.fish \
	    > "$(DESTDIR)$(fishcompletiondir)/$$n.fish" || exit 1; \
	  case " $(fish_with_common) " in *" $$t "*) \
	    cat $(srcdir)/completions/fish/common.fish >> "$(DESTDIR)$(fishcompletiondir)/$$n.fish";; \
	  esac; \
	done
	rm -f completions.sed

uninstall-local: uninstall-completions
uninstall-completions:
	rm -f "$(DESTDIR)$(bashcompletiondir)/rittberger" "$(DESTDIR)$(zshcompletiondir)/_rittberger"
	for t in $(rittberger_tools); do \
	  n=`echo $$t | sed '$(transform)'`; \
	  rm -f "$(DESTDIR)$(bashcompletiondir)/$$n" "$(DESTDIR)$(fishcompletiondir)/$$n.fish"; \
	done
.PHONY: install-completions uninstall-completions
