# Reference values for analysis/stats/, computed by R itself.
#
# Writes tests/r/fixtures/stats.json: every case holds its inputs and R's outputs. The Python
# tests (tests/test_stats_r_parity.py) recompute each case with analysis.stats and compare at
# 1e-9 relative. Run through `make r-fixtures` (tests/r/make_fixtures.R) or directly:
#   Rscript tests/r/stats_fixtures.R
# Deterministic: fixed data and set.seed(); the same R version gives byte-identical JSON.
# Needs only base R and jsonlite (Debian: apt-get install r-base-core r-cran-jsonlite).

suppressPackageStartupMessages(library(jsonlite))
RNGkind("Mersenne-Twister", "Inversion", "Rejection")

.script_dir <- function() {
  f <- sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE))
  if (length(f) == 1L) dirname(normalizePath(f)) else getwd()
}
out_dir <- if (exists("FIXTURE_DIR")) FIXTURE_DIR else file.path(.script_dir(), "fixtures")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# ---- full-precision JSON numbers -------------------------------------------------------------
# jsonlite 1.8 prints at most 15 significant digits; "%.17g" round-trips every double exactly.
.num1 <- function(v) {
  if (is.null(v) || (length(v) == 1L && is.na(v) && !is.nan(v))) return("null")
  if (is.nan(v)) return('"NaN"')
  if (is.infinite(v)) return(if (v > 0) '"Inf"' else '"-Inf"')
  sprintf("%.17g", v)
}
num <- function(v) structure(.num1(as.numeric(v)), class = "json")           # scalar
vec <- function(v) structure(paste0("[", paste(vapply(as.numeric(v), .num1, ""), collapse = ","), "]"),
                             class = "json")                                  # array (even length 1)
str1 <- function(s) jsonlite::unbox(s)

# ---- data ------------------------------------------------------------------------------------
set.seed(20221110)
rn <- function(n, mean = 0, sd = 1, digits = 6) round(rnorm(n, mean, sd), digits)
# continuous samples without ties (rounded to 6 decimals; checked below)
no_ties <- function(n, mean = 0, sd = 1) {
  repeat { v <- rn(n, mean, sd); if (!anyDuplicated(v)) return(v) }
}

cases_quantile <- list()
cases_summary <- list()
cases_format <- list()
cases_mwu <- list()
cases_wsr <- list()
cases_kw <- list()
cases_sw <- list()
cases_ols <- list()

# ---- quantile: all types 1-9 ----------------------------------------------------------------
qvectors <- list(
  n1 = c(3.7),
  n2 = c(10, 4),
  n3 = c(2, 9, 5),
  n4 = c(1, 2, 3, 4),
  n5_odd = c(12.5, 3.1, 7.7, 9.0, 1.2),
  n6_even = c(-4.2, 0, 3.3, 3.3, 8.1, 15.6),
  ties = c(5, 5, 5, 1, 1, 9, 9, 9, 9),
  negative = c(-10.5, -3.25, -7, -0.5, -22, -1),
  equal = c(2.5, 2.5, 2.5, 2.5),
  n10 = rn(10, 50, 20),
  n11 = rn(11, 0, 5),
  n37 = rn(37, 100, 30),
  n60 = rn(60, 0, 1)
)
probs <- c(0, 0.01, 0.05, 0.1, 0.2, 0.25, 1/3, 0.4, 0.5, 0.6, 2/3, 0.75, 0.8, 0.9, 0.95, 0.99, 1)
for (nm in names(qvectors)) {
  for (type in 1:9) {
    x <- qvectors[[nm]]
    cases_quantile[[length(cases_quantile) + 1L]] <- list(
      name = str1(sprintf("%s_type%d", nm, type)), x = vec(x), probs = vec(probs), type = num(type),
      expected = vec(unname(quantile(x, probs, type = type))))
  }
}

# ---- summary (median() + quartiles of a type) and display strings -----------------------------
for (nm in names(qvectors)) {
  for (type in c(1L, 2L, 6L, 7L, 8L)) {
    x <- qvectors[[nm]]
    q <- unname(quantile(x, c(0.25, 0.75), type = type))
    cases_summary[[length(cases_summary) + 1L]] <- list(
      name = str1(sprintf("%s_type%d", nm, type)), x = vec(x), type = num(type),
      n = num(length(x)), median = num(median(x)), q1 = num(q[1]), q3 = num(q[2]),
      min = num(min(x)), max = num(max(x)))
  }
}

fmt_values <- c(0.125, 0.375, 0.5, 1.5, 2.5, 2.675, 1.005, 1.015, 0.045, -0.001, -0.005, -1.235, 12.345,
                1000000.5, 0, 1/3, 2/3, 99.995, 123456.789, -7.5)
for (d in 0:3) {
  cases_format[[length(cases_format) + 1L]] <- list(
    name = str1(sprintf("sprintf_%dd", d)), kind = str1("sprintf"), values = vec(fmt_values),
    decimals = num(d), expected = sprintf(paste0("%.", d, "f"), fmt_values))
}
for (nm in c("n4", "n5_odd", "n6_even", "ties", "negative", "n10", "n37")) {
  for (type in c(6L, 7L)) for (d in c(1L, 2L)) {
    x <- qvectors[[nm]]
    q <- unname(quantile(x, c(0.25, 0.75), type = type))
    f <- paste0("%.", d, "f")
    cases_format[[length(cases_format) + 1L]] <- list(
      name = str1(sprintf("me_iqr_%s_type%d_%dd", nm, type, d)), kind = str1("me_iqr"), x = vec(x),
      type = num(type), decimals = num(d),
      expected = str1(sprintf("%s [%s; %s]", sprintf(f, median(x)), sprintf(f, q[1]), sprintf(f, q[2]))))
  }
}

# ---- Mann-Whitney / Wilcoxon rank sum ----------------------------------------------------------
add_mwu <- function(name, x, y, exact = NULL, correct = TRUE, alternative = "two.sided") {
  r <- suppressWarnings(wilcox.test(x, y, exact = exact, correct = correct, alternative = alternative))
  cases_mwu[[length(cases_mwu) + 1L]] <<- list(
    name = str1(name), x = vec(x), y = vec(y),
    method_arg = str1(if (is.null(exact)) "r" else if (exact) "exact" else "asymptotic"),
    correct = unbox(correct), alternative = str1(sub(".", "-", alternative, fixed = TRUE)),
    W = num(unname(r$statistic)), p = num(r$p.value), r_method = str1(r$method),
    ties = unbox(anyDuplicated(c(x, y)) > 0))
}
add_mwu("hand_2v3", c(1, 2), c(3, 4, 5))
add_mwu("n1_1_vs_1", c(3), c(8))
add_mwu("n1_1_vs_4", c(6), c(1, 2, 9, 12))
add_mwu("n7_vs_8", no_ties(7), no_ties(8, 0.8))
add_mwu("n9_vs_10", no_ties(9), no_ties(10, 1))
add_mwu("n15_vs_19", no_ties(15, 10, 3), no_ties(19, 12, 3))
add_mwu("n20_vs_25_equal_mean", no_ties(20), no_ties(25))
x49 <- no_ties(49); y49 <- no_ties(49, 0.4)
while (anyDuplicated(c(x49, y49))) y49 <- no_ties(49, 0.4)
add_mwu("n49_vs_49_exact", x49, y49)
add_mwu("n49_vs_49_forced_asymptotic", x49, y49, exact = FALSE)
add_mwu("n49_vs_49_no_correction", x49, y49, exact = FALSE, correct = FALSE)
x50 <- no_ties(50, 0.3); y10 <- no_ties(10)
while (anyDuplicated(c(x50, y10))) y10 <- no_ties(10)
add_mwu("n50_vs_10_normal", x50, y10)
add_mwu("n10_vs_50_normal", y10, x50)
add_mwu("n50_vs_10_forced_exact", x50, y10, exact = TRUE)
x60 <- no_ties(60); y55 <- no_ties(55, 0.5)
add_mwu("n60_vs_55_normal", x60, y55)
add_mwu("n3_vs_3_separated", c(1, 2, 3), c(4, 5, 6))
add_mwu("n3_vs_4_negative", c(-5.5, -1.25, -3), c(-2, -0.5, -7.75, -4))
add_mwu("ties_small", c(1, 2, 2, 3, 5), c(2, 4, 4, 6, 7, 8))
add_mwu("ties_small_no_correction", c(1, 2, 2, 3, 5), c(2, 4, 4, 6, 7, 8), correct = FALSE)
add_mwu("ties_n15_vs_19", round(rnorm(15, 10, 3)), round(rnorm(19, 11, 3)))
add_mwu("ties_n7_vs_8_integers", c(3, 5, 5, 8, 9, 9, 12), c(4, 5, 7, 9, 10, 13, 14, 14))
add_mwu("ties_n40_vs_45", round(rnorm(40, 0, 2)), round(rnorm(45, 0.5, 2)))
add_mwu("ties_across_only", c(1, 3, 5), c(3, 6, 7))
add_mwu("ties_within_x_only", c(2, 2, 4), c(5, 6, 7, 8))
add_mwu("equal_values_one_tie_group", c(4, 4, 4), c(4, 4, 4, 4))
add_mwu("zeros_and_negatives", c(0, -1, 0, 2, -3), c(0, 1, 4, -2))
add_mwu("W_at_center", c(1, 4), c(2, 3))
add_mwu("alt_less_exact", no_ties(8), no_ties(9, 1), alternative = "less")
add_mwu("alt_greater_exact", no_ties(8, 1), no_ties(9), alternative = "greater")
add_mwu("alt_less_normal", no_ties(52), no_ties(30, 0.3), alternative = "less")
add_mwu("alt_greater_ties", c(1, 2, 2, 3, 5), c(2, 4, 4, 6, 7, 8), alternative = "greater")
add_mwu("alt_less_ties_no_correction", c(1, 2, 2, 3, 5), c(2, 4, 4, 6, 7, 8), alternative = "less",
        correct = FALSE)
add_mwu("forced_exact_with_ties", c(1, 2, 2, 3, 5), c(2, 4, 4, 6, 7, 8), exact = TRUE)  # R falls back
# The whole exact null distribution (pwilcox), tails included: data built so that x has the rank set
# giving a chosen W (shift the largest ranks of {1..n1} up, greedily), for a grid of W values.
mwu_data_with_W <- function(n1, n2, W) {
  ranks <- seq_len(n1); extra <- W
  for (i in n1:1) { d <- min(n2, extra); ranks[i] <- ranks[i] + d; extra <- extra - d }
  list(x = ranks, y = setdiff(seq_len(n1 + n2), ranks))
}
for (sz in list(c(3, 4), c(7, 8), c(9, 10), c(15, 19), c(49, 49), c(20, 5))) {
  for (W in unique(round(c(0, 1, 2, 5, seq(0, sz[1] * sz[2], length.out = 9), sz[1] * sz[2] - 1, sz[1] * sz[2])))) {
    d <- mwu_data_with_W(sz[1], sz[2], W)
    add_mwu(sprintf("W_grid_n%d_vs_%d_W%d", sz[1], sz[2], W), d$x, d$y)
  }
}
for (i in 1:6) {  # random sizes 3..60 across both regimes
  n1 <- sample(3:60, 1); n2 <- sample(3:60, 1)
  add_mwu(sprintf("random_%d_n%d_vs_%d", i, n1, n2), rn(n1, 0, 1, 2), rn(n2, 0.3, 1, 2))
}

# ---- Wilcoxon signed rank (paired and one-sample) ----------------------------------------------
add_wsr <- function(name, x, y = NULL, exact = NULL, correct = TRUE, alternative = "two.sided", mu = 0) {
  r <- suppressWarnings(if (is.null(y)) wilcox.test(x, exact = exact, correct = correct, alternative = alternative,
                                                    mu = mu)
                        else wilcox.test(x, y, paired = TRUE, exact = exact, correct = correct,
                                         alternative = alternative, mu = mu))
  cases_wsr[[length(cases_wsr) + 1L]] <<- list(
    name = str1(name), x = vec(x), y = if (is.null(y)) NULL else vec(y),
    method_arg = str1(if (is.null(exact)) "r" else if (exact) "exact" else "asymptotic"),
    correct = unbox(correct), alternative = str1(sub(".", "-", alternative, fixed = TRUE)), mu = num(mu),
    V = num(unname(r$statistic)), p = num(r$p.value), r_method = str1(r$method))
}
add_wsr("hand_one_sample_3", c(1, 2, -3))
a <- no_ties(8, 5); add_wsr("paired_n8_exact", a, a + no_ties(8, 0.7))
a <- no_ties(12, 5); add_wsr("paired_n12_exact", a, a - no_ties(12, 0.2, 1))
a <- no_ties(49, 5); b <- a + no_ties(49, 0.3); add_wsr("paired_n49_exact", a, b)
a <- no_ties(50, 5); b <- a + no_ties(50, 0.3); add_wsr("paired_n50_normal", a, b)
a <- no_ties(60, 5); b <- a + no_ties(60, 0.1); add_wsr("paired_n60_normal", a, b)
add_wsr("paired_zeros", c(5, 3, 8, 6, 2, 9, 4), c(5, 1, 8, 2, 7, 4, 4.5))
add_wsr("paired_zeros_and_ties", c(10, 12, 9, 15, 11, 13, 8, 14), c(10, 10, 7, 13, 11, 16, 6, 14))
add_wsr("paired_ties_no_zeros", c(3, 6, 2, 8, 5, 7), c(1, 4, 4, 6, 7, 4))
add_wsr("paired_ties_no_correction", c(3, 6, 2, 8, 5, 7), c(1, 4, 4, 6, 7, 4), correct = FALSE)
add_wsr("paired_all_zero_but_one", c(1, 2, 3, 4), c(1, 2, 3, 2))
add_wsr("paired_negative", c(-5, -2.5, -8, -1, -6.25, -3), c(-4, -3, -5.5, -2, -1, -0.75))
add_wsr("paired_n20_integers_ties", round(rnorm(20, 20, 4)), round(rnorm(20, 21, 4)))
add_wsr("one_sample_mu", c(1.1, 2.3, 3.7, 0.4, 5.6, 2.2, 4.9), mu = 2)
add_wsr("one_sample_negative", c(-1.5, 2.25, -3.5, -0.75, -4, 1, -2.6, -5.1))
add_wsr("alt_greater_exact", c(3.2, 1.5, 4.8, 2.2, -0.3, 5.1, 0.9), alternative = "greater")
add_wsr("alt_less_normal_zeros", c(0, -1.5, 2, -3, -4.5, 0, -2, -6), alternative = "less")
a <- no_ties(30, 3); add_wsr("paired_n30_forced_asymptotic", a, a + no_ties(30, 0.4), exact = FALSE)
add_wsr("forced_exact_with_zeros", c(5, 3, 8, 6, 2, 9, 4), c(5, 1, 8, 2, 7, 4, 4.5), exact = TRUE)  # R falls back
a <- no_ties(55, 3); add_wsr("paired_n55_forced_exact", a, a + no_ties(55, 0.2), exact = TRUE)

# the whole exact psignrank distribution, tails included: differences +-1..n with the positive ones
# chosen (greedily from the largest) to give V
for (n in c(4, 5, 10, 20, 49)) {
  for (V in unique(round(c(0, 1, 3, seq(0, n * (n + 1) / 2, length.out = 9), n * (n + 1) / 2 - 1, n * (n + 1) / 2)))) {
    pos <- logical(n); rest <- V
    for (k in n:1) if (k <= rest) { pos[k] <- TRUE; rest <- rest - k }
    add_wsr(sprintf("V_grid_n%d_V%d", n, V), ifelse(pos, 1, -1) * seq_len(n))
  }
}

# ---- Kruskal-Wallis --------------------------------------------------------------------------------
add_kw <- function(name, groups) {
  r <- kruskal.test(groups)
  cases_kw[[length(cases_kw) + 1L]] <<- list(
    name = str1(name), groups = lapply(unname(groups), vec),
    statistic = num(unname(r$statistic)), df = num(unname(r$parameter)), p = num(r$p.value))
}
add_kw("hand_three_pairs", list(c(1, 2), c(3, 4), c(5, 6)))
add_kw("two_groups_no_ties", list(no_ties(9), no_ties(10, 1)))
add_kw("three_groups_ties", list(c(1, 2, 2, 3, 5), c(2, 4, 4, 6), c(5, 5, 7, 8, 9, 9)))
add_kw("four_groups_unequal", list(rn(3, 0, 1, 1), rn(12, 0.5, 1, 1), rn(25, 0, 1, 1), rn(7, 1, 1, 1)))
add_kw("three_groups_n60", list(no_ties(20), no_ties(20, 0.3), no_ties(20, 0.6)))
add_kw("negative_and_zero", list(c(-3, 0, -1.5), c(0, 2, -0.5, 1), c(-4, -2, 0)))
add_kw("singleton_groups", list(c(4), c(1, 7), c(3, 9, 2)))
add_kw("integers_heavy_ties", list(round(rnorm(15, 3)), round(rnorm(18, 3.5)), round(rnorm(11, 4))))

# ---- Shapiro-Wilk n = 3..60 ------------------------------------------------------------------------
for (n in 3:60) {
  x <- switch(n %% 3 + 1, rn(n, 10, 3), round(rexp(n, 0.2), 4), round(runif(n, -5, 5), 3))
  r <- shapiro.test(x)
  cases_sw[[length(cases_sw) + 1L]] <- list(name = str1(sprintf("n%d", n)), x = vec(x),
                                             W = num(unname(r$statistic)), p = num(r$p.value))
}
for (extra in list(list("ties", c(1, 1, 2, 2, 2, 3, 5, 5, 8)), list("n3_exact", c(1, 2, 4)),
                   list("n3_equal_spacing", c(-1, 0, 1)), list("lognormal_n40", round(exp(rnorm(40)), 5)))) {
  r <- shapiro.test(extra[[2]])
  cases_sw[[length(cases_sw) + 1L]] <- list(name = str1(extra[[1]]), x = vec(extra[[2]]),
                                             W = num(unname(r$statistic)), p = num(r$p.value))
}

# ---- lm(y ~ x) --------------------------------------------------------------------------------------
add_ols <- function(name, x, y) {
  fit <- lm(y ~ x); s <- summary(fit)
  cases_ols[[length(cases_ols) + 1L]] <<- list(
    name = str1(name), x = vec(x), y = vec(y), r2 = num(s$r.squared), intercept = num(coef(fit)[[1]]),
    slope = num(coef(fit)[[2]]), slope_se = num(s$coefficients[2, 2]), p = num(s$coefficients[2, 4]),
    n = num(length(x)))
}
add_ols("hand_3_points", c(1, 2, 3), c(1, 3, 2))
x <- rn(10, 5, 2); add_ols("n10_strong", x, round(2 + 1.5 * x + rnorm(10, 0, 0.5), 6))
x <- rn(25, 0, 1); add_ols("n25_weak", x, round(0.1 * x + rnorm(25), 6))
x <- rn(60, 100, 15); add_ols("n60_negative_slope", x, round(50 - 0.3 * x + rnorm(60, 0, 4), 6))
add_ols("negative_values", c(-5, -3.5, -1, 0, 2.25, 4), c(-12, -8, -2.5, 0.5, 3, 9.75))
x <- round(runif(40, 0, 10)); add_ols("ties_in_x", x, round(3 - 0.2 * x + rnorm(40), 6))
add_ols("null_slope", c(1, 2, 3, 4, 5), c(2, 4, 3, 4, 2))

# ---- write -----------------------------------------------------------------------------------------
out <- list(
  generated_by = str1("tests/r/stats_fixtures.R"),
  r_version = str1(R.version.string),
  jsonlite_version = str1(as.character(packageVersion("jsonlite"))),
  note = str1("Numbers are printed with %.17g (exact round trip); NaN is the string \"NaN\"."),
  quantile = cases_quantile, summary = cases_summary, format = cases_format,
  mann_whitney = cases_mwu, wilcoxon_signed_rank = cases_wsr, kruskal = cases_kw,
  shapiro = cases_sw, ols = cases_ols)
# One case per line: small, readable diffs when a case changes.
enc <- function(v) toJSON(v, auto_unbox = FALSE, json_verbatim = TRUE, null = "null", na = "string")
lines <- c("{")
keys <- names(out)
for (k in seq_along(keys)) {
  v <- out[[keys[k]]]
  sep <- if (k < length(keys)) "," else ""
  if (is.list(v) && is.null(names(v))) {
    body <- vapply(v, function(case) as.character(enc(case)), "")
    lines <- c(lines, sprintf(" %s: [", enc(unbox(keys[k]))),
               paste0("  ", body, c(rep(",", length(body) - 1L), "")), paste0(" ]", sep))
  } else {
    lines <- c(lines, sprintf(" %s: %s%s", enc(unbox(keys[k])), enc(v), sep))
  }
}
lines <- c(lines, "}")
path <- file.path(out_dir, "stats.json")
con <- file(path, "wb"); writeLines(lines, con, sep = "\n", useBytes = TRUE); close(con)
message(sprintf("wrote tests/r/fixtures/%s (%d quantile, %d summary, %d format, %d MWU, %d signed-rank, %d KW, %d SW, %d lm cases)",
                basename(path), length(cases_quantile), length(cases_summary), length(cases_format), length(cases_mwu),
                length(cases_wsr), length(cases_kw), length(cases_sw), length(cases_ols)))
