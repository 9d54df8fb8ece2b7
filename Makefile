# Hospital Twin: `make run` starts the workbench, `make test` runs every check.
# Both set themselves up from nothing on a Debian/Ubuntu machine.

VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint docs docs-screenshots lab system-deps venv clean docker-check

$(VENV)/.installed: pyproject.toml scripts/bootstrap.sh
	bash scripts/bootstrap.sh

venv: $(VENV)/.installed

system-deps:
	bash scripts/install-system-deps.sh

run: venv
	$(BIN)/hospital-twin run

# JupyterLab on notebooks/ (127.0.0.1; token from HOSPITAL_TWIN_LAB_TOKEN or printed).
lab: venv
	$(BIN)/hospital-twin lab $(if $(PORT),--port $(PORT))

test: venv system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -p no:cacheprovider

lint: venv
	$(BIN)/ruff check .

# Build the Docker images and run the Compose bundle for real: scripts/docker_check.py
# (docs/deployment.rst). Exit 3 and "DOCKER CHECK NOT RUN: <reason>" when no Docker engine
# can be had; not part of `make test`.
docker-check: venv
	$(BIN)/python scripts/docker_check.py

docs: venv system-deps
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html

# Regenerate the dashboard pictures docs/_static/dashboard-*.png from a live dashboard
# (scripts/docs_screenshots.py, docs/dashboard.rst); about 4 minutes, not part of `make test`.
docs-screenshots: venv
	$(BIN)/python scripts/docs_screenshots.py

clean:
	rm -rf docs/_build test-output .pytest_cache
