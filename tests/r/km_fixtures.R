# Kaplan-Meier reference values from R's survival::survfit, for analysis/stats/survival.py.
# Sourced by make_fixtures.R (working directory tests/r/, FIXTURE_DIR set); or run alone:
#   Rscript tests/r/km_fixtures.R
suppressPackageStartupMessages(library(survival))
if (!exists("FIXTURE_DIR")) FIXTURE_DIR <- "fixtures"

num <- function(x) sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(x, collapse = ", "), "]")
flag <- function(x) vec(ifelse(x, "true", "false"))

km_case <- function(name, time, event) {
  s <- summary(survfit(Surv(time, event) ~ 1))
  paste0('    {"name": "', name, '", "time": ', vec(num(time)), ', "event": ', flag(event),
         ', "r_time": ', vec(num(s$time)), ', "r_n_risk": ', vec(num(s$n.risk)),
         ', "r_n_event": ', vec(num(s$n.event)), ', "r_surv": ', vec(num(s$surv)), "}")
}

cases <- list(
  km_case("no_censoring", c(5, 3, 9, 12, 7), rep(TRUE, 5)),
  km_case("censoring_and_ties", c(3, 5, 5, 8, 10, 12, 12, 15), c(TRUE, TRUE, FALSE, TRUE, FALSE, TRUE, TRUE, FALSE)),
  km_case("event_and_censoring_at_same_time", c(2, 2, 2, 4, 6, 6, 9), c(TRUE, FALSE, TRUE, TRUE, FALSE, TRUE, FALSE)),
  km_case("all_censored_but_one", c(10, 20, 30, 40), c(FALSE, FALSE, TRUE, FALSE))
)

# The bundled synthetic cohort: time to progression after TACE, per group (as the Kaplan-Meier figure).
syn <- file.path("..", "..", "data", "synthetic")
if (dir.exists(syn)) {
  pat <- read.csv(file.path(syn, "patients.csv"), stringsAsFactors = FALSE)
  prog <- read.csv(file.path(syn, "progression.csv"), stringsAsFactors = FALSE)
  tace <- merge(prog[prog$setting == "tace", ], pat[, c("patient_id", "group")], by = "patient_id")
  for (g in c(1, 2)) {
    d <- tace[tace$group == g, ]
    d <- d[order(d$patient_id), ]
    cases[[length(cases) + 1]] <- km_case(paste0("synthetic_tace_group", g), d$end_day - d$start_day,
                                          tolower(as.character(d$progressed)) == "true")
  }
}

out <- file.path(FIXTURE_DIR, "km.json")
writeLines(c("{", paste0('  "r_version": "', R.version.string, '", "survival_version": "',
                         as.character(packageVersion("survival")), '",'),
             '  "cases": [', paste(unlist(cases), collapse = ",\n"), "  ]", "}"), out)
message("wrote ", out)
