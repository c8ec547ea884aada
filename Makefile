# Two commands do everything on a fresh Debian machine: `make run` and `make test`.
# Each step leaves a stamp, so a second run with nothing changed only checks timestamps.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMPS := var/stamps
PO     := $(wildcard assets/locale/*/LC_MESSAGES/*.po)
MO     := $(PO:.po=.mo)
IME    := assets/ime/pinyin.tsv.gz

.PHONY: all setup run test lint bench clean
all: setup

setup: $(STAMPS)/debian $(VENV)/.installed $(MO) $(IME)

$(STAMPS)/debian: scripts/debian-packages.txt scripts/ensure-debian-packages.sh
	scripts/ensure-debian-packages.sh scripts/debian-packages.txt
	@mkdir -p $(STAMPS) && touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[kiosk,backoffice,dev]'
	touch $@

# Translation catalogues are kept as .po sources; the .mo files are built here: the kiosk's
# (kiosk.po) and the staff console's (console.po).
assets/locale/%.mo: assets/locale/%.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

# The pinyin input method's dictionary is built from jieba's and pypinyin's data (and the
# catalogue's phrases), never kept in git.
$(IME): scripts/build_pinyin_dictionary.py assets/seed/catalogue.json $(VENV)/.installed
	$(PY) scripts/build_pinyin_dictionary.py $@ >/dev/null

run: setup
	$(VENV)/bin/kiosk-run

test: setup lint
	PY=$(PY) scripts/run-tests.sh

# ruff over the whole tree, mypy over domain/ and services/ (pyproject.toml says how).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Installing as an appliance on a plain Debian 12 machine, as root (README: "Installing a
# kiosk or a back-office server", "Operating the back office"). INSTALL_ARGS: e.g.
# --terminal-id, --backoffice-url, --root DIR (stage into DIR, leave the machine alone), --dry-run.
.PHONY: install-kiosk install-backoffice rollback-backoffice
install-kiosk:
	@test -n "$(PROFILE)" || { echo "PROFILE=floor-215 or PROFILE=wall-238 (config/profiles/)"; exit 2; }
	scripts/install-kiosk.sh --profile $(PROFILE) $(INSTALL_ARGS)

install-backoffice:
	scripts/install-backoffice.sh $(INSTALL_ARGS)

# Back to the release the last upgrade replaced, with the backup taken before its migrations.
rollback-backoffice:
	scripts/rollback-backoffice.sh $(INSTALL_ARGS)

# Offline installs (README: "Installing a kiosk or a back-office server"). `make lock` pins every
# Python dependency of each role with its hash, on Debian 12 with CPython 3.11 (the target): run
# it after changing pyproject.toml's dependencies. `make bundle` makes var/bundle/chengmai-ROLE-*.tar
# for `--bundle FILE`; BUNDLE_ARGS=--no-debs lists the Debian packages without fetching them.
ROLE ?= kiosk backoffice
.PHONY: lock bundle
lock: $(VENV)/.installed
	$(PY) scripts/lock.py

bundle: $(MO) $(IME)
	@for role in $(ROLE); do scripts/make-bundle.sh --role $$role $(BUNDLE_ARGS) || exit 1; done

# Coverage-guided fuzzing, FUZZ_SECONDS per harness (tests/fuzz/fuzz_*.py); what it finds
# goes to var/fuzz/<target>/ (crash-* files are failing inputs). README: "Fuzzing".
FUZZ_SECONDS ?= 300
.PHONY: fuzz
fuzz: setup
	@for harness in tests/fuzz/fuzz_*.py; do \
	  target=$$(basename $$harness .py | sed 's/^fuzz_//'); mkdir -p var/fuzz/$$target/corpus; \
	  echo "fuzzing $$target for $(FUZZ_SECONDS) s"; \
	  $(PY) $$harness -max_total_time=$(FUZZ_SECONDS) -timeout=20 -artifact_prefix=var/fuzz/$$target/ \
	    var/fuzz/$$target/corpus tests/fuzz/corpus/$$target || exit 1; \
	done

# Benchmarks are separate from tests and never fail a build on a figure; BENCHMARKS.md.
bench: setup
	$(PY) -m benchmarks

clean:
	rm -rf var $(VENV) $(MO) $(IME)
