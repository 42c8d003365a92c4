# Independent R implementation of the dataset contract, endpoint definitions and statistics conventions
# (README sections "Your own data", "Endpoint definitions", "Statistics conventions"): every numbers.json key
# of one dataset folder.
#
# Written from the project's design text (dataset contract, endpoint definitions, statistics conventions,
# numbers.json keys), NOT translated from the Python package. Base R only (+ jsonlite for string
# escaping): quantile(type = 7), median(), sd(), wilcox.test() defaults, lm().
#
# Usage (from the repository root):
#   Rscript tests/r/dataset_numbers.R                  # all committed fixtures (NUMBERS_DATASETS below)
#   Rscript tests/r/dataset_numbers.R DATA_DIR OUT.json
# or from another R script:
#   source("tests/r/dataset_numbers.R"); write_dataset_numbers("tests/fixtures/mini", "out.json")
#
# Output: a flat JSON object (sorted keys) of numbers, null where not computable, plus "_meta"
# (dataset folder name, R version). Doubles are written with 17 significant digits.
#
# Definitions (README, "Endpoint definitions"):
#   first TACE day = min(procedures$day); V0 = tumour volume of the last exam with day < first TACE
#   day, V1 = of the first exam with day > first TACE day; exams ordered by day, file order within a
#   day. dV = V1 - V0; dt = day(V1) - day(V0). DT = dt * log(2) / log(V1 / V0), undefined when
#   V1 == V0, V0 == 0, V1 == 0 or dt <= 0. TTP = end_day - start_day of every progression row of
#   the setting (censoring ignored). RECIST 1.1 at the first follow-up: tests/r/recist_reference.R
#   (lesions.csv when the patient has lesion rows on the V0 exam, else the exam sums of target
#   diameters; written from Eisenhauer et al. 2009).
#   Thresholds compared unrounded with a 1e-9 allowance for binary floating point.
#   Regression lm(dV ~ DT) per group over finite DT: needs >= 2 points and a non-constant DT;
#   with 2 points the p-value is undefined (no residual degrees of freedom).
# Complete cases per analysis (README, issue 12): an empty cell is NA and each statistic uses the
#   patients (rows) that have its inputs: a blank volume at the V0 / V1 exam removes the patient from
#   that side of Table 2, from Table 4's dV and from the regression; a patient without an exam after
#   the first TACE has no V1, dV, DT or response; a patient without a progression row of a setting is
#   simply not among that setting's rows. Every summary carries its n (recist.<g>.n = patients with
#   both exams). Without progression data (progression.csv absent or without rows), Table 3 and
#   Table 4's TTP are not available: null keys, n included.

suppressPackageStartupMessages(library(jsonlite))

# the RECIST 1.1 rules (response at the first follow-up) come from tests/r/recist_reference.R, written
# from the published criteria; the exam-level helpers below are kept for the sums only
for (.p in c("recist_reference.R", "tests/r/recist_reference.R")) if (file.exists(.p)) { source(.p); break }

EPS <- 1e-9

read_table <- function(dir, name, required = TRUE) {
  f <- file.path(dir, paste0(name, ".csv"))
  if (!file.exists(f)) {
    if (required) stop("missing ", f)
    return(NULL)
  }
  d <- read.csv(f, colClasses = "character", na.strings = "", check.names = FALSE,
                encoding = "UTF-8", strip.white = TRUE)
  d
}

as_bool <- function(x) {
  out <- rep(NA, length(x))
  out[!is.na(x) & tolower(x) == "true"] <- TRUE
  out[!is.na(x) & tolower(x) == "false"] <- FALSE
  out
}

num <- function(x) as.numeric(x)

# ---------------------------------------------------------------- RECIST helpers

lesion_value <- function(status, is_node, long, short) {
  # one target lesion's contribution to the sum of diameters (RECIST 1.1)
  if (status == "absent") return(0)
  if (status == "too_small") return(5)
  if (status == "not_assessed") return(NA_real_)
  v <- if (isTRUE(is_node)) short else long
  if (is.na(v)) NA_real_ else v
}

lesion_sum <- function(les, pid, day) {
  if (is.null(les)) return(NA_real_)
  t <- les[les$patient_id == pid & les$day == day & les$role == "target", , drop = FALSE]
  if (nrow(t) == 0) return(NA_real_)
  vals <- mapply(lesion_value, t$status, t$is_node, t$long_axis_mm, t$short_axis_mm)
  if (any(is.na(vals))) return(NA_real_)
  sum(vals)
}

first_followup <- function(s0, s1, new, nts) {
  if (isTRUE(new)) return("PD")
  if (!is.na(nts) && nts == "pd") return("PD")
  if (is.na(s0) || is.na(s1)) return("NE")
  inc <- s1 - s0
  if (inc > 0 && inc >= 5 - EPS) {
    if (s0 == 0) return("PD")
    if (inc / s0 >= 0.2 - EPS) return("PD")
  }
  if (s1 == 0 && !is.na(nts) && nts %in% c("absent", "cr")) return("CR")
  if (s0 > 0 && (s1 - s0) / s0 <= -0.3 + EPS) return("PR")
  "SD"
}

# ---------------------------------------------------------------- per patient

per_patient <- function(pat, proc, img, prog, les) {
  img$.row <- seq_len(nrow(img))
  out <- data.frame(patient_id = pat$patient_id, group = as.integer(pat$group),
                    timing = pat$tace_timing, stringsAsFactors = FALSE)
  n <- nrow(out)
  out$v0 <- out$v1 <- out$dv <- out$dtime <- out$DT <- rep(NA_real_, n)
  out$response <- rep(NA_character_, n)
  for (i in seq_len(n)) {
    pid <- out$patient_id[i]
    days <- num(proc$day[proc$patient_id == pid])
    if (length(days) == 0) next
    ftd <- min(days)
    e <- img[img$patient_id == pid, , drop = FALSE]
    e <- e[order(num(e$day), e$.row), , drop = FALSE]
    b <- e[num(e$day) < ftd, , drop = FALSE]
    a <- e[num(e$day) > ftd, , drop = FALSE]
    if (nrow(b) > 0) out$v0[i] <- num(b$tumor_volume_cm3[nrow(b)])
    if (nrow(a) > 0) out$v1[i] <- num(a$tumor_volume_cm3[1])
    if (nrow(b) == 0 || nrow(a) == 0) next
    e0 <- b[nrow(b), ]
    e1 <- a[1, ]
    v0 <- out$v0[i]; v1 <- out$v1[i]
    dt <- num(e1$day) - num(e0$day)
    out$dv[i] <- v1 - v0
    out$dtime[i] <- dt
    if (!is.na(v0) && !is.na(v1) && dt > 0 && v0 != 0 && v1 != 0 && v1 != v0) {
      out$DT[i] <- dt * log(2) / log(v1 / v0)
    }
    s0 <- if ("sum_diameters_mm" %in% names(e0)) num(e0$sum_diameters_mm) else NA_real_
    s1 <- if ("sum_diameters_mm" %in% names(e1)) num(e1$sum_diameters_mm) else NA_real_
    if (is.na(s0)) s0 <- lesion_sum(les, pid, num(e0$day))
    if (is.na(s1)) s1 <- lesion_sum(les, pid, num(e1$day))
    new <- if ("new_lesions" %in% names(e1)) as_bool(e1$new_lesions) else NA
    nts <- if ("nontarget_status" %in% names(e1)) e1$nontarget_status else NA
    out$response[i] <- first_followup(s0, s1, new, nts)
  }
  out
}

# ---------------------------------------------------------------- statistics

put <- function(env, key, value) assign(key, value, envir = env)

summ <- function(env, prefix, x) {
  x <- x[!is.na(x)]
  put(env, paste0(prefix, ".n"), length(x))
  if (length(x) == 0) {
    for (s in c("median", "q1", "q3", "min", "max")) put(env, paste0(prefix, ".", s), NA_real_)
    return(invisible())
  }
  q <- unname(quantile(x, c(0.25, 0.75), type = 7))
  put(env, paste0(prefix, ".median"), median(x))
  put(env, paste0(prefix, ".q1"), q[1])
  put(env, paste0(prefix, ".q3"), q[2])
  put(env, paste0(prefix, ".min"), min(x))
  put(env, paste0(prefix, ".max"), max(x))
}

mwu <- function(env, prefix, x, y) {
  x <- x[!is.na(x)]; y <- y[!is.na(y)]
  if (length(x) == 0 || length(y) == 0) {
    put(env, paste0(prefix, ".p"), NA_real_); put(env, paste0(prefix, ".W"), NA_real_)
    return(invisible())
  }
  w <- suppressWarnings(wilcox.test(x, y))  # R defaults: exact if n < 50 and no ties, correct = TRUE
  put(env, paste0(prefix, ".p"), unname(w$p.value))
  put(env, paste0(prefix, ".W"), unname(w$statistic))
}

dataset_numbers <- function(dir) {
  pat <- read_table(dir, "patients")
  proc <- read_table(dir, "procedures")
  img <- read_table(dir, "imaging")
  prog <- read_table(dir, "progression", required = FALSE)
  if (!is.null(prog) && nrow(prog) == 0) prog <- NULL  # absent or no rows: TTP analyses not available
  les <- read_table(dir, "lesions", required = FALSE)
  if (!is.null(les)) {
    les$day <- num(les$day)
    les$is_node <- as_bool(les$is_node)
    les$long_axis_mm <- num(les$long_axis_mm)
    les$short_axis_mm <- num(les$short_axis_mm)
  }
  pp <- per_patient(pat, proc, img, prog, les)
  ref <- recist_reference(dir)
  pick <- function(field) vapply(pp$patient_id, function(p) {
    x <- ref[[p]][[field]]
    if (is.null(x) || is.na(x)) NA_character_ else x
  }, "")
  pp$response <- pick("first_followup")
  pp$volumetric <- pick("volumetric")
  pp$mrecist <- pick("mrecist")
  env <- new.env()
  groups <- c(1L, 2L)
  timings <- c("immediate", "after_chemo")
  gname <- function(g) paste0("group", g)

  # counts
  put(env, "n.patients", nrow(pat))
  put(env, "n.tace", nrow(proc))
  for (g in groups) {
    put(env, paste0("n.", gname(g)), sum(pp$group == g))
    ntace <- table(proc$patient_id)
    repeaters <- names(ntace)[ntace > 1]
    put(env, paste0("n.", gname(g), ".repeat_tace"), sum(pat$group == g & pat$patient_id %in% repeaters))
    for (s in timings) put(env, paste0("n.", gname(g), ".", s), sum(pp$group == g & pp$timing == s))
  }

  # Table 1 (all patients)
  N <- nrow(pat)
  age <- num(pat$age_at_tace)
  age <- age[!is.na(age)]
  put(env, "table1.age.n", length(age))
  put(env, "table1.age.mean", if (length(age)) mean(age) else NA_real_)
  put(env, "table1.age.sd", if (length(age) > 1) sd(age) else NA_real_)
  put(env, "table1.age.min", if (length(age)) min(age) else NA_real_)
  put(env, "table1.age.max", if (length(age)) max(age) else NA_real_)
  cats <- function(var, levels, values) {
    for (lv in levels) {
      k <- sum(values == lv)
      put(env, paste0("table1.", var, ".", lv, ".n"), k)
      put(env, paste0("table1.", var, ".", lv, ".percent"), if (N > 0) 100 * k / N else NA_real_)
    }
  }
  tf <- function(x) { b <- as_bool(x); ifelse(is.na(b), "missing", ifelse(b, "true", "false")) }
  cats("t_stage", c("T1", "T2", "T3", "T4", "TX"), pat$t_stage)
  cats("primary_site", c("pancreas", "small_intestine", "lung", "prostate", "other", "unknown"), pat$primary_site)
  cats("liver_distribution", c("bilobar_multiple", "unilobar_multiple", "bilobar_single", "solitary"),
       pat$liver_distribution)
  cats("extrahepatic_disease", c("true", "false"), tf(pat$extrahepatic_disease))
  cats("primary_resected", c("true", "false"), tf(pat$primary_resected))
  cats("sex", c("F", "M", "missing"), ifelse(is.na(pat$sex), "missing", pat$sex))
  # time from the primary to liver metastases: group 1 on its own; group 2 by 6 months / 1.5 / 6 years
  month <- 365.25 / 12
  d1 <- num(pat$days_dx_to_liver_mets)
  dx_cat <- ifelse(as.integer(pat$group) == 1L, "group1",
            ifelse(d1 <= 6 * month, "le_6m",
            ifelse(d1 <= 1.5 * 365.25, "6m_to_18m",
            ifelse(d1 <= 6 * 365.25, "18m_to_6y", "gt_6y"))))
  cats("dx_to_liver_mets", c("group1", "le_6m", "6m_to_18m", "18m_to_6y", "gt_6y"), dx_cat)
  d2 <- num(pat$days_liver_mets_to_tace)
  tace_cat <- ifelse(d2 < 14, "lt_2w", ifelse(d2 <= 3 * month, "2w_to_3m", "gt_3m"))
  cats("liver_mets_to_tace", c("lt_2w", "2w_to_3m", "gt_3m"), tace_cat)

  # Table 2: V0 and V1 per group, group 1 vs group 2
  for (part in c("before", "after")) {
    col <- if (part == "before") pp$v0 else pp$v1
    for (g in groups) summ(env, paste0("table2.", part, ".", gname(g)), col[pp$group == g])
    mwu(env, paste0("table2.", part), col[pp$group == 1L], col[pp$group == 2L])
  }

  # Tables 3-4: TTP = end - start of every progression row (complete cases: rows with both days).
  # Without progression.csv these analyses are not available: every key null, n included.
  na_keys <- function(prefix, stats) for (s in stats) put(env, paste0(prefix, ".", s), NA_real_)
  if (!is.null(prog)) {
    prog$ttp <- num(prog$end_day) - num(prog$start_day)
    prog$group <- as.integer(pat$group[match(prog$patient_id, pat$patient_id)])
    prog$timing <- pat$tace_timing[match(prog$patient_id, pat$patient_id)]
  }
  sstats <- c("n", "median", "q1", "q3", "min", "max")
  for (setting in c("chemo", "tace")) {
    if (is.null(prog)) {
      for (g in groups) na_keys(paste0("table3.", setting, ".", gname(g)), sstats)
      na_keys(paste0("table3.", setting), c("p", "W"))
      next
    }
    r <- prog[prog$setting == setting, , drop = FALSE]
    for (g in groups) summ(env, paste0("table3.", setting, ".", gname(g)), r$ttp[r$group == g])
    mwu(env, paste0("table3.", setting), r$ttp[r$group == 1L], r$ttp[r$group == 2L])
  }
  rt <- if (is.null(prog)) NULL else prog[prog$setting == "tace", , drop = FALSE]
  for (g in groups) {
    for (s in timings) {
      summ(env, paste0("table4.", gname(g), ".", s, ".volume_change"), pp$dv[pp$group == g & pp$timing == s])
      if (is.null(rt)) na_keys(paste0("table4.", gname(g), ".", s, ".ttp"), sstats)
      else summ(env, paste0("table4.", gname(g), ".", s, ".ttp"), rt$ttp[rt$group == g & rt$timing == s])
    }
    mwu(env, paste0("table4.", gname(g), ".volume_change"),
        pp$dv[pp$group == g & pp$timing == "immediate"], pp$dv[pp$group == g & pp$timing == "after_chemo"])
    if (is.null(rt)) na_keys(paste0("table4.", gname(g), ".ttp"), c("p", "W"))
    else mwu(env, paste0("table4.", gname(g), ".ttp"),
             rt$ttp[rt$group == g & rt$timing == "immediate"], rt$ttp[rt$group == g & rt$timing == "after_chemo"])
  }

  # regression dV ~ DT per group, finite DT only
  for (g in groups) {
    ok <- pp$group == g & is.finite(pp$DT) & is.finite(pp$dv)
    x <- pp$DT[ok]; y <- pp$dv[ok]
    pre <- paste0("regression.", gname(g))
    put(env, paste0(pre, ".n"), length(x))
    put(env, paste0("doubling_time.", gname(g), ".undefined.n"), sum(pp$group == g & is.na(pp$DT)))
    if (length(x) >= 2 && length(unique(x)) >= 2) {
      fit <- lm(y ~ x)
      sm <- suppressWarnings(summary(fit))  # 2 points: "essentially perfect fit", p NaN
      put(env, paste0(pre, ".r2"), sm$r.squared)
      put(env, paste0(pre, ".slope"), unname(coef(fit)[2]))
      put(env, paste0(pre, ".intercept"), unname(coef(fit)[1]))
      put(env, paste0(pre, ".p"), if (length(x) >= 3) unname(sm$coefficients[2, 4]) else NA_real_)
    } else {
      for (s in c("r2", "slope", "intercept", "p")) put(env, paste0(pre, ".", s), NA_real_)
    }
  }

  # RECIST 1.1 at the first follow-up
  # n = the group's patients with a V0 and a V1 exam (a response, NE included)
  for (g in groups) {
    put(env, paste0("recist.", gname(g), ".n"), sum(!is.na(pp$response) & pp$group == g))
    for (crit in c("volumetric", "mrecist")) {
      put(env, paste0(crit, ".", gname(g), ".n"), sum(!is.na(pp[[crit]]) & pp$group == g))
    }
    for (c in c("CR", "PR", "SD", "PD", "NE", "non-CR/non-PD")) {
      key <- if (c == "non-CR/non-PD") "non_cr_non_pd" else c
      put(env, paste0("recist.", gname(g), ".", key, ".n"), sum(!is.na(pp$response) & pp$group == g & pp$response == c))
      for (crit in c("volumetric", "mrecist")) {
        put(env, paste0(crit, ".", gname(g), ".", key, ".n"),
            sum(!is.na(pp[[crit]]) & pp$group == g & pp[[crit]] == c))
      }
    }
  }
  as.list(env)
}

count_key <- function(k) grepl("\\.n$", k) || startsWith(k, "n.")

to_json <- function(nums, meta) {
  keys <- sort(names(nums), method = "radix")
  lines <- character(0)
  for (k in keys) {
    v <- nums[[k]]
    txt <- if (is.null(v) || is.na(v) || !is.finite(v)) "null"
           else if (count_key(k)) sprintf("%d", as.integer(round(v)))
           else sprintf("%.17g", v)
    lines <- c(lines, sprintf("  %s: %s", toJSON(k, auto_unbox = TRUE), txt))
  }
  lines <- c(sprintf("  \"_meta\": %s", toJSON(meta, auto_unbox = TRUE)), lines)
  paste0("{\n", paste(lines, collapse = ",\n"), "\n}\n")
}

write_dataset_numbers <- function(dir, out) {
  nums <- dataset_numbers(dir)
  csvs <- sort(list.files(dir, pattern = "\\.csv$"))
  md5 <- as.list(unname(tools::md5sum(file.path(dir, csvs))))
  names(md5) <- csvs
  meta <- list(dataset = basename(normalizePath(dir)), r_version = R.version.string, md5 = md5,
               generated_by = "tests/r/dataset_numbers.R",
               conventions = "quantile type 7; wilcox.test defaults; lm; sd with n - 1")
  writeLines(to_json(nums, meta), out, sep = "")
  invisible(nums)
}

# the datasets whose reference numbers are committed (tests/r/fixtures/numbers_<name>.json);
# paths relative to the repository root; a missing folder (e.g. data/synthetic before it exists) is skipped
NUMBERS_DATASETS <- c(mini = "tests/fixtures/mini", large = "tests/fixtures/numbers/large",
                      edge = "tests/fixtures/numbers/edge", missing = "tests/fixtures/numbers/missing",
                      noprogression = "tests/fixtures/numbers/noprogression", synthetic = "data/synthetic")

make_numbers_fixtures <- function(root = ".") {
  for (name in names(NUMBERS_DATASETS)) {
    dir <- file.path(root, NUMBERS_DATASETS[[name]])
    if (!file.exists(file.path(dir, "patients.csv"))) {
      message("skipped ", NUMBERS_DATASETS[[name]], " (no patients.csv)")
      next
    }
    out <- file.path(root, "tests", "r", "fixtures", paste0("numbers_", name, ".json"))
    write_dataset_numbers(dir, out)
    message("wrote tests/r/fixtures/numbers_", name, ".json")
  }
}

if (sys.nframe() == 0L) {
  args <- commandArgs(trailingOnly = TRUE)
  if (length(args) == 0) {
    make_numbers_fixtures(".")  # run from the repository root
  } else if (length(args) == 2) {
    write_dataset_numbers(args[1], args[2])
  } else {
    cat("usage: Rscript tests/r/dataset_numbers.R [DATA_DIR OUT.json]\n",
        "(no arguments: every dataset of NUMBERS_DATASETS -> tests/r/fixtures/numbers_<name>.json)\n",
        file = stderr())
    quit(status = 2)
  }
} else if (exists("FIXTURE_DIR")) {
  # sourced by tests/r/make_fixtures.R (`make r-fixtures`): FIXTURE_DIR = <root>/tests/r/fixtures
  make_numbers_fixtures(normalizePath(file.path(FIXTURE_DIR, "..", "..", "..")))
}
