"""Generated documentation is never stale: the data dictionary is written once, in the schema."""

from __future__ import annotations

from analysis.data.docs import readme_with_block
from analysis.paths import ROOT


def test_readme_data_dictionary_is_the_one_generated_from_the_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_block(readme) == readme, "README.md data dictionary is stale: run `make docs`"


def test_readme_data_dictionary_names_every_required_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("patients.csv", "procedures.csv", "imaging.csv", "progression.csv", "lesions.csv"):
        assert f"### {name}" in readme


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make reproduce" in readme and "make test" in readme
