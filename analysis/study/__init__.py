"""Stage 3, the study: from a loaded dataset to the study's endpoints, tables and numbers.

What lives here, in import order (each module imports only those above it):

- :mod:`.exams`: the first TACE day and the baseline (V0) and first follow-up (V1) exams;
- :mod:`.response_rules`: the response criteria's rules and the first follow-up response;
- :mod:`.recist`: RECIST 1.1, mRECIST and volumetric response per time point and best overall
  response (re-exports :mod:`.response_rules`);
- :mod:`.endpoints`: per-patient endpoints (V0, V1, volume change, doubling time, SGR, TTP, response);
- :mod:`.categories`: Table 1's levels and interval categories;
- :mod:`.tables`: Tables 1-4, the regression and the RECIST counts as tidy and display frames;
- :mod:`.unreported`: Shapiro-Wilk and Kruskal-Wallis, named by the paper's Methods, never printed;
- :mod:`.numbers`: every number of ``numbers.json``.

May import: :mod:`analysis.errors`, :mod:`analysis.paths`, :mod:`analysis.params`,
:mod:`analysis.data`, :mod:`analysis.stats` and its own modules; nothing from ``paper``,
``synth`` or ``report``.
"""
