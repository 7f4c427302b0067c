"""Build step: a wheel carries the web UI's templates/ and static/ inside the package.

The repository keeps them as top-level folders (the layout README.md describes), which
setuptools would leave out of a wheel, so an installed package could not render a page.
The metadata and everything else is in setup.cfg; searchapp.web finds the folders in both
places (the package's copy when installed, the checkout's otherwise).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
UI_FOLDERS = ("templates", "static")


class BuildPyWithUI(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's folders directly
            return
        for name in UI_FOLDERS:
            target = Path(self.build_lib) / "searchapp" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(HERE / name, target,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


setup(cmdclass={"build_py": BuildPyWithUI})
