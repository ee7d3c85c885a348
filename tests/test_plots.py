"""Unit tests of segkit_helpers.report.figures: every figure is titled and labelled and shows its data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from segkit_helpers.report.figures import deploy, hypothesis, monitor, research, test  # noqa: E402
from segkit_helpers.report.figures.base import caption_of  # noqa: E402
from segkit_helpers.schemes.common import embedding, segment_feature_z  # noqa: E402
from segkit_helpers.schemes.behavioural import FEATURES, SegmentModel  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def labelled(ax: Axes) -> None:
    assert ax.get_title().strip()
    assert ax.get_xlabel().strip()
    assert ax.get_ylabel().strip()


def has_caption(fig: Figure) -> None:
    """The figure has its caption (title and how to read it) and no text drawn under it any more."""
    found = caption_of(fig)
    assert found is not None and found.title.strip() and found.how_to_read.startswith("How to read: ")
    assert found.alt == f"{found.title.rstrip('.')}. {found.how_to_read}"
    assert not any("How to read" in t.get_text() for t in fig.texts)


@pytest.fixture(scope="module")
def profile() -> pd.DataFrame:
    """Three groups of 20 customers with all the profile columns the plots use."""
    rng = np.random.default_rng(0)
    parts = []
    for g, (r, f, m) in enumerate([(5, 30, 20000.0), (60, 5, 1500.0), (300, 1, 100.0)]):
        parts.append(pd.DataFrame({
            "recency_days": np.round(rng.lognormal(np.log(r + 1), 0.2, 20)),
            "frequency": np.maximum(1, np.round(rng.lognormal(np.log(f), 0.2, 20))),
            "monetary": np.round(rng.lognormal(np.log(m), 0.2, 20), 2),
            "value_loyalty_quadrant": ["profitable & loyal", "profitable & disloyal", "unprofitable & disloyal"][g],
        }))
    profile = pd.concat(parts, ignore_index=True)
    profile.insert(0, "customer_id", [f"{i:04d}" for i in range(len(profile))])
    return profile


@pytest.fixture(scope="module")
def model(profile) -> SegmentModel:
    return SegmentModel(n_segments=3, random_state=0).fit(profile)


def test_plot_distributions(profile):
    fig = research.plot_distributions(profile)
    assert isinstance(fig, Figure)
    assert fig.get_suptitle().strip()
    assert len(fig.axes) == 3
    for ax, feature in zip(fig.axes, FEATURES):
        labelled(ax)
        assert ax.get_title() == feature
        assert ax.get_xscale() == "log"
        # the histogram bars count every customer once
        assert sum(p.get_height() for p in ax.patches) == len(profile)
    has_caption(fig)


def test_plot_rfm_segments_bars_equal_shares():
    summary = pd.DataFrame(
        {"customer_share": [0.5, 0.3, 0.2], "revenue_share": [0.1, 0.6, 0.3]},
        index=pd.Index(["Lost", "Champions", "At risk"], name="rfm_segment"),
    )
    ax = research.plot_rfm_segments(summary)
    assert isinstance(ax, Axes)
    labelled(ax)
    # horizontal bars: one container per measure, bar length = share, in the summary's row order
    assert len(ax.containers) == 2
    np.testing.assert_allclose([bar.get_width() for bar in ax.containers[0]], [0.5, 0.3, 0.2])
    np.testing.assert_allclose([bar.get_width() for bar in ax.containers[1]], [0.1, 0.6, 0.3])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Lost", "Champions", "At risk"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["share of customers", "share of revenue"]
    has_caption(ax.figure)


def test_plot_rfm_segments_on_given_axes():
    fig, ax = plt.subplots()
    summary = pd.DataFrame({"customer_share": [1.0], "revenue_share": [1.0]},
                           index=pd.Index(["Champions"], name="rfm_segment"))
    assert research.plot_rfm_segments(summary, ax=ax) is ax


def test_plot_k_selection():
    k_table = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.5, 0.8, 0.4],
                            "calinski_harabasz": [100.0, 300.0, 200.0], "davies_bouldin": [0.9, 0.3, 0.7],
                            "stability": [0.9, 0.95, 0.6], "stability_sd": [0.05, 0.02, 0.1],
                            "recommended": [False, True, False]})
    fig = hypothesis.plot_k_selection(k_table)
    assert isinstance(fig, Figure)
    assert fig.get_suptitle().strip()
    assert len(fig.axes) == 4
    for ax, col in zip(fig.axes, ["stability", "silhouette", "calinski_harabasz", "davies_bouldin"]):
        labelled(ax)
        line, marker = ax.lines[0], ax.lines[1]
        np.testing.assert_allclose(line.get_xdata(), [2, 3, 4])
        np.testing.assert_allclose(line.get_ydata(), k_table[col])
        assert list(marker.get_xdata()) == [3, 3]  # the recommended k
    assert "recommended k = 3" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_plot_segment_profiles(profile, model):
    segments = pd.DataFrame({"segment": model.predict(profile)})
    cfg = {"segmentation": {"scheme": "behavioural", "features": None}}
    z = segment_feature_z(profile, segments, cfg)
    personas = [{"segment": s, "name": f"persona {s}"} for s in z.index]
    ax = hypothesis.plot_segment_profiles(z, personas)
    assert isinstance(ax, Axes)
    labelled(ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1 · persona 1", "2 · persona 2", "3 · persona 3"]
    # cells: centre minus the mean of all customers in SDs (log1p units); the top-value segment is
    # above average on monetary and below on recency
    cells = np.array([float(t.get_text()) for t in ax.texts]).reshape(3, 3)
    assert cells[0, 2] > 0 > cells[0, 0]
    has_caption(ax.figure)


def test_plot_segment_map(profile, model):
    segments = pd.Series(model.predict(profile))
    points = embedding(profile, {"segmentation": {"scheme": "behavioural"}}, FEATURES)
    ax = hypothesis.plot_segment_map(points, segments, seed=0, sample=45)
    assert isinstance(ax, Axes)
    labelled(ax)
    assert len(ax.collections[0].get_offsets()) == 45  # the sampled customers
    assert ax.get_legend().get_title().get_text() == "segment"


def test_plot_segment_map_of_one_feature(profile, model):
    segments = pd.Series(model.predict(profile))
    ax = hypothesis.plot_segment_map(profile[["frequency"]], segments, seed=0, sample=45)
    labelled(ax)
    assert ax.get_xlabel() == "frequency" and ax.get_ylabel() == "segment"
    assert sum(len(c.get_offsets()) for c in ax.collections) == 45  # every sampled customer, on its segment's row


def test_plot_quadrants_counts(profile):
    ax = research.plot_quadrants(profile)
    assert isinstance(ax, Axes)
    labelled(ax)
    texts = [t.get_text() for t in ax.texts]
    # rows profitable / unprofitable, columns loyal / disloyal; 20 customers in three of the cells
    assert texts[0].startswith("20 customers")  # profitable & loyal
    assert texts[1].startswith("20 customers")  # profitable & disloyal
    assert texts[2].startswith("0 customers")  # unprofitable & loyal
    assert texts[3].startswith("20 customers")  # unprofitable & disloyal
    assert texts[2].endswith("0% of revenue")


def test_plot_stability():
    stability = pd.Series([0.9, 0.95, 1.0, 0.85], name="ari")
    ax = test.plot_stability(stability, bar=0.75)
    assert isinstance(ax, Axes)
    labelled(ax)
    assert sum(p.get_height() for p in ax.patches) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["bar 0.75", "mean 0.93"]


def test_plot_feature_by_segment(profile, model):
    segments = pd.Series(model.predict(profile))
    ax = test.plot_feature_by_segment(profile, segments, "monetary")
    assert isinstance(ax, Axes)
    labelled(ax)
    assert ax.get_title() == "monetary by segment"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert ax.get_yscale() == "log"


def test_plot_migration_first_cycle():
    ax = monitor.plot_migration(None)
    assert isinstance(ax, Axes)
    labelled(ax)
    assert "First cycle" in ax.texts[0].get_text()


def test_plot_migration_counts():
    matrix = pd.DataFrame([[5, 1, 0], [2, 7, 1], [3, 0, 0]],
                          index=pd.Index(["1", "2", "new customer"], name="previous segment"),
                          columns=pd.Index(["1", "2", "lost customer"], name="current segment"))
    ax = monitor.plot_migration(matrix)
    labelled(ax)
    assert [t.get_text() for t in ax.texts] == ["5", "1", "0", "2", "7", "1", "3", "0", "0"]


def test_plot_resources_vs_value_bar_heights():
    table = pd.DataFrame({"profit_per_customer": [120.0, 15.0, -3.0],
                          "service_model": ["key account", "inside sales", "key account"]},
                         index=pd.Index([1, 2, 3], name="segment"))
    ax = deploy.plot_resources_vs_value(table)
    assert isinstance(ax, Axes)
    labelled(ax)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["1", "2", "3"]
    # one bar per segment, at its tick, as tall as its profit per customer
    heights = {ticks[round(bar.get_x() + bar.get_width() / 2)]: bar.get_height()
               for container in ax.containers for bar in container}
    assert heights == {"1": 120.0, "2": 15.0, "3": -3.0}
    assert len(ax.containers) == 2  # one colour per service model
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["key account", "inside sales"]
    has_caption(ax.figure)


def test_plot_rf_heatmap_counts_customers_per_cell():
    profile = pd.DataFrame({"customer_id": list("abcd"), "r_score": [5, 5, 1, 1], "f_score": [5, 5, 1, 2],
                            "monetary": [100.0, 300.0, 10.0, 20.0]})
    ax = research.plot_rf_heatmap(profile)
    labelled(ax)
    has_caption(ax.figure)
    # cells (r5, f5) has 2 customers, (r1, f1) and (r1, f2) one each; the other cells are empty
    assert sorted(t.get_text() for t in ax.texts if t.get_text()) == ["1", "1", "2"]
    # rows top to bottom: recency score 5 first
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5", "1"]


def test_plot_pareto_curve_ends_at_one():
    profile = pd.DataFrame({"monetary": [50.0, 30.0, 10.0, 6.0, 4.0], "abc_class": ["A", "A", "B", "B", "C"]})
    ax = research.plot_pareto(profile)
    labelled(ax)
    has_caption(ax.figure)
    x, y = ax.lines[0].get_data()
    # largest first: cumulative 0.5, 0.8, 0.9, 0.96, 1.0 over 0.2, 0.4, ... 1.0 of customers
    assert list(np.round(y, 2)) == [0.5, 0.8, 0.9, 0.96, 1.0]
    assert list(np.round(x, 2)) == [0.2, 0.4, 0.6, 0.8, 1.0]


def test_plot_holdout_bars_and_disabled_panel():
    table = pd.DataFrame({"customers": [10, 5], "actual": [0.5, 1.5], "predicted": [0.4, 1.2]},
                         index=pd.Index(["0", "1"], name="repeat orders in calibration"))
    ax = research.plot_holdout(table)
    labelled(ax)
    has_caption(ax.figure)
    heights = sorted(round(p.get_height(), 2) for p in ax.patches if p.get_height() > 0)
    assert heights == [0.4, 0.5, 1.2, 1.5]
    empty = research.plot_holdout(None)
    assert "No holdout check" in " ".join(t.get_text() for t in empty.texts)


def test_plot_membership_counts_every_customer():
    segments = pd.DataFrame({"membership": [0.95, 0.9, 0.55, 0.4], "secondary_segment": [None, None, 2, 1]})
    ax = hypothesis.plot_membership(segments)
    labelled(ax)
    has_caption(ax.figure)
    assert sum(p.get_height() for p in ax.patches) == 4
    assert "50% are hybrids" in ax.get_title()


def test_plot_cross_sell_annotates_penetration_and_value():
    table = pd.DataFrame({"segment": [1, 1, 2, 2], "product_line": ["bags_storage", "garden"] * 2,
                          "penetration": [0.5, 1.0, 0.25, 0.0], "expected_value": [120.0, 0.0, 30.0, 0.0]})
    ax = hypothesis.plot_cross_sell(table, [{"segment": 1, "name": "Gift buyers"}])
    labelled(ax)
    has_caption(ax.figure)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["bags storage", "garden"]
    assert [t.get_text() for t in ax.texts] == ["50%\n+120", "100%\n", "25%\n+30", "0%\n"]
    empty = hypothesis.plot_cross_sell(pd.DataFrame(columns=table.columns))
    assert "no product lines" in empty.texts[0].get_text()


def test_plot_uplift_forest():
    table = pd.DataFrame({"segment_name": ["Gold", "Rest", "all customers"], "uplift": [0.08, 0.0, 0.03],
                          "ci_low": [0.05, -0.02, 0.02], "ci_high": [0.11, 0.02, 0.04],
                          "significant": [True, False, True]}, index=pd.Index([1, 2, "all"], name="segment"))
    ax = test.plot_uplift(table, "converted")
    labelled(ax)
    has_caption(ax.figure)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["all customers", "segment 2 · Rest", "segment 1 · Gold"]
    np.testing.assert_allclose(ax.collections[1].get_offsets()[:, 0], [3.0, 0.0, 8.0])  # points, bottom to top
    assert "no experiment" in test.plot_uplift(table.iloc[:0]).texts[0].get_text()


def test_plot_flows_bands_and_goal():
    m = pd.DataFrame([[8, 2, 1], [3, 5, 0], [4, 1, 0]], index=["profitable & loyal", "unprofitable & loyal",
                     "new customer"], columns=["profitable & loyal", "unprofitable & loyal", "lost customer"])
    ax = monitor.plot_flows(m, of="quadrant", goal="profitable & loyal")
    labelled(ax)
    has_caption(ax.figure)
    bands = [p for p in ax.patches if type(p).__name__ == "PathPatch"]
    assert len(bands) == 7  # one band per non-zero cell
    green = [p for p in bands if p.get_facecolor()[:3] == pytest.approx((0.1725, 0.6275, 0.1725), abs=1e-3)]
    assert len(green) == 2  # unprofitable & loyal -> gold, new -> gold
    labels = [t.get_text() for t in ax.texts]
    assert "new customer (5)" in labels and "lost customer (1)" in labels
    assert "first cycle" in monitor.plot_flows(None).texts[0].get_text()


def test_plot_history_two_panels():
    history = pd.DataFrame({"cycle": ["a", "a", "b", "b"], "segment": [1, 2, 1, 2], "name": ["Gold", "Rest"] * 2,
                            "customer_share": [0.4, 0.6, 0.5, 0.5], "revenue_share": [0.7, 0.3, 0.8, 0.2]})
    fig = monitor.plot_history(history)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        labelled(ax)
    has_caption(fig)
    assert fig.axes[0].lines[0].get_ydata().tolist() == [40.0, 50.0]
    one = monitor.plot_history(history[history["cycle"] == "a"])
    assert "only one cycle" in caption_of(one).how_to_read
