"""Stage 1, the dataset: read a dataset folder, check it against the contract, load it.

What lives here: decoding the CSV files, the Frictionless schema (``data/schema/datapackage.json``),
the cell and cross-table rules, the identifier guard (:mod:`.identifiers`), missingness and
k-anonymity (:mod:`.privacy`), and the data dictionary generated from the schema (:mod:`.docs`).

May import: :mod:`analysis.errors`, :mod:`analysis.paths` and its own modules; nothing from
``study``, ``stats``, ``paper``, ``synth`` or ``report``.
"""

from analysis.data.validate import (DATAPACKAGE, TABLES, Dataset, DatasetInvalid, Problem,
                                    data_dictionary_markdown, load_dataset, load_schema, validate_dir)

__all__ = ["DATAPACKAGE", "TABLES", "Dataset", "DatasetInvalid", "Problem", "data_dictionary_markdown",
           "load_dataset", "load_schema", "validate_dir"]
