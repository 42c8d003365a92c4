"""Stage 5, reconstructed cohorts: the bundled synthetic cohort rebuilt from the published aggregates.

What lives here: the published targets it aims at (:mod:`.targets`), the search problems
(:mod:`.build`) and the search engine (:mod:`.search`), the cohort writer
(:mod:`.cohort`, :func:`analysis.synth.cohort.synthesize`) and its data card (:mod:`.card`).

May import: the foundation modules, :mod:`analysis.data`, :mod:`analysis.stats`,
:mod:`analysis.study`, :mod:`analysis.paper` and its own modules; nothing from ``report``.
"""
