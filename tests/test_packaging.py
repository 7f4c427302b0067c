"""The built package works on its own: a wheel installed without -e renders pages.

The repository keeps templates/ and static/ at its top level; setup.py copies them into the
wheel's package. These tests build a wheel from the files a build reads, install it (not
editable) into a fresh virtual environment, index a small folder with its `searchapp` command
and render pages and a static file with the Flask test client, all from that install.
And CI installs and runs what README.md tells a developer to.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import SLOW_MODULES, SLOW_TESTS

REPO = Path(__file__).resolve().parents[1]
# What a build reads: the metadata, the build step, and the folders it packs.
BUILD_INPUTS = ("setup.py", "setup.cfg", "pyproject.toml", "MANIFEST.in", "README.md", "babel.cfg",
                "searchapp", "templates", "static")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")

# Runs inside the fresh environment, in the folder the index was built in.
RENDER_SCRIPT = """
import json, sys
from pathlib import Path
import searchapp
from searchapp.web import create_app

app = create_app({"INDEX_DIR": "index", "TESTING": True})
client = app.test_client()
search = client.get("/?q=zanzibar")
french = client.get("/", headers={"Accept-Language": "fr"})
css = client.get("/static/css/app.css")
print(json.dumps({
    "package": searchapp.__file__,
    "prefix": sys.prefix,
    "template_folder": app.template_folder,
    "search": [search.status_code, search.get_data(as_text=True)],
    "help": client.get("/help").status_code,
    "french": french.get_data(as_text=True),
    "css": [css.status_code, css.mimetype, css.get_data(as_text=True)],
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the build's inputs (the checkout itself stays clean)."""
    work = tmp_path_factory.mktemp("build")
    src, dist = work / "src", work / "dist"
    for name in BUILD_INPUTS:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=IGNORE)
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(path, src / name)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(src)])
    (built,) = dist.glob("searchapp-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed (not editable); returns its python.

    Its dependencies come from this test environment's site-packages through a .pth file, so
    nothing is downloaded; that folder's own .pth files (an editable searchapp) are not read.
    """
    env = tmp_path_factory.mktemp("venv") / "env"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]))
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
          "--no-index", str(wheel)])
    return python


@pytest.mark.slow
def test_the_wheel_carries_templates_static_files_data_and_translations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "static"):
        for path in (REPO / folder).rglob("*"):
            if path.is_file():
                assert f"searchapp/{path.relative_to(REPO).as_posix()}" in names
    assert "searchapp/data/countries.json" in names
    assert "searchapp/translations/fr/LC_MESSAGES/messages.mo" in names


@pytest.mark.slow
def test_an_installed_wheel_indexes_and_serves_pages_and_static_files(installed, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "cloves.txt").write_text("Zanzibar clove harvest doubles\n\nFarmers in Zanzibar "
                                       "picked twice as many cloves this season.\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCHAPP_")}
    env["SEARCHAPP_INSTANCE"] = str(tmp_path / "instance")
    _run([str(installed.parent / "searchapp"), "index", str(corpus), "--index-dir", "index"],
         cwd=tmp_path, env=env)
    (tmp_path / "render.py").write_text(RENDER_SCRIPT)
    out = json.loads(_run([str(installed), "render.py"], cwd=tmp_path, env=env))

    prefix = Path(out["prefix"]).resolve()
    assert Path(out["package"]).resolve().is_relative_to(prefix)  # the wheel's copy, not the checkout
    assert Path(out["template_folder"]).resolve().is_relative_to(prefix)
    status, page = out["search"]
    assert status == 200 and "Zanzibar clove harvest doubles" in page
    assert out["help"] == 200
    assert '<html lang="fr">' in out["french"] and "Rechercher" in out["french"]  # the shipped .mo
    status, mimetype, css = out["css"]
    assert (status, mimetype) == (200, "text/css")
    assert css == (REPO / "static" / "css" / "app.css").read_text()


def test_ci_runs_exactly_the_test_command_readme_gives():
    readme = (REPO / "README.md").read_text()
    command = readme.split("Run the tests:")[1].split("```sh\n")[1].split("\n")[0]
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert ci[-1] == command
    assert "[test,dev]" in command  # the gazetteer test needs the dev extra, the rest the test one


def test_every_test_listed_as_slow_exists():
    """A renamed or moved test would silently join the quick loop: the lists must stay true."""
    for module in SLOW_MODULES:
        assert (REPO / module).is_file(), module
    for test in SLOW_TESTS:
        module, name = test.split("::")
        assert re.search(rf"^def {name}\(", (REPO / module).read_text(), re.MULTILINE), test


def _run(cmd: list[str], **kwargs) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{cmd[:3]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip()
