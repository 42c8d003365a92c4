"""Stage 6, the report: figures, the results cache, the notebook runner and the HTML index.

What lives here: the figures (:mod:`.figures`), everything the notebooks show computed once and
cached by content hash (:mod:`.results`), ``index.html`` (:mod:`.html`) and the ``reproduce``
pipeline that validates, computes, runs the notebooks and publishes OUT atomically (:mod:`.pipeline`).

May import: every lower stage (``data``, ``stats``, ``study``, ``paper``) and the foundation
modules; only :mod:`analysis.cli` imports it.
"""
