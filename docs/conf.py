"""Sphinx configuration for the Hospital Twin documentation.

The build needs no network: no intersphinx, no themes or scripts from a CDN. Diagrams
are drawn at build time by ``sphinx.ext.graphviz`` with the ``dot`` program (Debian
package ``graphviz``) and embedded as SVG. Build with warnings as errors::

    .venv/bin/sphinx-build -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import sys
from pathlib import Path

# Local extensions (docs/_ext): the settings table generated from the settings object.
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "Hospital Twin"
author = "Hospital Twin contributors"
copyright = "Cambridge University Hospitals digital twin project"
release = "0.1.0"
version = "0.1"

extensions = [
    "sphinx.ext.graphviz",
    "twin_settings",
    "twin_capacity",
]

# Diagrams: rendered locally by `dot`, embedded as SVG (scales, searchable text).
graphviz_output_format = "svg"
graphviz_dot = "dot"
graphviz_dot_args = [
    "-Gfontname=Helvetica",
    "-Nfontname=Helvetica",
    "-Efontname=Helvetica",
]

templates_path: list[str] = []
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
language = "en"
nitpicky = False

# Built-in theme only: nothing is fetched at build or view time.
html_theme = "alabaster"
html_theme_options = {
    "description": "A digital twin of the CUH histopathology lab",
    "fixed_sidebar": False,
    "page_width": "1100px",
}
html_static_path: list[str] = []
html_title = "Hospital Twin documentation"
html_show_sourcelink = False
