# Independent R computation of the dataset-level numbers beyond the paper (issue 14): paired
# Wilcoxon tests with Hodges-Lehmann intervals, Kaplan-Meier medians and log-rank tests, effect sizes
# beside the Mann-Whitney p-values of Tables 2-4, Holm / Bonferroni adjustment of those p-values, and
# Cohen's kappa of RECIST 1.1 vs volumetric response.
#
# Written from the definitions in the README ("Endpoint definitions") and the module docstrings of
# analysis/study/{paired,survival,effects,agreement}.py, NOT translated from the Python code. The
# per-patient endpoints (V0, V1, RECIST 1.1 at the first follow-up) come from the project's other
# independent R implementation, tests/r/dataset_numbers.R (sourced). R: wilcox.test(conf.int = TRUE),
# survival::survfit / survdiff, p.adjust; kappa and its Fleiss-Cohen-Everitt SE written out.
#
# Usage (from the repository root):
#   Rscript tests/r/beyond_numbers.R                 # every dataset -> tests/r/fixtures/beyond_numbers_<name>.json
#   Rscript tests/r/beyond_numbers.R DATA_DIR OUT.json
#
# Not in the output: the bootstrap limits paired.ttp.<g>.ratio_lower|ratio_upper (numpy's PCG64
# stream cannot be reproduced in R; tests/test_beyond_numbers.py checks them otherwise).

suppressPackageStartupMessages({ library(jsonlite); library(survival) })
source("tests/r/dataset_numbers.R")

GSET <- c("all", "group1", "group2")
sub_g <- function(d, g) if (g == "all") d else d[d$group == as.integer(substring(g, 6)), , drop = FALSE]

shift <- function(env, prefix, x, y, paired) {
  for (s in c("p", "hl", "hl_lower", "hl_upper")) put(env, paste0(prefix, ".", s), NA_real_)
  if (length(x) == 0 || length(y) == 0) return(invisible())
  w <- tryCatch(suppressWarnings(wilcox.test(x, y, paired = paired, conf.int = TRUE)), error = function(e) NULL)
  if (is.null(w)) {  # R stops (every value tied): the p-value alone
    if (!paired) put(env, paste0(prefix, ".p"), suppressWarnings(wilcox.test(x, y))$p.value)
    return(invisible())
  }
  put(env, paste0(prefix, ".p"), unname(w$p.value))
  put(env, paste0(prefix, ".hl"), unname(w$estimate))
  put(env, paste0(prefix, ".hl_lower"), w$conf.int[1])
  put(env, paste0(prefix, ".hl_upper"), w$conf.int[2])
}

source("tests/r/kappa.R")  # kappa_by_hand(), shared with beyond_fixtures.R

kappa_fce <- function(a, b) {
  lv <- c("CR", "PR", "SD", "PD")
  o <- kappa_by_hand(unclass(table(factor(a, lv), factor(b, lv))))
  c(kappa = o$kappa, lower = o$lower, upper = o$upper)
}

beyond_numbers <- function(dir) {
  pat <- read_table(dir, "patients"); proc <- read_table(dir, "procedures")
  img <- read_table(dir, "imaging")
  prog <- read_table(dir, "progression", required = FALSE)  # absent: every TTP analysis is NA
  if (is.null(prog)) prog <- data.frame(patient_id = character(0), setting = character(0), start_day = character(0),
                                        end_day = character(0), progressed = character(0))
  les <- read_table(dir, "lesions", required = FALSE)
  if (!is.null(les)) {
    les$day <- num(les$day); les$is_node <- as_bool(les$is_node)
    les$long_axis_mm <- num(les$long_axis_mm); les$short_axis_mm <- num(les$short_axis_mm)
  }
  pp <- per_patient(pat, proc, img, prog, les)
  prog$ttp <- num(prog$end_day) - num(prog$start_day)
  prog$event <- as_bool(prog$progressed)
  prog$group <- as.integer(pat$group[match(prog$patient_id, pat$patient_id)])
  prog$timing <- as.character(pat$tace_timing[match(prog$patient_id, pat$patient_id)])
  env <- new.env()

  # 1. paired: TTP after TACE vs after chemotherapy; V1 vs V0
  ch <- prog[prog$setting == "chemo", ]; ta <- prog[prog$setting == "tace", ]
  both <- pat$patient_id[pat$patient_id %in% ch$patient_id & pat$patient_id %in% ta$patient_id]
  pr <- data.frame(group = as.integer(pat$group[match(both, pat$patient_id)]),
                   tace = ta$ttp[match(both, ta$patient_id)], chemo = ch$ttp[match(both, ch$patient_id)])
  vol <- pp[!is.na(pp$v0) & !is.na(pp$v1), ]
  for (g in GSET) {
    s <- sub_g(pr, g)
    shift(env, paste0("paired.ttp.", g), s$tace, s$chemo, TRUE)
    put(env, paste0("paired.ttp.", g, ".n"), nrow(s))
    put(env, paste0("paired.ttp.", g, ".ratio_median"),
        if (nrow(s) && median(s$chemo) != 0) median(s$tace) / median(s$chemo) else NA_real_)
    v <- sub_g(vol, g)
    shift(env, paste0("paired.volume.", g), v$v1, v$v0, TRUE)
    put(env, paste0("paired.volume.", g, ".n"), nrow(v))
  }

  # 2. Kaplan-Meier (print(survfit) medians, conf.type "log") and log-rank (survdiff)
  for (st in c("chemo", "tace")) {
    d <- prog[prog$setting == st, ]
    d$event[is.na(d$event)] <- FALSE
    for (g in GSET) {
      s <- sub_g(d, g)
      pre <- paste0("km.", st, ".", g)
      put(env, paste0(pre, ".n"), nrow(s)); put(env, paste0(pre, ".events.n"), sum(s$event))
      tab <- if (nrow(s)) summary(survfit(Surv(ttp, event) ~ 1, data = s))$table else NULL
      put(env, paste0(pre, ".median"), if (is.null(tab)) NA_real_ else unname(tab["median"]))
      put(env, paste0(pre, ".median_lower"), if (is.null(tab)) NA_real_ else unname(tab["0.95LCL"]))
      put(env, paste0(pre, ".median_upper"), if (is.null(tab)) NA_real_ else unname(tab["0.95UCL"]))
    }
    p <- NA_real_
    if (length(unique(d$group)) == 2 && any(d$event)) {
      sd <- survdiff(Surv(ttp, event) ~ group, data = d)
      p <- pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE)
    }
    put(env, paste0("km.", st, ".logrank.p"), p)
  }

  # 3. effect sizes beside the Mann-Whitney p of Tables 2-4, and Holm / Bonferroni over the eight
  smp <- list()
  for (part in c("before", "after")) {
    col <- if (part == "before") "v0" else "v1"
    smp[[paste0("table2.", part)]] <- list(pp[[col]][pp$group == 1], pp[[col]][pp$group == 2])
  }
  for (st in c("chemo", "tace")) {
    d <- prog[prog$setting == st, ]
    smp[[paste0("table3.", st)]] <- list(d$ttp[d$group == 1], d$ttp[d$group == 2])
  }
  for (g in 1:2) {
    smp[[paste0("table4.group", g, ".volume_change")]] <-
      list(pp$dv[pp$group == g & pp$timing == "immediate"], pp$dv[pp$group == g & pp$timing == "after_chemo"])
    smp[[paste0("table4.group", g, ".ttp")]] <-
      list(ta$ttp[ta$group == g & ta$timing == "immediate"], ta$ttp[ta$group == g & ta$timing == "after_chemo"])
  }
  pv <- c()
  for (t in names(smp)) {
    x <- smp[[t]][[1]]; y <- smp[[t]][[2]]; x <- x[!is.na(x)]; y <- y[!is.na(y)]
    e2 <- new.env()
    shift(e2, t, x, y, FALSE)
    for (s in c("hl", "hl_lower", "hl_upper")) put(env, paste0(t, ".", s), get(paste0(t, ".", s), envir = e2))
    pv[t] <- get(paste0(t, ".p"), envir = e2)
    put(env, paste0(t, ".rbc"), if (length(x) && length(y))
      2 * unname(suppressWarnings(wilcox.test(x, y))$statistic) / (length(x) * length(y)) - 1 else NA_real_)
  }
  holm <- p.adjust(pv, "holm"); bonf <- p.adjust(pv, "bonferroni")
  put(env, "multiplicity.n", sum(!is.na(pv)))
  for (t in names(pv)) {
    put(env, paste0("multiplicity.", t, ".holm"), unname(holm[t]))
    put(env, paste0("multiplicity.", t, ".bonferroni"), unname(bonf[t]))
  }

  # 4. Cohen's kappa, RECIST 1.1 vs volumetric at the first follow-up (both not NE)
  # both from tests/r/recist_reference.R (RECIST 1.1 and volumetric, new lesions included), sourced
  # by dataset_numbers.R
  ref <- recist_reference(dir)
  pick <- function(field) vapply(pp$patient_id, function(p) {
    x <- ref[[p]][[field]]
    if (is.null(x) || is.na(x)) NA_character_ else x
  }, "")
  rr <- pick("first_followup"); vr <- pick("volumetric")
  ok <- rr %in% c("CR", "PR", "SD", "PD") & vr %in% c("CR", "PR", "SD", "PD")
  put(env, "agreement.recist_volumetric.n", sum(ok))
  k <- if (sum(ok)) kappa_fce(rr[ok], vr[ok]) else c(kappa = NA, lower = NA, upper = NA)
  for (s in names(k)) put(env, paste0("agreement.recist_volumetric.", s), unname(k[s]))
  mget(ls(env), envir = env)
}

write_beyond_numbers <- function(dir, out) {
  nums <- beyond_numbers(dir)
  csvs <- sort(list.files(dir, pattern = "\\.csv$"))
  md5 <- as.list(unname(tools::md5sum(file.path(dir, csvs)))); names(md5) <- csvs
  meta <- list(dataset = basename(normalizePath(dir)), r_version = R.version.string,
               survival_version = as.character(packageVersion("survival")), md5 = md5,
               generated_by = "tests/r/beyond_numbers.R")
  writeLines(to_json(nums, meta), out, sep = "")
}

if (sys.nframe() == 0L) {
  args <- commandArgs(trailingOnly = TRUE)
  if (length(args) == 2) {
    write_beyond_numbers(args[1], args[2])
  } else {
    for (name in names(NUMBERS_DATASETS)) {
      out <- file.path("tests", "r", "fixtures", paste0("beyond_numbers_", name, ".json"))
      write_beyond_numbers(NUMBERS_DATASETS[[name]], out)
      message("wrote ", out)
    }
  }
}
