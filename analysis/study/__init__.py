"""Stage 3, the study: from a loaded dataset to the study's endpoints, tables and numbers.

What lives here: per-patient endpoints (V0, V1, volume change, doubling time, SGR, TTP;
:mod:`.endpoints`), response criteria (RECIST 1.1, mRECIST, volumetric; :mod:`.recist`),
Tables 1-4 and the rest as tidy frames (:mod:`.tables`), and every number of ``numbers.json``
(:mod:`.numbers`).

May import: :mod:`analysis.errors`, :mod:`analysis.paths`, :mod:`analysis.params`,
:mod:`analysis.data`, :mod:`analysis.stats` and its own modules; nothing from ``paper``,
``synth`` or ``report``.
"""
