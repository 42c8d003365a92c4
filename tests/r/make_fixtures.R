# Entry point of `make r-fixtures`: regenerates every R reference fixture under tests/r/fixtures/.
#
#   Rscript tests/r/make_fixtures.R        (from the repository root, or anywhere)
#
# Runs, in this order, each script that exists:
#   stats_fixtures.R     reference values for analysis/stats/   -> fixtures/stats.json
#   dataset_numbers.R    R's own computation of the numbers of whole datasets (every numbers.json key)
#   km_fixtures.R        Kaplan-Meier (survival::survfit) for analysis/stats/survival.py -> fixtures/km.json
#   recist_reference.R   RECIST 1.1 / mRECIST / volumetric from the criteria -> fixtures/recist_reference.json
# Each is sourced in a fresh environment with the working directory set to tests/r/ and FIXTURE_DIR
# pointing at tests/r/fixtures/. Then, each as its own Rscript process from the repository root:
#   beyond_fixtures.R    statistics beyond the paper (shift, survival, multiplicity, agreement) -> fixtures/beyond.json
#   beyond_numbers.R     the numbers.json keys beyond the paper of whole datasets -> fixtures/beyond_numbers_<name>.json
# R is needed only here, never at run time.

.here <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE))
  if (length(f) == 1L) dirname(normalizePath(f)) else normalizePath("tests/r", mustWork = TRUE)
})
message(R.version.string)
for (script in c("stats_fixtures.R", "dataset_numbers.R", "km_fixtures.R", "recist_reference.R")) {
  path <- file.path(.here, script)
  if (!file.exists(path)) {
    message("skip ", script, " (not present)")
    next
  }
  message("run  ", script)
  env <- new.env(parent = globalenv())
  assign("FIXTURE_DIR", file.path(.here, "fixtures"), envir = env)
  source(path, local = env, chdir = TRUE)
}
.root <- normalizePath(file.path(.here, "..", ".."))
for (script in c("beyond_fixtures.R", "beyond_numbers.R")) {
  message("run  ", script)
  status <- local({
    old <- setwd(.root)
    on.exit(setwd(old))
    system2(file.path(R.home("bin"), "Rscript"), file.path("tests", "r", script))
  })
  if (status != 0L) stop(script, " failed (exit status ", status, ")")
}
