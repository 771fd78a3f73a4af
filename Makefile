# The two commands of the README:  `make run`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SITE   ?= demo
HOST   ?= 127.0.0.1
PORT   ?= 8000
INSTITUTE ?= 示范市计量检定测试所
DEMO_ADMIN_PASSWORD ?= Guanli-2026
export METROLOGY_SITES_DIR ?= $(CURDIR)/sites

# `make test` installs and checks what the tests need too, and a missing piece is fatal there.
PROFILE := $(if $(filter test,$(MAKECMDGOALS)),test,run)

.PHONY: run test setup system-packages uno sc-fonts messages clean-venv

## Command 1: set up everything, create the demo site on SQLite, serve http://$(HOST):$(PORT)
run: setup
	@if [ ! -f "$(METROLOGY_SITES_DIR)/$(SITE)/site_config.json" ]; then \
		$(BIN)/metrology new-site $(SITE) --demo --institute "$(INSTITUTE)" --admin-password "$(DEMO_ADMIN_PASSWORD)"; \
	fi
	@$(BIN)/metrology --site $(SITE) demo
	@echo "  admin      管理员  系统管理员 (password 密码: $(DEMO_ADMIN_PASSWORD))"
	$(BIN)/metrology --site $(SITE) serve --host $(HOST) --port $(PORT)

## Command 2: the whole suite, on SQLite + the database job queue, then MariaDB + Redis/RQ
test: setup
	@scripts/run-tests.sh

setup: system-packages $(VENV)/.installed node_modules/.installed uno sc-fonts

system-packages:
	@scripts/system-packages.sh $(PROFILE)

# Every time (it is idempotent): a venv made by `make run` without python3-uno must not pass `make test`.
uno: system-packages
	@scripts/setup-uno.sh $(PROFILE)

# Every time too (nothing is read when they are there): the SC faces of Noto CJK as fonts of their own.
sc-fonts: system-packages $(VENV)/.installed
	@$(BIN)/python scripts/sc-fonts.py $(PROFILE)

$(VENV)/.installed: pyproject.toml setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

# Front-end libraries (axe-core for the accessibility tests), exactly as package-lock.json pins them;
# `npm ci` empties node_modules/ first, so the stamp inside it is only there after a complete install.
node_modules/.installed: package.json package-lock.json | system-packages
	@command -v npm >/dev/null 2>&1 || { echo "缺少 npm / npm is missing: apt-get install --no-install-recommends nodejs npm" >&2; exit 1; }
	@npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
	@touch $@

## Regenerate the zh-Hans catalogue after changing UI strings (then translate the new entries)
messages: setup
	@cd apps/metrology && METROLOGY_SITES_DIR=$$(mktemp -d) sh -c '../../$(BIN)/python -c "from metrology.core.sites import site_create; site_create(name=\"i18n\")" && ../../$(BIN)/metrology --site i18n makemessages -l zh_Hans --no-obsolete && ../../$(BIN)/metrology --site i18n compilemessages'

clean-venv:
	rm -rf $(VENV) .venv-uno
