## completions/local.mk: bash, zsh and fish completions, installed under the prefix.
## Copyright (C) 2026 The rittberger authors.
## SPDX-License-Identifier: GPL-3.0-or-later

bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = completions/bash/detect-duzen
zshcompletiondir = $(datadir)/zsh/vendor-completions
dist_zshcompletion_DATA = completions/zsh/_rittberger
fishcompletiondir = $(datadir)/fish/vendor_completions.d
dist_fishcompletion_DATA = completions/fish/detect-duzen.fish
