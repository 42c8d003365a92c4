import gc

from analysis.cli import main

code = main()
# The process ends here. Everything still alive is frozen, so that the interpreter's shutdown does not
# walk it with the garbage collector: with scipy, statsmodels and pandas loaded that walk takes ~0.7 s
# (all output is written and closed by now; the operating system frees the memory).
gc.freeze()
raise SystemExit(code)
