"""The pinned environment: requirements.txt, environment.yml and the lock file must not drift apart."""

from __future__ import annotations

import re

from analysis.paths import ROOT

PIN = re.compile(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)\s*$")


def _pins(lines):
    out = {}
    for line in lines:
        m = PIN.match(line)
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def _requirements():
    return _pins((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())


def _environment_pip_section():
    lines = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    return _pins(lines[start + 1:])


def test_environment_yml_pins_equal_requirements_pins():
    req, env = _requirements(), _environment_pip_section()
    assert req, "requirements.txt has no pins"
    assert env == req, f"environment.yml and requirements.txt disagree: {set(env.items()) ^ set(req.items())}"


def test_environment_yml_asks_for_python_3_11():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s*-\s*python=3\.11\s*$", text, re.M)


def test_every_requirement_is_pinned_exactly():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert PIN.match(line), f"requirements.txt: '{line}' is not pinned with =="


def test_lock_file_agrees_with_direct_pins():
    lock = _pins((ROOT / "requirements-lock.txt").read_text(encoding="utf-8").splitlines())
    for name, version in _requirements().items():
        assert lock.get(name) == version, \
            f"{name}: requirements.txt {version} vs requirements-lock.txt {lock.get(name)}"


def test_the_brief_packages_are_all_pinned():
    brief = {"jupyterlab", "pandas", "scipy", "statsmodels", "seaborn", "papermill", "nbval", "pingouin"}
    assert brief <= set(_requirements())


def test_readme_justifies_every_direct_dependency():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").lower()
    missing = [name for name in _requirements() if f"`{name}`" not in readme.replace("_", "-")]
    assert not missing, f"README.md has no line for: {missing}"
