# The two commands: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: run test bench bundle bundle-check screenshots clean

$(VENV)/.run-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

## Start the app on the default store in your data folder (ARGS="--data-dir DIR" to change).
run: $(VENV)/.run-installed
	$(BIN)/python -m mappa_desktop $(ARGS)

## Install with test extras and run the whole suite offscreen.
test: $(VENV)/.test-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q $(ARGS)

## Benchmarks (not tests): figures go to stdout, compare with DESIGN.md section 4.
bench: $(VENV)/.test-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run_all.py

## The one-folder PyInstaller bundle, and a check that it starts.
## (dist/mappa-desktop/; PyInstaller's work files go to build/pyinstaller/.)
bundle: $(VENV)/.test-installed
	test $(VENV)/.build-installed -nt pyproject.toml || \
		{ $(BIN)/python -m pip install --quiet -e '.[build]' && touch $(VENV)/.build-installed; }
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--workpath build/pyinstaller --distpath dist build.spec
	@du -sh dist/mappa-desktop

bundle-check: bundle
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/bundle_check.py dist/mappa-desktop

clean:
	rm -rf $(VENV) build dist *.egg-info
