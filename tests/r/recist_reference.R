# Independent R implementation of the RECIST 1.1 response rules, written from the published criteria
# (Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST guideline
# (version 1.1). Eur J Cancer 2009;45:228-47), not from the Python package. Base R (+ jsonlite).
#
# Rules, with the section of the guideline:
#   3.1  measurable at baseline: non-nodal long axis >= 10 mm, lymph node short axis >= 15 mm; a
#        baseline "target" that is not measurable is followed as a non-target lesion.
#   3.3  targets: up to 5, 2 per organ (the validator refuses more; not re-checked here).
#   4.2  sum = long axes of non-nodal targets + short axes of nodal targets over the exam's target
#        rows; "too_small" = 5 mm, "absent" = 0, "not_assessed" = unknown; no target row at all = NE.
#   4.3.1 CR: every non-nodal target gone and every nodal target < 10 mm short axis. PR: sum <= -30 %
#        vs baseline. PD: sum >= +20 % and >= +5 mm vs the nadir (smallest sum so far, baseline
#        included), or a non-nodal target reappearing after CR. SD otherwise.
#   4.3.4 NE only when the measured targets do not already show PD (the sum of those measured is
#        compared with the nadir first).
#   4.3.2 non-targets: CR = all gone (nodes < 10 mm), PD = unequivocal progression (imaging.csv
#        "pd", or reappearance after non-target CR), NE if one is not assessed, else non-CR/non-PD;
#        without non-target rows at baseline: imaging.csv's nontarget_status of the exam.
#   4.3.3 new lesions (lesions.csv "new" rows present/too small, or imaging.csv new_lesions) = PD.
#   Tables 1-2 overall response; no measurable disease at baseline: the non-target response.
#   4.4 / Table 3 best overall response: a CR confirmed by a CR, a PR by a PR/CR, >= 28 days later
#        with only as-good or NE assessments between; else SD if a non-PD time point is >= 42 days
#        from baseline; else PD if PD; else NE. Time points after the first PD do not count.
# Response at the first follow-up (the study's endpoint, README "Endpoint definitions"): baseline =
# V0 exam (last exam before the first TACE), follow-up = V1 exam (first exam after it); from
# lesions.csv when the patient has lesion rows on the V0 day, else from imaging.csv's
# sum_diameters_mm (no node information: target CR = sum 0; baseline sum 0 = no measurable disease).
#
# Options (same per-patient frame), written from their own papers:
#   mRECIST (Lencioni & Llovet, Semin Liver Dis 2010;30:52-60): non-nodal targets measured by the
#     viable (enhancing) diameter, measurable from 10 mm viable; nodes by short axis (>= 15 mm, a
#     porta-hepatis node >= 20 mm); PD = +20 % vs the nadir (no 5 mm rule); a new liver lesion counts
#     from 10 mm long axis (typical/atypical not recorded), a new porta-hepatis node from 20 mm short
#     axis; imaging.csv's new-lesion flag only when lesions.csv has no "new" row at the exam;
#     without lesion rows: NE.
#   volumetric: imaging.csv's total tumour volume V1 vs V0 (PR <= -65 %, PD >= +73 %, CR = 0), new
#     lesions (lesions.csv rows or imaging.csv's flag) and non-target status as RECIST 1.1 Tables 1-2.
#
# Usage (from the repository root):
#   Rscript tests/r/recist_reference.R            # tests/r/fixtures/recist_reference.json
# or source() it (tests/r/dataset_numbers.R does, for the recist.<g>.* counts).

suppressPackageStartupMessages(library(jsonlite))

R_EPS <- 1e-9
NCNP <- "non-CR/non-PD"

rr_bool <- function(x) !is.na(x) && tolower(x) == "true"
rr_num <- function(x) suppressWarnings(as.numeric(x))

CRIT <- "recist"  # set by rr_patient: "recist" or "mrecist"

rr_progression <- function(s, nadir, min_mm = if (CRIT == "mrecist") 0 else 5) {
  inc <- s - nadir
  if (!(inc > 0) || inc < min_mm - R_EPS) return(FALSE)
  nadir == 0 || inc / nadir >= 0.2 - R_EPS
}

rr_porta <- function(r) !is.null(r$organ) && !is.na(r$organ) && grepl("porta", tolower(r$organ))

rr_measurable <- function(r) {
  if (r$status != "present") return(FALSE)
  if (rr_bool(r$is_node)) {
    need <- if (CRIT == "mrecist" && rr_porta(r)) 20 else 15
    return(!is.na(rr_num(r$short_axis_mm)) && rr_num(r$short_axis_mm) >= need)
  }
  v <- rr_num(if (CRIT == "mrecist") r$viable_axis_mm else r$long_axis_mm)
  !is.na(v) && v >= 10
}

rr_value <- function(r) {
  if (is.null(r)) return(NA_real_)
  col <- if (rr_bool(r$is_node)) r$short_axis_mm else if (CRIT == "mrecist") r$viable_axis_mm else r$long_axis_mm
  switch(r$status, absent = 0, too_small = 5, not_assessed = NA_real_, rr_num(col))
}

rr_node_short <- function(r) switch(r$status, absent = 0, too_small = 5, not_assessed = NA_real_,
                                    rr_num(r$short_axis_mm))

rr_new_row <- function(r) {
  if (r$role != "new" || !(r$status %in% c("present", "too_small"))) return(FALSE)
  if (CRIT != "mrecist") return(TRUE)
  organ <- if (is.null(r$organ) || is.na(r$organ)) "" else tolower(r$organ)
  if (rr_bool(r$is_node) && grepl("porta", organ)) return(!is.na(rr_num(r$short_axis_mm)) && rr_num(r$short_axis_mm) >= 20)
  if (organ == "liver") return(r$status == "present" && !is.na(rr_num(r$long_axis_mm)) && rr_num(r$long_axis_mm) >= 10)
  TRUE
}

rr_overall <- function(tr, ntr, new) {
  if (new || tr == "PD" || ntr == "PD") return("PD")
  if (tr == "none") return(if (ntr == "CR") "CR" else if (ntr == NCNP) NCNP else "NE")
  if (tr == "CR") return(if (ntr %in% c("CR", "none")) "CR" else "PR")
  tr
}

rr_rows <- function(les, pid, day) {
  x <- les[les$patient_id == pid & rr_num(les$day) == day, , drop = FALSE]
  lapply(seq_len(nrow(x)), function(i) as.list(x[i, ]))
}

# time-point responses of one patient: days[1] = baseline; img_at(day) -> imaging row (list)
rr_patient <- function(les, pid, days, img_at, criteria = "recist") {
  CRIT <<- criteria
  base <- rr_rows(les, pid, days[1])
  tg <- Filter(function(r) r$role == "target", base)
  targets <- unique(unlist(lapply(Filter(rr_measurable, tg), function(r) r$lesion_id)))
  demoted <- setdiff(unique(unlist(lapply(tg, function(r) r$lesion_id))), targets)
  has_nt <- any(vapply(base, function(r) r$role == "nontarget", TRUE)) || length(demoted) > 0
  base_sum <- sum(vapply(Filter(function(r) r$lesion_id %in% targets, tg), rr_value, 0))
  nadir <- base_sum
  tcr <- FALSE; ntcr <- FALSE
  out <- character(0)
  for (d in days[-1]) {
    rows <- rr_rows(les, pid, d)
    e <- img_at(d)
    # targets
    if (length(targets) == 0) {
      tr <- "none"
    } else {
      # the exam's target rows (a baseline target that was not measurable is followed as non-target);
      # a target without a row adds nothing, an exam without any target row is not evaluable
      trows <- Filter(function(x) x$role == "target" && !(x$lesion_id %in% demoted), rows)
      vals <- vapply(trows, rr_value, 0)
      nodes <- vapply(trows, function(x) rr_bool(x$is_node), TRUE)
      if (length(trows) == 0) vals <- NA_real_
      if (any(is.na(vals))) {
        tr <- if (rr_progression(sum(vals, na.rm = TRUE), nadir)) "PD" else "NE"
      } else {
        s <- sum(vals)
        shorts <- vapply(trows, function(r) if (rr_bool(r$is_node)) rr_node_short(r) else 0, 0)
        gone <- all(vals[!nodes] == 0) && all(shorts[nodes] < 10)
        if ((tcr && any(vals[!nodes] > 0)) || rr_progression(s, nadir)) tr <- "PD"
        else if (gone) tr <- "CR"
        else if (base_sum > 0 && (s - base_sum) / base_sum <= -0.3 + R_EPS) tr <- "PR"
        else tr <- "SD"
        nadir <- min(nadir, s)
        tcr <- tcr || tr == "CR"
      }
    }
    # non-targets
    nts <- if (is.null(e)) NA else e$nontarget_status
    if (!has_nt) {
      # no non-target rows at baseline: imaging.csv's non-target status of the exam
      ntr <- switch(if (is.na(nts)) "absent" else nts, absent = "none", non_cr_non_pd = NCNP, cr = "CR",
                    pd = "PD", ne = "NE", "none")
    } else {
      nt <- Filter(function(r) r$role == "nontarget" || (r$role == "target" && r$lesion_id %in% demoted), rows)
      st <- if (length(nt) == 0 || any(vapply(nt, function(r) r$status == "not_assessed", TRUE))) "NE" else {
        gone <- vapply(nt, function(r) r$status == "absent" || (rr_bool(r$is_node) &&
          (r$status == "too_small" || (!is.na(rr_num(r$short_axis_mm)) && rr_num(r$short_axis_mm) < 10))), TRUE)
        if (all(gone)) "CR" else NCNP
      }
      ntr <- if ((!is.na(nts) && nts == "pd") || (ntcr && st == NCNP)) "PD" else st
      ntcr <- ntcr || ntr == "CR"
    }
    new_rows <- any(vapply(rows, rr_new_row, TRUE))
    flag_ok <- CRIT != "mrecist" || !any(vapply(rows, function(r) r$role == "new", TRUE))
    new <- new_rows || (flag_ok && !is.null(e) && rr_bool(e$new_lesions))
    out <- c(out, rr_overall(tr, ntr, new))
  }
  out
}

# exam-level sums (no lesions.csv rows for the patient)
rr_exam_level <- function(s0, s1, new, nts) {
  ntr <- switch(if (is.na(nts)) "absent" else nts, absent = "none", non_cr_non_pd = NCNP, cr = "CR", pd = "PD",
                ne = "NE", "none")
  if (isTRUE(new) || ntr == "PD") return("PD")
  if (is.na(s0)) return("NE")
  if (s0 == 0) return(if (ntr == "CR") "CR" else if (ntr == "NE") "NE" else NCNP)
  if (is.na(s1)) return("NE")
  tr <- if (rr_progression(s1, s0)) "PD" else if (s1 == 0) "CR" else
    if ((s1 - s0) / s0 <= -0.3 + R_EPS) "PR" else "SD"
  rr_overall(tr, ntr, FALSE)
}

rr_volumetric <- function(v0, v1, new, nts) {
  ntr <- switch(if (is.na(nts)) "absent" else nts, absent = "none", non_cr_non_pd = NCNP, cr = "CR", pd = "PD",
                ne = "NE", "none")
  tr <- if (is.na(v0) || is.na(v1) || v0 == 0) "NE" else
    if (v1 > v0 && (v1 - v0) / v0 >= 0.73 - R_EPS) "PD" else if (v1 == 0) "CR" else
    if ((v1 - v0) / v0 <= -0.65 + R_EPS) "PR" else "SD"
  rr_overall(tr, ntr, isTRUE(new))
}

rr_best <- function(days_from_base, resp) {
  if (length(resp) == 0) return("NE")
  first_pd <- match("PD", resp)
  keep <- if (is.na(first_pd)) seq_along(resp) else seq_len(first_pd - 1)
  r <- resp[keep]; t <- days_from_base[keep]
  for (want in c("CR", "PR")) {
    ok <- if (want == "CR") "CR" else c("PR", "CR")
    for (i in seq_along(r)) {
      if (!(r[i] %in% ok)) next
      for (j in seq_along(r)[-seq_len(i)]) {
        if (r[j] == "NE") next
        if (!(r[j] %in% ok)) break
        if (t[j] - t[i] >= 28) return(want)
      }
    }
  }
  sd <- which(r %in% c("CR", "PR", "SD", NCNP) & t >= 42)
  if (length(sd)) return(if (r[sd[1]] == NCNP) NCNP else "SD")
  if (!is.na(first_pd)) return("PD")
  "NE"
}

read_csv_chr <- function(dir, name) {
  f <- file.path(dir, paste0(name, ".csv"))
  if (!file.exists(f)) return(NULL)
  read.csv(f, colClasses = "character", na.strings = "", check.names = FALSE, encoding = "UTF-8",
           strip.white = TRUE)
}

# per patient: first follow-up response and best overall response (NA where not defined)
recist_reference <- function(dir) {
  pat <- read_csv_chr(dir, "patients"); proc <- read_csv_chr(dir, "procedures")
  img <- read_csv_chr(dir, "imaging"); les <- read_csv_chr(dir, "lesions")
  img$.row <- seq_len(nrow(img))
  res <- list()
  for (i in seq_len(nrow(pat))) {
    pid <- pat$patient_id[i]
    ftd <- suppressWarnings(min(rr_num(proc$day[proc$patient_id == pid])))
    e <- img[img$patient_id == pid, , drop = FALSE]
    e <- e[order(rr_num(e$day), e$.row), , drop = FALSE]
    b <- e[rr_num(e$day) < ftd, , drop = FALSE]; a <- e[rr_num(e$day) > ftd, , drop = FALSE]
    first <- NA_character_; best <- NA_character_; mrec <- NA_character_; vol <- NA_character_
    if (is.finite(ftd) && nrow(b) > 0 && nrow(a) > 0) {
      e0 <- as.list(b[nrow(b), ]); e1 <- as.list(a[1, ])
      d0 <- rr_num(e0$day); d1 <- rr_num(e1$day)
      img_at <- function(d) { x <- e[rr_num(e$day) == d, , drop = FALSE]; if (nrow(x)) as.list(x[1, ]) else NULL }
      lesion_days <- if (is.null(les)) numeric(0) else sort(unique(rr_num(les$day[les$patient_id == pid])))
      new_rows <- !is.null(les) && any(les$patient_id == pid & rr_num(les$day) == d1 & les$role == "new" &
                                         les$status %in% c("present", "too_small"))
      vol <- rr_volumetric(rr_num(e0$tumor_volume_cm3), rr_num(e1$tumor_volume_cm3),
                           new_rows || rr_bool(e1$new_lesions), e1$nontarget_status)
      if (d0 %in% lesion_days) {
        first <- rr_patient(les, pid, c(d0, d1), img_at)
        mrec <- rr_patient(les, pid, c(d0, d1), img_at, "mrecist")
        days <- lesion_days[lesion_days >= d0]
        best <- rr_best(days[-1] - d0, rr_patient(les, pid, days, img_at))
      } else {
        first <- rr_exam_level(rr_num(e0$sum_diameters_mm), rr_num(e1$sum_diameters_mm),
                               new_rows || rr_bool(e1$new_lesions), e1$nontarget_status)
        mrec <- "NE"
      }
    }
    res[[pid]] <- list(group = as.integer(pat$group[i]), first_followup = first, best = best,
                       mrecist = mrec, volumetric = vol)
  }
  res
}

RECIST_DATASETS <- c(recist = "tests/fixtures/recist", mini = "tests/fixtures/mini",
                     edge = "tests/fixtures/numbers/edge", large = "tests/fixtures/numbers/large")

write_recist_reference <- function(root = ".", out = file.path(root, "tests/r/fixtures/recist_reference.json")) {
  all <- list()
  for (name in names(RECIST_DATASETS)) {
    dir <- file.path(root, RECIST_DATASETS[[name]])
    csvs <- sort(list.files(dir, pattern = "\\.csv$"))
    md5 <- as.list(unname(tools::md5sum(file.path(dir, csvs)))); names(md5) <- csvs
    all[[name]] <- list(md5 = md5, patients = recist_reference(dir))
  }
  all[["_meta"]] <- list(r_version = R.version.string, script = "tests/r/recist_reference.R")
  writeLines(toJSON(all, auto_unbox = TRUE, na = "null", pretty = TRUE), out)
  message("wrote ", out)
}

if (sys.nframe() == 0L) {
  write_recist_reference(".")  # run from the repository root
} else if (exists("FIXTURE_DIR")) {
  # sourced by tests/r/make_fixtures.R (`make r-fixtures`): FIXTURE_DIR = <root>/tests/r/fixtures
  write_recist_reference(normalizePath(file.path(FIXTURE_DIR, "..", "..", "..")))
}
