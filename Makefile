# The two set-up commands (README.md): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?= -n auto

.PHONY: run test install install-test chromium converters lint pdf-fonts messages gettext

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[test]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Serve the portal with the demo loaded, on the embedded SQLite database, as a site is
# served: DEBUG off (the portal's own Chinese error pages, never Django's technical
# ones), a secret key generated once into var/, plain HTTP on this machine only.
# Deleting var/ resets the demo.
DEMO_KEY := var/demo-secret-key
DEMO_ENV = DEBUG=0 SECRET_KEY="$$(cat $(DEMO_KEY))" ALLOWED_HOSTS=127.0.0.1,localhost,[::1] \
	SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 BEHIND_HTTPS_PROXY=0 \
	SECURE_HSTS_SECONDS=0 \
	EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH=var/demo-mail
run: install pdf-fonts
	@mkdir -p var && [ -s $(DEMO_KEY) ] || { umask 077; \
	  $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $(DEMO_KEY); }
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(DEMO_ENV) LOG_LEVEL=WARNING $(BIN)/python manage.py load_demo --force $(if $(DEMO_PASSWORD),--password $(DEMO_PASSWORD))
	@echo "The demo's notification e-mails are written to var/demo-mail/, one file per run."
	@echo "Serving the portal at http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(DEMO_ENV) $(BIN)/python manage.py serve_demo --port $(PORT)

# The PDF's official faces (README, "PDF fonts"): Debian packages where this runs as
# root, and FandolFang (仿宋) taken from Debian's texlive-lang-chinese package (only
# its font files: the package itself pulls in all of TeX Live). Where they cannot be
# installed the PDF falls back to Noto Sans SC and `manage.py check` says so.
FANDOL_DIR := $(if $(filter 0,$(shell id -u)),/usr/local/share/fonts/fandol,$(VENV)/share/fonts/fandol)
PDF_FONT_PACKAGES := fonts-noto-cjk fonts-arphic-ukai fonts-babelstone-han fonts-symbola

pdf-fonts: install
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  missing=""; for p in $(PDF_FONT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "Could not install$$missing: the PDF uses Noto Sans SC for those roles."; \
	  fi; \
	fi
	@[ -f $(FANDOL_DIR)/FandolFang-Regular.otf ] || { \
	  tmp=$$(mktemp -d) && ( cd $$tmp && { apt-get download texlive-lang-chinese >/dev/null 2>&1 \
	      || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get download texlive-lang-chinese >/dev/null 2>&1; }; } \
	    && dpkg-deb --fsys-tarfile texlive-lang-chinese_*.deb \
	       | tar -x --wildcards '*/fandol/FandolFang-Regular.otf' '*/fonts/fandol/COPYING.gz' ) \
	  && mkdir -p $(FANDOL_DIR) && find $$tmp -name 'FandolFang-Regular.otf' -o -name COPYING.gz \
	       | xargs -I{} cp -p {} $(FANDOL_DIR)/ \
	  || echo "Could not fetch FandolFang: the PDF body uses Noto Sans SC."; rm -rf $$tmp; }
	DEBUG=1 $(BIN)/python manage.py prepare_pdf_fonts

# Debian's Chromium for the browser tests; skipped quietly where it cannot be installed.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null) \
	      || echo "Could not install Chromium: browser tests will be skipped."; \
	  else echo "Chromium is not installed and cannot be installed here: browser tests will be skipped."; fi; }

# Debian's EMF/WMF converters, which turn Word's vector pictures into PNG
# (bulletins/docx_images.py). Optional where the portal runs; installed for the
# tests where apt-get can, otherwise their tests are skipped with the reason.
converters:
	@{ command -v emf2svg-conv && command -v wmf2svg && command -v rsvg-convert; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq emf2svg libwmf-bin librsvg2-bin >/dev/null) \
	      || echo "Could not install the EMF/WMF converters: their tests will be skipped."; \
	  else echo "The EMF/WMF converters are not installed and cannot be installed here: their tests will be skipped."; fi; }

# The translation catalogues (README, "Languages"): extract every marked string into
# locale/*/LC_MESSAGES/*.po and compile the committed .mo files. Needs GNU gettext
# (Debian package `gettext`); serving and testing the portal do not.
MESSAGES_OPTS := --no-wrap --ignore='.venv/*' --ignore='build/*' --ignore='var/*' --ignore='tests/*' \
	--ignore='bench/*' --ignore='staticfiles/*' --ignore='*.egg-info/*'
messages: install gettext
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans -l en $(MESSAGES_OPTS)
	DEBUG=1 $(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l en $(MESSAGES_OPTS)
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore='.venv/*'

# GNU gettext (Debian `gettext`) for `make messages` and the translation test, which
# extracts every marked string (tests/portal/test_translations.py).
gettext:
	@command -v xgettext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null) \
	      || echo "Could not install gettext: the translation test will be skipped."; \
	  else echo "gettext is not installed and cannot be installed here: the translation test will be skipped."; fi; }

lint: install-test
	$(BIN)/ruff check .

# The whole suite; on PostgreSQL when DATABASE_URL is set.
test: install-test chromium converters gettext pdf-fonts
	$(BIN)/python -m pytest $(PYTEST_ARGS)
