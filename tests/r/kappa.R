# Cohen's kappa of a square contingency table with the large-sample standard error of Fleiss, Cohen and
# Everitt (Psychol Bull 1969;72:323-7), written out from the formula (not from the Python code), and the
# 95 % normal interval. Sourced by beyond_fixtures.R and beyond_numbers.R: one definition for both.
kappa_by_hand <- function(tab) {
  n <- sum(tab); p <- tab / n; r <- rowSums(p); c <- colSums(p)
  po <- sum(diag(p)); pe <- sum(r * c); k <- (po - pe) / (1 - pe)
  A <- sum(diag(p) * (1 - (r + c) * (1 - k))^2)
  B <- (1 - k)^2 * sum((p * outer(c, r, "+")^2)[row(p) != col(p)])
  C <- (k - pe * (1 - k))^2
  se <- sqrt((A + B - C) / ((1 - pe)^2 * n))
  list(kappa = k, se = se, lower = k - qnorm(0.975) * se, upper = k + qnorm(0.975) * se)
}
