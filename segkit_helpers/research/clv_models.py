"""The BG/NBD and Gamma–Gamma models: log-likelihoods, predictions and their maximum-likelihood fits.

Models, both fitted here by maximum likelihood:

- BG/NBD, Fader, Hardie & Lee (2005), "Counting your customers the easy way: an
  alternative to the Pareto/NBD model", *Marketing Science* 24(2):275–284 (likelihood
  eq. 6, conditional expectation eq. 10), and Fader & Hardie (2008), "Computing
  P(alive) using the BG/NBD model", brucehardie.com note 021 — repeat purchases and the
  chance a customer is still active ("alive");
- Gamma–Gamma, Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for
  customer base analysis", *Journal of Marketing Research* 42(4):415–430, and Fader &
  Hardie (2013), "The Gamma-Gamma model of monetary value", brucehardie.com note 025
  (likelihood eq. 1a, conditional expectation eq. 5) — the expected spend of a
  customer's future purchases.

**Why the likelihoods are written here.** ``lifetimes`` has been archived since 2020,
needs workarounds under pandas 3, and its Gamma–Gamma fit did not converge on ordinary
synthetic shops (1,200–2,500 customers, lognormal prices) even with penalizer 0.1,
which stopped the whole cycle. PyMC-Marketing (0.19.2) is maintained but brings PyMC,
PyTensor and ArviZ (about 800 MB), spends about 22 s compiling before a BG/NBD fit on
CDNOW, and its MAP fit with default priors gives a = 0.706, b = 2.092 instead of the
published maximum-likelihood a = 0.793, b = 2.426. The two log-likelihoods and their
closed-form predictions are a few lines each with scipy (``gammaln``, ``betaln``,
``hyp2f1``, ``scipy.optimize.minimize``), reproduce the published CDNOW parameters, and
can be made robust (scaling, starting values, bounds) where it matters.

Assumptions: BG/NBD — while alive, a customer buys at a Poisson rate (Gamma
heterogeneous across customers) and drops out after any purchase with a probability
(Beta heterogeneous); Gamma–Gamma — spend per purchase varies around each customer's
own mean, independently of how often they buy (checked by
:func:`spend_frequency_check`). Time unit: weeks. The inputs, one purchase per calendar
day, are made by :func:`segkit_helpers.research.clv.model_inputs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

#: Log-parameters are bounded to ±LOG_BOUND (parameters in [4.5e-5, 2.2e4] on the
#: scaled data); an estimate at a bound is a limit of the model (see ``_maximise``).
LOG_BOUND = 10.0


#: The Gamma–Gamma independence check flags a correlation this large and significant.
INDEPENDENCE_MAX_R = 0.3
INDEPENDENCE_ALPHA = 0.05


# --- BG/NBD ---------------------------------------------------------------------------------------

def bgnbd_log_likelihood(params: dict, frequency, recency, T) -> np.ndarray:
    """Log-likelihood of each customer's (x, t_x, T) under BG/NBD (Fader, Hardie & Lee 2005, eq. 6).

    L = B(a, b + x)/B(a, b) · Γ(r + x) α^r / (Γ(r) (α + T)^(r+x))
        + [x > 0] · B(a + 1, b + x − 1)/B(a, b) · Γ(r + x) α^r / (Γ(r) (α + t_x)^(r+x)),

    evaluated on the log scale (log-sum-exp of the two terms).
    """
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    survived = special.betaln(a, b + x) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(x > 0, special.betaln(a + 1, b + x - 1) - (r + x) * np.log(alpha + t_x), -np.inf)
    return common + np.logaddexp(survived, dropped)


def p_alive(params: dict, frequency, recency, T) -> np.ndarray:
    """P(alive | x, t_x, T) (Fader & Hardie 2008, note 021, eq. 2).

    P = 1 / (1 + [x > 0] · a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x));
    1 for a customer without a repeat purchase (no evidence of having dropped out).
    """
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_odds = np.log(a) - np.log(b + np.maximum(x, 1) - 1) + (r + x) * np.log((alpha + T) / (alpha + t_x))
    return np.where(x > 0, special.expit(-log_odds), 1.0)


def expected_purchases(params: dict, t, frequency, recency, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected repeat purchase days in the next t weeks (FHL 2005, eq. 10).

    E = (a + b + x − 1)/(a − 1) · [1 − (1 − z)^(r+x) · ₂F₁(r + x, b + x; a + b + x − 1; z)] · P(alive),

    with z = t / (α + T + t), so that 1 − z = (α + T)/(α + T + t), and ₂F₁ the Gauss
    hypergeometric function (``scipy.special.hyp2f1``). Where ₂F₁ overflows, Euler's
    transformation ₂F₁(a, b; c; z) = (1 − z)^(c−a−b) ₂F₁(c − a, c − b; c; z) gives the same
    term as (1 − z)^(a−1) · ₂F₁(a + b − 1 − r, a − 1; a + b + x − 1; z). ₂F₁ may be
    negative (when a + b + x − 1 < 0), so it is not taken on the log scale.
    """
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, T = np.asarray(frequency, dtype=float), np.asarray(T, dtype=float)
    h_a, h_b, h_c, z = r + x, b + x, a + b + x - 1, t / (alpha + T + t)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        term = (1 - z) ** (r + x) * special.hyp2f1(h_a, h_b, h_c, z)
        euler = (1 - z) ** (a - 1) * special.hyp2f1(h_c - h_a, h_c - h_b, h_c, z)
        term = np.where(np.isfinite(term), term, euler)
        series = (1 - z) ** (r + x) * _hyp2f1_series(h_a, h_b, h_c, z)
        term = np.where(np.isfinite(term), term, series)
    return (a + b + x - 1) / (a - 1) * (1 - term) * p_alive(params, frequency, recency, T)


def _hyp2f1_series(a, b, c, z, max_terms: int = 5000) -> np.ndarray:
    """Gauss's series ₂F₁(a, b; c; z) = Σₖ (a)ₖ (b)ₖ / ((c)ₖ k!) zᵏ for 0 ≤ z < 1, NaN where it has not converged.

    Summed here because ``scipy.special.hyp2f1`` returns NaN for some large parameters
    where the series converges fast (seen with scipy 1.17 at a ≈ 1.5·10⁴, c ≈ 420,
    z ≈ 0.004: a degenerate BG/NBD fit of identical customers), in both forms used by
    :func:`expected_purchases`. Terms are added until they fall below 1e-15 of the sum.
    """
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, b, c, z)))
    total, term = np.ones(a.shape), np.ones(a.shape)
    done = ~((z >= 0) & (z < 1))
    for k in range(max_terms):
        term = term * (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total = total + np.where(done, 0.0, term)
        done |= np.abs(term) <= 1e-15 * np.abs(total)
        if done.all():
            break
    return np.where(done & (z >= 0) & (z < 1) & np.isfinite(total), total, np.nan)


# --- Gamma–Gamma ----------------------------------------------------------------------------------

def gamma_gamma_log_likelihood(params: dict, frequency, monetary_value) -> np.ndarray:
    """Log-likelihood of each repeat buyer's mean spend m̄ over x purchases (Fader & Hardie 2013, eq. 1a).

    f(m̄ | p, q, γ, x) = Γ(px + q) / (Γ(px) Γ(q)) · γ^q m̄^(px−1) x^(px) / (γ + m̄x)^(px+q).
    """
    p, q, v = params["p"], params["q"], params["gamma"]
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary_value, dtype=float)
    return (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(v)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(v + m * x))


def expected_spend(params: dict, frequency, monetary_value) -> np.ndarray:
    """E[M | p, q, γ, x, m̄] = p (γ + x m̄) / (p x + q − 1) (Fader & Hardie 2013, eq. 5).

    A weighted mean of the customer's own m̄ (weight px / (px + q − 1)) and the
    population mean pγ / (q − 1); a customer without repeat purchases (x = 0) gets the
    population mean.
    """
    p, q, v = params["p"], params["q"], params["gamma"]
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary_value, dtype=float)
    return p * (v + x * m) / (p * x + q - 1)


def credibility_spend(summary: pd.DataFrame) -> tuple[np.ndarray, dict]:
    """Spend per purchase shrunk to the population mean: the Bühlmann–Straub credibility estimator.

    Bühlmann & Straub (1970); Bühlmann & Gisler (2005), *A Course in Credibility
    Theory*, sec. 4.3–4.8. Over the n repeat buyers (x_i ≥ 1 repeat days of mean m̄_i and
    population SD s_i), with X = Σ x_i:

    - μ = Σ x_i m̄_i / X, the population mean spend per purchase day;
    - σ² = Σ x_i s_i² / Σ (x_i − 1), the variance of a day's spend around the
      customer's own mean (within customers);
    - τ² = max(0, (Σ x_i (m̄_i − μ)² − (n − 1) σ²) / (X − Σ x_i² / X)), the variance
      of the customers' own means (between customers);
    - credibility Z_i = x_i / (x_i + σ²/τ²); expected spend = Z_i m̄_i + (1 − Z_i) μ.

    Z = 0 (everyone gets μ) when τ² = 0 or σ² cannot be estimated (no customer with two
    repeat days); Z = 1 when σ² = 0 < τ². The Gamma–Gamma conditional expectation
    has the same form with Z = px / (px + q − 1); this is its distribution-free analogue.

    Returns
    -------
    expected : numpy.ndarray
        Expected spend per purchase day for every row of ``summary`` (μ for x = 0).
    params : dict
        ``population_mean`` (μ), ``within_variance`` (σ²), ``between_variance`` (τ²)
        and ``k`` (σ²/τ², ``None`` when Z is 0 or 1 by the rules above).
    """
    x = summary["frequency"].to_numpy(dtype=float)
    m, s = summary["monetary_value"].to_numpy(dtype=float), summary["monetary_sd"].to_numpy(dtype=float)
    rep = x >= 1
    xs, ms, ss = x[rep], m[rep], s[rep]
    total = xs.sum()
    mu = float((xs * ms).sum() / total)
    dof = (xs - 1).sum()
    sigma2 = float((xs * ss**2).sum() / dof) if dof > 0 else float("nan")
    denom = total - (xs**2).sum() / total
    tau2 = float(max(0.0, ((xs * (ms - mu) ** 2).sum() - (len(xs) - 1) * sigma2) / denom)) if denom > 0 and dof > 0 else 0.0
    if tau2 == 0:
        z, k = np.zeros_like(x), None
    elif sigma2 == 0:
        z, k = (x >= 1).astype(float), None
    else:
        k = sigma2 / tau2
        z = x / (x + k)
    params = {"population_mean": mu, "within_variance": sigma2 if np.isfinite(sigma2) else None,
              "between_variance": tau2, "k": k}
    return z * m + (1 - z) * mu, params


# --- Fitting --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelFit:
    """One maximum-likelihood fit: parameters (original units) or the reason there are none."""

    model: str
    params: dict | None
    reason: str = ""
    at_bound: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.params is not None


def _maximise(neg_loglik, starts: list[np.ndarray], penalizer: float) -> tuple[np.ndarray | None, str]:
    """Minimise a mean negative log-likelihood over log-parameters from several starts (L-BFGS-B).

    The parameters are positive, so the optimiser works on their logarithms, bounded
    to ±:data:`LOG_BOUND`; ``penalizer`` adds penalizer × Σ (log θ)², a ridge towards
    θ = 1 on the scaled data (0 = plain maximum likelihood). The best converged start
    is kept. An estimate may sit at a bound: the likelihood then rises towards a
    limit of the model (for BG/NBD a → 0 or b → ∞ is "nobody drops out", r, α → ∞
    "everyone buys at the same rate"; for Gamma–Gamma q → ∞ "every customer has the
    same mean spend"), which the bounded estimate approximates; it is kept and named.

    Returns
    -------
    theta : numpy.ndarray or None
        The log-parameters, ``None`` when no start converged.
    reason : str
        Why there is no estimate, or an empty string.
    """
    def objective(theta: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            value = neg_loglik(np.exp(theta)) + penalizer * float(theta @ theta)
        return value if np.isfinite(value) else 1e300

    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(starts[0])
    results = [optimize.minimize(objective, start, method="L-BFGS-B", bounds=bounds) for start in starts]
    converged = [res for res in results if res.success and res.fun < 1e300]
    if not converged:
        return None, "the optimiser did not converge from any starting value"
    return min(converged, key=lambda res: res.fun).x, ""


def _at_bound(names: tuple, theta: np.ndarray) -> list[str]:
    """The parameters whose estimate sits at the edge of their range (see :func:`_maximise`)."""
    return [name for name, value in zip(names, theta) if abs(value) >= LOG_BOUND - 1e-3]


def fit_bgnbd(summary: pd.DataFrame, penalizer: float = 0.0) -> ModelFit:
    """Fit BG/NBD by maximum likelihood to a per-day frequency/recency/T summary (weeks).

    Time is divided by the mean T before fitting, so that the scale parameter α is of
    order one whatever the time unit and span (the shape parameters r, a, b do not
    depend on the time unit); α is multiplied back afterwards. Starting values: all
    ones (lifetimes' choice on its own scaled time), and r = 1 with α matched to the
    mean purchase rate. The fit is refused (``params`` None, with the reason) when no
    customer has a repeat purchase day, the optimiser does not converge from either
    start, or P(alive) or the expected purchases of the next 52 weeks are not finite
    (or negative).
    """
    if not (summary["frequency"] > 0).any():
        return ModelFit("BG/NBD", None, "no customer has a second purchase day")
    # customers with the same (x, t_x, T) share a likelihood term: each pattern is evaluated once, weighted
    # by its customers (whole days make patterns repeat, so this is much faster on large profiles)
    patterns = summary.groupby(["frequency", "recency", "T"]).size().reset_index(name="customers")
    weights = patterns["customers"].to_numpy(dtype=float)
    scale = float(summary["T"].mean()) or 1.0
    x = patterns["frequency"].to_numpy(dtype=float)
    t_x, T = patterns["recency"].to_numpy() / scale, patterns["T"].to_numpy() / scale
    names = ("r", "alpha", "a", "b")

    def neg_loglik(theta: np.ndarray) -> float:
        loglik = bgnbd_log_likelihood(dict(zip(names, theta)), x, t_x, T)
        return -float(weights @ loglik / weights.sum())

    rate = max(weights @ x / max(weights @ T, 1e-9), 1e-3)
    starts = [np.zeros(4), np.log([1.0, 1.0 / rate, 1.0, 3.0])]
    theta, reason = _maximise(neg_loglik, starts, penalizer)
    if theta is None:
        return ModelFit("BG/NBD", None, reason)
    params = dict(zip(names, np.exp(theta).tolist()))
    params["alpha"] *= scale
    with np.errstate(all="ignore"):
        alive = p_alive(params, x, patterns["recency"], patterns["T"])
        year = expected_purchases(params, 52.0, x, patterns["recency"], patterns["T"])
    if not (np.isfinite(alive).all() and np.isfinite(year).all() and (year >= -1e-9).all()):
        return ModelFit("BG/NBD", None, "its predictions are not finite or are negative on these data")
    return ModelFit("BG/NBD", params, "", _at_bound(names, theta))


def fit_gamma_gamma(summary: pd.DataFrame, penalizer: float = 0.0) -> ModelFit:
    """Fit Gamma–Gamma by maximum likelihood to the repeat buyers (x ≥ 1, m̄ > 0).

    Spend is divided by its mean before fitting: the likelihood then has γ of order
    one whatever the currency (p and q do not depend on the unit of money), which is
    what lets the optimiser converge on prices in the hundreds where an unscaled fit
    starting at γ = 1 does not; γ is multiplied back afterwards. Starting values: the
    published CDNOW shape (p = 6, q = 4) and p = q = 2, with γ matching the mean spend
    (pγ/(q − 1) = 1 on the scaled data). Refused, with the reason, when there are fewer
    than 2 repeat buyers, the optimiser does not converge from either start, or q ≤ 1
    (the mean spend of the population would be infinite).
    """
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 2:
        return ModelFit("Gamma–Gamma", None, "fewer than 2 customers have a repeat purchase day")
    x = repeat["frequency"].to_numpy(dtype=float)
    scale = float(repeat["monetary_value"].mean())
    m = repeat["monetary_value"].to_numpy(dtype=float) / scale
    names = ("p", "q", "gamma")

    def neg_loglik(theta: np.ndarray) -> float:
        return -float(gamma_gamma_log_likelihood(dict(zip(names, theta)), x, m).mean())

    starts = [np.log([6.0, 4.0, 0.5]), np.log([2.0, 2.0, 0.5])]
    theta, reason = _maximise(neg_loglik, starts, penalizer)
    if theta is None:
        return ModelFit("Gamma–Gamma", None, reason)
    params = dict(zip(names, np.exp(theta).tolist()))
    if params["q"] <= 1:
        return ModelFit("Gamma–Gamma", None, f"q = {params['q']:.2f} ≤ 1: the population's mean spend is infinite")
    params["gamma"] *= scale
    return ModelFit("Gamma–Gamma", params, "", _at_bound(names, theta))


def spend_frequency_check(summary: pd.DataFrame) -> dict:
    """The Gamma–Gamma independence check: Pearson correlation of x and m̄ among repeat buyers.

    Fader & Hardie (2013, note 025, sec. 2) check the model's assumption that spend per
    purchase is independent of purchase frequency by this correlation (0.11 on
    CDNOW). ``material`` is true when |r| ≥ :data:`INDEPENDENCE_MAX_R` and the p-value
    (``scipy.stats.pearsonr``, two-sided) is below :data:`INDEPENDENCE_ALPHA`: then
    the expected spend of frequent buyers is biased in the direction of r.

    Returns
    -------
    dict
        ``repeat_buyers``, ``pearson_r``, ``p_value`` (``None`` when fewer than 3 repeat
        buyers or either variable is constant) and ``material``.
    """
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    x, m = repeat["frequency"].to_numpy(dtype=float), repeat["monetary_value"].to_numpy(dtype=float)
    if len(repeat) < 3 or np.ptp(x) == 0 or np.ptp(m) == 0:
        return {"repeat_buyers": len(repeat), "pearson_r": None, "p_value": None, "material": False}
    result = stats.pearsonr(x, m)
    r, p = float(result.statistic), float(result.pvalue)
    return {"repeat_buyers": len(repeat), "pearson_r": round(r, 4), "p_value": p,
            "material": bool(abs(r) >= INDEPENDENCE_MAX_R and p < INDEPENDENCE_ALPHA)}
