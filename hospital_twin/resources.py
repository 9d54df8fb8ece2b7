"""Where the package finds its notebooks and dashboards, checkout or installed.

``notebooks/`` (the scenario job, the report and the analyst notebooks) and ``dashboards/``
(the Voilà dashboards) sit at the top of the source checkout, beside the package, where
analysts edit them. A non-editable install (``pip install .``, a wheel) has no checkout, so
``setup.py``'s ``build_py`` copies both folders into the built package as
``hospital_twin/_bundled/notebooks`` and ``hospital_twin/_bundled/dashboards``.

The functions here return the checkout's folder when the package runs from a checkout (an
editable install: ``make venv``, the Docker image), so edits there take effect at once, and
the copy shipped inside the package otherwise. Everything that needs one of these files goes
through them, never through ``Path(__file__).parents``.
"""

from __future__ import annotations

from pathlib import Path

#: The ``hospital_twin`` package directory.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The source checkout's root if the package runs from one (it holds ``pyproject.toml``).
CHECKOUT_DIR = PACKAGE_DIR.parent
#: The copies a non-editable install carries (written by ``setup.py`` at build time).
BUNDLED_DIR = PACKAGE_DIR / "_bundled"


def _folder(name: str) -> Path:
    """``name`` of the checkout, if the package runs from one, else the bundled copy."""
    checkout = CHECKOUT_DIR / name
    # pyproject.toml tells the checkout from a site-packages that happens to hold a folder
    # of the same name (installed by some other distribution).
    if (CHECKOUT_DIR / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return BUNDLED_DIR / name


def notebooks_dir() -> Path:
    """The folder of ``scenario.ipynb``, ``report.ipynb`` and the analyst notebooks."""
    return _folder("notebooks")


def dashboards_dir() -> Path:
    """The folder of the Voilà dashboard notebooks."""
    return _folder("dashboards")
