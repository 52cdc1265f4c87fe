# Two entry points: `make chat` (install, then serve the chat on the seed
# corpus) and `make test` (install with test extras, then run the tests).
# Everything installs into .venv; nothing is downloaded at run time.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 7860

export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1

.PHONY: install chat test test-deps test-wiki wiki-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# pip runs again only when the project's dependencies change (the install
# is editable: code changes need none); the stamps live in the venv.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The LLM tests' server, llama-cpp-python, compiles llama.cpp on install. Built
# for the building CPU (pip's default), it can use instructions that a VM or
# sandbox does not let it run (AMX tiles here: a segfault on the first token),
# and pip's cache then serves that wheel to every later install. So the wheel
# is built once for any x86-64 CPU with AVX2 into a cache of the project's own,
# and installed from there. The version is the one pyproject.toml pins.
LLAMA_VERSION := $(shell sed -n 's/.*"llama-cpp-python\[server\]==\([0-9.]*\)".*/\1/p' pyproject.toml)
LLAMA_WHEELS  ?= $(HOME)/.cache/cited-qa/llama-wheels
LLAMA_CMAKE   := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "Building llama-cpp-python $(LLAMA_VERSION) for the LLM tests (once, a few minutes)"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/pip wheel --quiet --no-deps --no-cache-dir -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION); }
	$(BIN)/pip install --quiet --find-links $(LLAMA_WHEELS) -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

chat: install
	$(BIN)/qa serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium (never a downloaded browser); the
# LLM tests build llama-cpp-python from source once (see above);
# the accessibility tests inject axe-core, pinned in tests/ui/package-lock.json.
AXE := tests/ui/node_modules/axe-core/axe.min.js

test-deps: $(VENV)/.installed-test $(AXE)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

$(AXE): tests/ui/package.json tests/ui/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's npm for axe-core"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm ci --prefix tests/ui --no-audit --no-fund --loglevel=error
	touch $@

test: test-deps
	$(BIN)/pytest

# The widget embedded in real wikis: Debian's DokuWiki and MediaWiki (on
# SQLite), served by Debian's Apache with mod_php. Without recommends: the
# apache2 package would start a server on port 80, and mediawiki recommends a
# MySQL or PostgreSQL server; the tests run an Apache of their own on free
# ports. mediawiki depends on "apache2 | httpd": the empty local package in
# tests/wiki/qa-wiki-httpd provides httpd (the tests' apache2-bin) instead.
WIKI_PACKAGES := dokuwiki apache2-bin libapache2-mod-php mediawiki php-sqlite3
HTTPD_STAND_IN := tests/wiki/qa-wiki-httpd

wiki-deps:
	@dpkg -s $(WIKI_PACKAGES) >/dev/null 2>&1 || { \
	  echo "Installing Debian's $(WIKI_PACKAGES) for the wiki tests"; \
	  deb=$$(mktemp -d) && chmod 755 $$deb && \
	  dpkg-deb --root-owner-group --build $(HTTPD_STAND_IN) $$deb/qa-wiki-httpd.deb >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $$deb/qa-wiki-httpd.deb $(WIKI_PACKAGES) >/dev/null; \
	  status=$$?; rm -rf $$deb; exit $$status; }

test-wiki: test-deps wiki-deps
	$(BIN)/pytest --wiki tests/wiki

bench: install
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) .qa-index var .pytest_cache tests/ui/node_modules
