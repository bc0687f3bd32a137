# The two commands: `make run` and `make test`. Everything installs into .venv from pinned requirements.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
PYTEST_ARGS ?=

.PHONY: run test install install-dev demo-db lint bench bench-smoke clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo-db: install
	$(PY) -m syncstatus build-demo-db

# The schedule runner (scheduled emails and alerts) runs in the background beside the dashboard and stops with it.
run: demo-db
	@$(PY) -m syncstatus scheduler & runner=$$!; \
	trap 'kill $$runner 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(PY) -m streamlit run dashboard.py --server.port $(PORT) --server.headless true

test: install-dev
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .

bench: install-dev
	$(PY) -m bench.run

bench-smoke: install-dev
	$(PY) -m bench.run --smoke

clean:
	rm -rf $(VENV) data/*.db data/*.db-* data/outbox data/rejections
