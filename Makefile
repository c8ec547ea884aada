# Two commands do everything on a fresh Debian machine: `make run` and `make test`.
# Each step leaves a stamp, so a second run with nothing changed only checks timestamps.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMPS := var/stamps
PO     := $(wildcard assets/locale/*/LC_MESSAGES/kiosk.po)
MO     := $(PO:.po=.mo)
IME    := assets/ime/pinyin.tsv.gz

.PHONY: all setup run test bench clean
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

# Translation catalogues are kept as .po sources; the .mo files are built here.
assets/locale/%/LC_MESSAGES/kiosk.mo: assets/locale/%/LC_MESSAGES/kiosk.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

# The pinyin input method's dictionary is built from jieba's and pypinyin's data (and the
# catalogue's phrases), never kept in git.
$(IME): scripts/build_pinyin_dictionary.py assets/seed/catalogue.json $(VENV)/.installed
	$(PY) scripts/build_pinyin_dictionary.py $@ >/dev/null

run: setup
	$(VENV)/bin/kiosk-run

test: setup
	$(PY) -m pytest

# Benchmarks are separate from tests and never fail a build on a figure; BENCHMARKS.md.
bench: setup
	$(PY) -m benchmarks

clean:
	rm -rf var $(VENV) $(MO) $(IME)
