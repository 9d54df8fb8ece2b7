"""A non-editable install finds its notebooks and dashboards (``hospital_twin.resources``).

The wheel is really built (``pip wheel .``, which runs ``setup.py``'s ``build_py``); its
contents are checked, then it is unpacked outside the repository and imported from there by
a fresh interpreter, as a wheel install would be, to see every caller resolve to the copies
shipped inside the package. From the checkout the same functions give the checkout's folders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hospital_twin import resources
from hospital_twin.cli.dashboards_cmd import default_dashboards_dir
from hospital_twin.cli.lab_cmd import default_notebook_dir
from hospital_twin.reports.render import report_notebook_path
from hospital_twin.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = "hospital_twin/_bundled"

# Run by a fresh interpreter with the unpacked wheel first on its path: where each caller
# finds its notebooks, as JSON.
PROBE = """
import json
import hospital_twin
from hospital_twin import resources
from hospital_twin.cli.dashboards_cmd import default_dashboards_dir
from hospital_twin.cli.lab_cmd import default_notebook_dir
from hospital_twin.reports.render import report_notebook_path
from hospital_twin.settings import get_settings
print(json.dumps({
    "package": hospital_twin.__file__,
    "notebooks_dir": str(resources.notebooks_dir()),
    "dashboards_dir": str(resources.dashboards_dir()),
    "scenario": str(get_settings().notebook_path),
    "report": str(report_notebook_path()),
    "lab": str(default_notebook_dir()),
    "voila": str(default_dashboards_dir()),
}))
"""


def _checkout_notebooks(folder: str) -> set[str]:
    return {f"{BUNDLED}/{folder}/{p.name}" for p in (ROOT / folder).glob("*.ipynb")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The wheel ``pip wheel .`` builds from this checkout."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                    str(ROOT)], check=True, timeout=300, cwd=ROOT)
    (built,) = out.glob("hospital_twin-*.whl")
    yield built


def test_checkout_functions_return_the_repository_folders(monkeypatch) -> None:
    monkeypatch.delenv("HOSPITAL_TWIN_NOTEBOOK", raising=False)
    assert resources.notebooks_dir() == ROOT / "notebooks"
    assert resources.dashboards_dir() == ROOT / "dashboards"
    assert get_settings().notebook_path == ROOT / "notebooks" / "scenario.ipynb"
    assert report_notebook_path() == ROOT / "notebooks" / "report.ipynb"
    assert default_notebook_dir() == ROOT / "notebooks"
    assert default_dashboards_dir() == ROOT / "dashboards"
    assert get_settings().notebook_path.is_file() and report_notebook_path().is_file()


def test_scenario_notebook_setting_still_wins(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOSPITAL_TWIN_NOTEBOOK", str(tmp_path / "mine.ipynb"))
    assert get_settings().notebook_path == tmp_path / "mine.ipynb"


def test_wheel_ships_the_notebooks_and_dashboards(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    bundled = {n for n in names if n.startswith(f"{BUNDLED}/")}
    for required in ("notebooks/scenario.ipynb", "notebooks/report.ipynb",
                     "dashboards/histopathology.ipynb", "dashboards/sensors.ipynb"):
        assert f"{BUNDLED}/{required}" in bundled, f"{required} missing from {wheel.name}"
    # every notebook of both folders, and nothing else (no checkpoints, outputs, databases)
    assert bundled == _checkout_notebooks("notebooks") | _checkout_notebooks("dashboards")
    assert not [n for n in names if n.startswith(("notebooks/", "dashboards/"))]


def test_unpacked_wheel_finds_its_own_copies(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    # another distribution's top-level folder of the same name must not pass for a checkout
    (site / "notebooks").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "HOSPITAL_TWIN_NOTEBOOK"}
    env["PYTHONPATH"] = str(site)
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env, check=True,
                            capture_output=True, text=True, timeout=60)
    found = json.loads(result.stdout)
    package = site / "hospital_twin"
    assert Path(found.pop("package")) == package / "__init__.py"  # not the editable checkout
    expected = {
        "notebooks_dir": package / "_bundled" / "notebooks",
        "dashboards_dir": package / "_bundled" / "dashboards",
        "scenario": package / "_bundled" / "notebooks" / "scenario.ipynb",
        "report": package / "_bundled" / "notebooks" / "report.ipynb",
        "lab": package / "_bundled" / "notebooks",
        "voila": package / "_bundled" / "dashboards",
    }
    assert {key: Path(value) for key, value in found.items()} == expected
    for path in expected.values():
        assert path.exists(), path
    assert (package / "_bundled" / "dashboards" / "histopathology.ipynb").is_file()
