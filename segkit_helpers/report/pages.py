"""The cycle's pages (:data:`PAGES`); the pages themselves: :mod:`segkit_helpers.report.notebook_page`, the index:
:mod:`segkit_helpers.report.index`."""

from __future__ import annotations

from segkit_helpers.report.i18n import N_

#: The notebooks of a cycle, in order: file stem → (title, what it is for), in English (:mod:`~segkit_helpers.report.i18n` translates).
PAGES = {
    "00_readiness": (N_("Readiness"), N_("the five questions, data checks and the go/no-go verdict")),
    "01_research": (N_("Research"), N_("cleaning, RFM and the customer profile")),
    "02_hypothesis": (N_("Hypothesis"), N_("number of segments, segment profiles and persona drafts")),
    "03_test": (N_("Test"), N_("stability, separation and differences between segments")),
    "04_monitor": (N_("Monitor"), N_("what changed since the previous cycle")),
    "05_deploy": (N_("Deploy"), N_("service models, playbook actions and the CRM export")),
}
