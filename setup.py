"""Build hook only: the project's metadata is in pyproject.toml (setuptools reads both).

``notebooks/`` and ``dashboards/`` sit beside the package, not inside it, so a plain build
would leave them out and a non-editable install (``pip install .``, a wheel) could not run
scenario jobs, reports, JupyterLab or Voilà. After the normal ``build_py`` this copies their
notebooks into the built package as ``hospital_twin/_bundled/notebooks`` and
``hospital_twin/_bundled/dashboards``, where :mod:`hospital_twin.resources` finds them when
there is no checkout. The notebooks read nothing else from these folders (their data is the
package's own), so only ``*.ipynb`` is copied: no outputs, databases or checkpoints.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: Checkout folders copied into the package, with the files taken from each.
BUNDLED = {"notebooks": "*.ipynb", "dashboards": "*.ipynb"}
#: What the product cannot run without: a build missing one of them fails.
REQUIRED = ("notebooks/scenario.ipynb", "notebooks/report.ipynb",
            "dashboards/histopathology.ipynb")


class BuildPyWithNotebooks(build_py):
    """``build_py`` that also bundles the checkout's notebooks and dashboards."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install uses the checkout's folders themselves
        missing = [name for name in REQUIRED if not (ROOT / name).is_file()]
        if missing:
            raise FileNotFoundError(f"cannot bundle {', '.join(missing)}: not in {ROOT}")
        target = Path(self.build_lib) / "hospital_twin" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)  # no stale notebooks from an earlier build
        for folder, pattern in BUNDLED.items():
            (target / folder).mkdir(parents=True)
            for source in sorted((ROOT / folder).glob(pattern)):
                self.copy_file(str(source), str(target / folder / source.name))


setup(cmdclass={"build_py": BuildPyWithNotebooks})
