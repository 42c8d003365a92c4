import gc
import os
import signal
import sys

from analysis.cli import main

# Ctrl-C / SIGINT always stops a run: a shell that starts a command as a background job sets SIGINT to
# "ignored", and Python then installs no KeyboardInterrupt handler, so `kill -INT` would be silently ignored
signal.signal(signal.SIGINT, signal.default_int_handler)
code = main()
if code >= 128:
    # stopped by a signal (Ctrl-C 130, SIGTERM 143, SIGHUP 129): everything was cleaned up already, and the
    # interpreter's exit handlers (joining the process pools' threads) must not turn a late KeyboardInterrupt
    # into an exit by the signal (-2) instead of the exit status
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
# The process ends here. Everything still alive is frozen, so that the interpreter's shutdown does not
# walk it with the garbage collector: with scipy, statsmodels and pandas loaded that walk takes ~0.7 s
# (all output is written and closed by now; the operating system frees the memory).
gc.freeze()
raise SystemExit(code)
