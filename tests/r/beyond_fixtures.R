# Reference values from R for the "beyond the paper" statistics (issue 14 items 1-4):
#   analysis/stats/shift.py        wilcox.test(paired = TRUE, conf.int = TRUE), wilcox.test(x, y, conf.int = TRUE)
#   analysis/stats/survival.py     survival::survfit (KM, conf.type "log"), quantile/print medians, survdiff
#   analysis/stats/multiplicity.py p.adjust(method = "holm" / "bonferroni")
#   analysis/stats/agreement.py    Cohen's kappa with the Fleiss-Cohen-Everitt (1969) SE, by hand and vcd::Kappa
# Writes tests/r/fixtures/beyond.json, read by tests/test_beyond_stats.py.
#
# How to run (from the repository root; needs Debian packages r-base-core r-cran-jsonlite
# r-cran-survival, and optionally r-cran-vcd):
#   Rscript tests/r/beyond_fixtures.R
# Deterministic: fixed data and set.seed(20261128) with R's default RNG; a rerun gives the same file.
suppressPackageStartupMessages({library(jsonlite); library(survival)})
has_vcd <- suppressWarnings(requireNamespace("vcd", quietly = TRUE))
out_dir <- if (dir.exists(file.path("tests", "r"))) file.path("tests", "r", "fixtures") else "fixtures"
set.seed(20261128)

num <- function(x) if (is.null(x)) NA else unname(as.numeric(x))
capture <- function(expr) {
  w <- character(0)
  val <- withCallingHandlers(tryCatch(expr, error = function(e) list(error = conditionMessage(e))),
                             warning = function(cond) { w <<- c(w, conditionMessage(cond)); invokeRestart("muffleWarning") })
  val$warnings <- w
  val
}
htest_out <- function(r) {
  if (!is.null(r$error)) return(list(error = r$error, warnings = r$warnings))
  list(p = num(r$p.value), statistic = num(r$statistic), estimate = num(r$estimate),
       estimate_name = names(r$estimate), lower = num(r$conf.int[1]), upper = num(r$conf.int[2]),
       r_conf_level = num(attr(r$conf.int, "conf.level")), method = r$method, warnings = r$warnings)
}

# ---- 1. signed rank, paired ---------------------------------------------------------------
paired <- list()
add_paired <- function(name, x, y, conf.level = 0.95, correct = TRUE) {
  r <- capture(wilcox.test(x, y, paired = TRUE, conf.int = TRUE, conf.level = conf.level, correct = correct))
  paired[[length(paired) + 1]] <<- c(list(name = name, x = x, y = y, conf_level = conf.level, correct = correct),
                                     htest_out(r))
}
for (n in 1:60) {                     # continuous, no ties: exact for n < 50, normal for n >= 50
  x <- round(rnorm(n, 100, 20), 3); y <- round(x - rnorm(n, 5, 10), 3)
  add_paired(paste0("continuous_n", n), x, y)
}
for (n in c(5, 12, 30, 49, 50, 60)) {  # integer days: ties and zeros -> normal approximation
  x <- sample(30:400, n, replace = TRUE); y <- x - sample(-60:120, n, replace = TRUE)
  add_paired(paste0("integer_days_n", n), x, y)
}
add_paired("ties_only", c(1, 2, 2, 3, -1, 4, 5, -2, 6) + 10, rep(10, 9))
add_paired("zeros_only", c(0, 1.5, 2, 0, -3, 4, 5, 6), rep(0, 8))
add_paired("ties_and_zeros", c(0, 1, 1, -1, 2, 0, 3, 3, -2, 5), rep(0, 10))
add_paired("all_equal_nonzero", c(3, 3, 3, 3), c(1, 1, 1, 1))
add_paired("all_zero", c(2, 2, 2), c(2, 2, 2))
add_paired("one_zero_one_value", c(0, 3), c(0, 0))
add_paired("n1", 5, 2)
add_paired("n2", c(5, 7), c(2, 1))
add_paired("exact_conf90_uncorrected", c(1.1, 2.3, -0.4, 3.8, 5.2, 0.7, 2.9), rep(0, 7), 0.90, FALSE)
add_paired("normal_conf90_uncorrected", c(1, 2, 2, -1, 4, 4, 6, 0, 3), rep(0, 9), 0.90, FALSE)
add_paired("normal_n80_ties", round(rnorm(80, 1, 2), 1), rep(0, 80))
add_paired("all_positive_ties", c(1, 1, 2, 2, 3), rep(0, 5))

# ---- 2. rank sum, two samples ---------------------------------------------------------------
twos <- list()
add_two <- function(name, x, y, conf.level = 0.95, correct = TRUE) {
  r <- capture(wilcox.test(x, y, conf.int = TRUE, conf.level = conf.level, correct = correct))
  o <- htest_out(r)
  if (is.null(o$error)) o$rank_biserial <- 2 * o$statistic / (length(x) * length(y)) - 1
  twos[[length(twos) + 1]] <<- c(list(name = name, x = x, y = y, conf_level = conf.level, correct = correct), o)
}
for (nn in list(c(1, 1), c(1, 4), c(2, 3), c(3, 3), c(5, 7), c(10, 12), c(20, 15), c(49, 30), c(49, 49),
                c(50, 10), c(60, 55))) {
  x <- round(rnorm(nn[1], 50, 10), 4); y <- round(rnorm(nn[2], 45, 12), 4)
  add_two(sprintf("continuous_%d_%d", nn[1], nn[2]), x, y)
}
for (nn in list(c(8, 9), c(16, 18), c(30, 40), c(60, 70))) {
  add_two(sprintf("integer_ties_%d_%d", nn[1], nn[2]), sample(50:300, nn[1], TRUE), sample(40:250, nn[2], TRUE))
}
add_two("ties_small", c(1, 2, 2, 3, 4, 5), c(2, 3, 3, 6, 7, 8, 9))
add_two("separated_exact", c(10, 11, 12), c(1, 2, 3, 4))
add_two("extreme_endpoint", 1, 2:60)
add_two("all_tied", c(1, 1), c(1, 1, 1))
add_two("conf90_uncorrected_ties", c(3, 5, 5, 8, 9, 12), c(1, 2, 5, 5, 6), 0.90, FALSE)

# ---- 3. Kaplan-Meier and log-rank -----------------------------------------------------------
km_cases <- list()
add_km <- function(name, time, event, at = c(0, 30, 90, 180, 365)) {
  fit <- survfit(Surv(time, event) ~ 1)
  q <- quantile(fit, probs = 0.5)
  tab <- summary(fit)$table
  s <- summary(fit, times = at, extend = TRUE)
  km_cases[[length(km_cases) + 1]] <<- list(
    name = name, time = time, event = event,
    r_time = fit$time, r_n_risk = fit$n.risk, r_n_event = fit$n.event, r_n_censor = fit$n.censor,
    r_surv = fit$surv, r_std_err = fit$std.err, r_lower = fit$lower, r_upper = fit$upper,
    median = num(q$quantile), median_lower = num(q$lower), median_upper = num(q$upper),
    table_median = num(tab["median"]), table_lcl = num(tab["0.95LCL"]), table_ucl = num(tab["0.95UCL"]),
    at = at, n_risk_at = s$n.risk)
}
add_km("no_censoring", c(5, 3, 9, 12, 7), rep(TRUE, 5), at = c(0, 4, 9, 20))
add_km("censoring_and_ties", c(3, 5, 5, 8, 10, 12, 12, 15), c(TRUE, TRUE, FALSE, TRUE, FALSE, TRUE, TRUE, FALSE), at = c(0, 5, 11, 15, 16))
add_km("event_and_censoring_same_time", c(2, 2, 2, 4, 6, 6, 9), c(TRUE, FALSE, TRUE, TRUE, FALSE, TRUE, FALSE), at = c(0, 2, 3, 9))
add_km("median_not_reached", c(10, 20, 30, 40, 50, 60), c(TRUE, FALSE, TRUE, FALSE, FALSE, FALSE), at = c(0, 25, 60))
add_km("flat_at_half", c(1, 2, 3, 4), rep(TRUE, 4), at = c(0, 2, 3))
add_km("flat_at_half_censored_end", c(1, 2, 3, 4, 5, 6), c(TRUE, TRUE, TRUE, FALSE, FALSE, FALSE), at = c(0, 3, 6))
add_km("all_censored", c(10, 20, 30), rep(FALSE, 3), at = c(0, 15, 40))
add_km("single_event", 7, TRUE, at = c(0, 7, 8))
for (n in c(15, 34, 60)) {
  t <- sample(20:700, n, replace = TRUE); e <- runif(n) < 0.75
  add_km(paste0("random_days_n", n), t, e)
}

logrank <- list()
add_lr <- function(name, time, event, group) {
  sd <- survdiff(Surv(time, event) ~ group)
  logrank[[length(logrank) + 1]] <<- list(name = name, time = time, event = event, group = group,
    chisq = num(sd$chisq), df = length(sd$n) - 1 - sum(sd$exp == 0), p = pchisq(sd$chisq, length(sd$n) - 1 - sum(sd$exp == 0), lower.tail = FALSE),
    observed = num(sd$obs), expected = num(sd$exp))
}
add_lr("two_groups_small", c(3, 5, 5, 8, 10, 12, 12, 15, 4, 6, 9, 9, 11), c(1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1),
       c(rep(1, 8), rep(2, 5)))
for (n in c(20, 34, 60)) {
  t <- sample(20:700, n, replace = TRUE); e <- as.numeric(runif(n) < 0.7); g <- sample(1:2, n, replace = TRUE)
  add_lr(paste0("two_groups_random_n", n), t, e, g)
}
t <- sample(10:300, 40, replace = TRUE); e <- as.numeric(runif(40) < 0.8); g <- sample(c("a", "b", "c"), 40, replace = TRUE)
add_lr("three_groups", t, e, g)

# ---- 4. p.adjust ----------------------------------------------------------------------------
padj <- list()
for (p in list(c(0.01, 0.04, 0.03), c(0.001, 0.2, 0.049, 0.5, 0.012, 0.9, 0.03),
               c(0.04, NA, 0.01, 0.02), c(0.5, 0.5, 0.5), c(0, 1, 0.3), runif(12) / 5)) {
  padj[[length(padj) + 1]] <- list(p = p, holm = p.adjust(p, "holm"), bonferroni = p.adjust(p, "bonferroni"))
}

# ---- 5. Cohen's kappa -------------------------------------------------------------------------
source(file.path(dirname(out_dir), "kappa.R"))  # kappa_by_hand()
kappas <- list()
add_kappa <- function(name, a, b, labels) {
  tab <- table(factor(a, levels = labels), factor(b, levels = labels))
  o <- kappa_by_hand(unclass(tab))
  if (has_vcd) {
    vk <- vcd::Kappa(tab)
    o$vcd_kappa <- num(vk$Unweighted["value"]); o$vcd_ase <- num(vk$Unweighted["ASE"])
  }
  kappas[[length(kappas) + 1]] <<- c(list(name = name, a = a, b = b, labels = labels), o)
}
lv <- c("CR", "PR", "SD", "PD")
add_kappa("recist_like", c("PR", "PR", "SD", "SD", "PD", "PR", "SD", "CR", "SD", "PD", "PR", "SD"),
          c("PR", "SD", "SD", "SD", "PD", "PR", "PR", "PR", "SD", "PD", "PR", "PD"), lv)
add_kappa("unused_label", c("PR", "SD", "SD", "PD", "PR", "SD"), c("PR", "SD", "PD", "PD", "SD", "SD"), lv)
a <- sample(lv, 40, TRUE, prob = c(0.1, 0.4, 0.3, 0.2)); b <- ifelse(runif(40) < 0.7, a, sample(lv, 40, TRUE))
add_kappa("random_40", a, b, lv)
add_kappa("binary", c("x", "x", "x", "y", "y", "x", "y", "x"), c("x", "x", "y", "y", "y", "x", "x", "x"), c("x", "y"))

# ---- 6. qnorm (ported AS 241, used for the asymptotic interval ends) -------------------------------
qp <- c(1e-300, 1e-20, 1e-12, 1e-6, 0.001, 0.005, 0.0125, 0.025, 0.05, 0.075, 0.1, 0.3, 0.5, 0.7, 0.925, 0.95, 0.975, 0.999, 1 - 1e-12)
qn <- list(p = qp, lower = qnorm(qp), upper = qnorm(qp, lower.tail = FALSE))

# ---- 7. pnorm (ported Cody, used for every normal-approximation p-value) ---------------------------
# both sides of each branch point of pnorm_both (eps/2, 0.67448975, sqrt(32), 8.2924, 37.5193), the
# z of common p-values, and 200 draws spread over [-40, 40]
pb <- c(0, 1e-17, 1e-10, 0.1, 0.5, 0.67448975, 0.6744898, 1, 1.5, 1.959963984540054, 2.5, 3.7,
        5.65685424949238, 5.656854249492381, 7, 8.2923, 8.2925, 20, 37.519, 37.52, 40)
px <- c(pb, -pb, round(runif(200, -40, 40), 6), rnorm(100))
pn <- list(x = px, lower = pnorm(px), upper = pnorm(px, lower.tail = FALSE))

res <- list(r_version = R.version.string, survival_version = as.character(packageVersion("survival")),
            jsonlite_version = as.character(packageVersion("jsonlite")),
            vcd_version = if (has_vcd) as.character(packageVersion("vcd")) else NA,
            paired = paired, two_sample = twos, km = km_cases, logrank = logrank, p_adjust = padj,
            kappa = kappas, qnorm = qn, pnorm = pn)
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
out <- file.path(out_dir, "beyond.json")
# jsonlite stops at 15 significant digits: write every number with %.17g (round-trips each double
# exactly) as verbatim JSON; NA, NaN and +-Inf become null.
exact_numbers <- function(o) {
  if (is.list(o)) return(lapply(o, exact_numbers))
  if (!is.numeric(o)) return(o)
  s <- ifelse(is.finite(o), sprintf("%.17g", o), "null")
  structure(if (length(o) == 1L) s else paste0("[", paste(s, collapse = ","), "]"), class = "json")
}
writeLines(toJSON(exact_numbers(res), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", pretty = FALSE), out)
message("wrote ", out)
