"""Build the course website into _build/html/ (what `make site` runs): Sphinx, warnings as errors.

    python tools/build_site.py        # sphinx-build -W -n --keep-going -b html docs _build/html
    python tools/build_site.py -v     # the same, with Sphinx's progress

The pages and how they are made: docs/conf.py and docs/_ext/course_site.py. Nothing is executed (the
pages show the outputs stored in solutions/) and nothing is downloaded (the theme comes with the
``site`` extra of pyproject.toml, MathJax with docs/package-lock.json, ``npm ci`` run by `make site`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
DOCTREES = ROOT / "_build" / "doctrees"


def sphinx_command(out: Path = HTML, quiet: bool = True) -> list[str]:
    """-W: a warning fails the build; -n (nitpicky): so does a reference to nothing; --keep-going: all of them."""
    cmd = [sys.executable, "-m", "sphinx", "-W", "-n", "--keep-going", "-b", "html", "-d", str(DOCTREES)]
    return [*cmd, *(["-q"] if quiet else []), str(ROOT / "docs"), str(out)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    if subprocess.run(sphinx_command(quiet=not args.verbose), check=False, cwd=ROOT).returncode:
        print("error: the site did not build; Sphinx's messages are above", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in HTML.rglob("*") if p.is_file())
    print(
        f"site built in {time.monotonic() - t0:.1f} s: {HTML.relative_to(ROOT)}/index.html ({size / 1e6:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
