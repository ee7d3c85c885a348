"""Tick labels never overlap, whatever the length of segment, quadrant, persona and product-line names (en, ru)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from segkit_helpers.monitoring.migration import LOST, NEW, QUADRANT_ORDER  # noqa: E402
from segkit_helpers.report import i18n  # noqa: E402
from segkit_helpers.report.figures import deploy, hypothesis, monitor, research, test  # noqa: E402

LONG_SEGMENTS = ["Lapsed low-value occasional buyers", "Profitable loyal wholesale customers",
                 "New customers with one large order", "Seasonal gift buyers (December only)",
                 "Cautious buyers of individual terms", "Dormant accounts awaiting reactivation"]
LONG_FEATURES = ["recency_days_since_last_order", "frequency_of_orders_per_year", "monetary_net_revenue_log",
                 "average_basket_value_log", "share_of_returned_lines", "tenure_in_months_since_first",
                 "distinct_product_lines", "share_of_orders_in_december"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(autouse=True, params=["en", "ru"])
def report_language(request):
    """Every figure in English and in Russian (longer quadrant names and axis labels)."""
    with i18n.language(request.param):
        yield request.param


def overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty tick labels of the figure whose drawn extents overlap."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for t in axis.get_ticklabels() if t.get_visible() and t.get_text().strip()]
    assert boxes, "no tick labels drawn"
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]


#: Counts of the sample's second cycle (rows: quadrant before, columns: now): seaborn's own check
#: of overlapping labels does not turn these.
COUNTS = [[824, 187, 46, 8, 0], [280, 436, 31, 7, 0], [73, 2, 194, 126, 0], [68, 10, 125, 296, 1],
          [460, 587, 230, 327, 0]]


def matrix(rows: list[str], columns: list[str]) -> pd.DataFrame:
    """A migration matrix shaped like :func:`segkit_helpers.monitoring.migration.quadrant_migration`'s."""
    values = np.resize(np.array(COUNTS), (len(rows), len(columns)))
    return pd.DataFrame(values, index=pd.Index(rows, dtype="string", name="previous"),
                        columns=pd.Index(columns, dtype="string", name="current"))


def test_quadrant_migration_heat_map():
    ax = monitor.plot_migration(matrix(QUADRANT_ORDER + [NEW], QUADRANT_ORDER + [LOST]), of="quadrant")
    assert overlaps(ax.figure) == []


def test_segment_migration_heat_map_with_long_names():
    ax = monitor.plot_migration(matrix(LONG_SEGMENTS + [NEW], LONG_SEGMENTS + [LOST]))
    assert overlaps(ax.figure) == []


def test_segment_profiles_with_long_persona_and_feature_names():
    z = pd.DataFrame(np.random.default_rng(1).normal(size=(6, 8)), index=range(1, 7), columns=LONG_FEATURES)
    personas = [{"segment": s, "name": name} for s, name in zip(z.index, LONG_SEGMENTS)]
    assert overlaps(hypothesis.plot_segment_profiles(z, personas).figure) == []


def test_cross_sell_with_long_product_lines():
    lines = ["home_decoration_and_seasonal_gifts", "kitchen_and_dining_accessories", "bags_storage_and_travel",
             "party_supplies_and_paper_goods", "garden_and_outdoor_living", "children_toys_and_games"]
    table = pd.DataFrame([(s, line, 0.1 * s, 100.0 * s) for s in range(1, 7) for line in lines],
                         columns=["segment", "product_line", "penetration", "expected_value"])
    personas = [{"segment": s, "name": name} for s, name in zip(range(1, 7), LONG_SEGMENTS)]
    assert overlaps(hypothesis.plot_cross_sell(table, personas).figure) == []


def test_uplift_with_long_segment_names():
    table = pd.DataFrame({"segment_name": LONG_SEGMENTS + ["all customers"], "uplift": np.linspace(-0.02, 0.08, 7),
                          "ci_low": np.linspace(-0.05, 0.05, 7), "ci_high": np.linspace(0.01, 0.11, 7),
                          "significant": [True, False] * 3 + [True]}, index=pd.Index([*range(1, 7), "all"]))
    assert overlaps(test.plot_uplift(table, "converted").figure) == []


def test_rfm_segments_with_long_names():
    summary = pd.DataFrame({"customer_share": np.full(6, 1 / 6), "revenue_share": np.linspace(0.05, 0.3, 6)},
                           index=pd.Index(LONG_SEGMENTS, name="rfm_segment"))
    assert overlaps(research.plot_rfm_segments(summary).figure) == []


def test_resources_against_value_with_many_segments():
    table = pd.DataFrame({"profit_per_customer": np.linspace(-50, 900, 12), "service_cost": np.linspace(5, 300, 12),
                          "service_model": ["key account management", "inside sales team", "mass / digital"] * 4},
                         index=pd.Index(range(1, 13), name="segment"))
    assert overlaps(deploy.plot_resources_vs_value(table).figure) == []


def test_feature_by_segment_with_many_segments():
    rng = np.random.default_rng(2)
    profile = pd.DataFrame({"monetary": rng.lognormal(6, 1, 600)})
    segments = pd.Series(np.repeat(range(1, 13), 50))
    assert overlaps(test.plot_feature_by_segment(profile, segments, "monetary").figure) == []
