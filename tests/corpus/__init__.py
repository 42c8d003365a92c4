"""The broken-dataset corpus (tests/corpus/make_corpus.py) and the exact messages `validate` gives for each case."""
