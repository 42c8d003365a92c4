"""Stage 1, the dataset: read a dataset folder, check it against the contract, load it.

What lives here, in the order a dataset goes through it:

- :mod:`.schema`: the Frictionless contract ``data/schema/datapackage.json`` and a dataset's own metadata;
- :mod:`.problems`: :class:`Problem` (``file:line: column: value: message``) and :class:`DatasetInvalid`;
- :mod:`.read`: decoding the CSV files, the separator, rows with their physical lines, the header;
- :mod:`.cells`: cell types and constraints (frictionless cell readers) and the unique keys;
- :mod:`.rules`: foreign keys and the rules across rows and files, one function per rule;
- :mod:`.identifiers`: the identifier guard (names, dates, record / phone numbers, e-mail, addresses);
- :mod:`.validate`: :func:`validate_dir`, every layer run and every problem collected;
- :mod:`.dataset`: the typed :class:`Dataset` and :func:`load_dataset`;
- :mod:`.privacy`: missingness and k-anonymity for the data overview;
- :mod:`.dictionary` and :mod:`.docs`: the data dictionary generated from the schema, and its files.

May import: :mod:`analysis.errors`, :mod:`analysis.paths` and its own modules; nothing from
``study``, ``stats``, ``paper``, ``synth`` or ``report``.
"""

from analysis.data.dataset import Dataset, load_dataset
from analysis.data.dictionary import data_dictionary_markdown
from analysis.data.problems import DatasetInvalid, Problem
from analysis.data.schema import DATAPACKAGE, TABLES, load_schema
from analysis.data.validate import validate_dir

__all__ = ["DATAPACKAGE", "TABLES", "Dataset", "DatasetInvalid", "Problem", "data_dictionary_markdown",
           "load_dataset", "load_schema", "validate_dir"]
