"""Stage 4, the paper: what the article printed, how it compares, and whether it can all be true.

What lives here: the published numbers (``data/published/``; :mod:`.published`), published vs
reproduced with a verdict for each (:mod:`.compare`), the consistency audit of the publication
(:mod:`.audit`) and its exact feasibility engine (mixed-integer programmes, GRIM; :mod:`.feasibility`).

May import: the foundation modules, :mod:`analysis.data`, :mod:`analysis.stats`,
:mod:`analysis.study` and its own modules; nothing from ``synth`` or ``report``.
"""
