## completions/local.mk: bash, zsh and fish completions, installed under the prefix.
## Copyright (C) 2026 The rittberger authors.
## SPDX-License-Identifier: GPL-3.0-or-later

rittberger_tools = detect-duzen detect-bait-question score-outreach

# bash-completion loads a file by the command's name: one file, a link per tool.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = completions/bash/rittberger
zshcompletiondir = $(datadir)/zsh/vendor-completions
dist_zshcompletion_DATA = completions/zsh/_rittberger
fishcompletiondir = $(datadir)/fish/vendor_completions.d
dist_fishcompletion_DATA = completions/fish/detect-duzen.fish \
  completions/fish/detect-bait-question.fish completions/fish/score-outreach.fish

install-data-hook: install-bash-links
install-bash-links:
	for t in $(rittberger_tools); do \
	  ln -sf rittberger "$(DESTDIR)$(bashcompletiondir)/$$t" || exit 1; \
	done
uninstall-hook: uninstall-bash-links
uninstall-bash-links:
	for t in $(rittberger_tools); do rm -f "$(DESTDIR)$(bashcompletiondir)/$$t"; done
.PHONY: install-bash-links uninstall-bash-links
