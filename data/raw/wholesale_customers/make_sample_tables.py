"""Derive the firmographic sample's input tables from the UCI Wholesale customers file.

The source gives, per client, the channel, the region and the annual spend on six product
families, with no client id and no order lines. segkit reads it as:

- ``customers.csv``: ``customer_id`` ("W001" … by row order), ``channel`` (Horeca /
  Retail), ``region`` (Lisbon / Oporto / Other) and the six annual spend amounts — the
  attributes the firmographic scheme segments on;
- ``lines.csv``: one order line per client and product family with a positive spend
  (``amount`` = the annual spend, ``category`` = the family), all dated 2014-12-31, the
  end of the year the spend covers. Recency and frequency carry no information in this
  sample (one "order" per client), so the firmographic cycle switches the CLV fit off.

Run from the project root: ``python data/raw/wholesale_customers/make_sample_tables.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
FAMILIES = ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"]


def main() -> None:
    raw = pd.read_csv(HERE / "wholesale_customers.csv")
    customers = pd.DataFrame({
        "customer_id": [f"W{i + 1:03d}" for i in range(len(raw))],
        "channel": raw["Channel"].map({1: "Horeca", 2: "Retail"}),
        "region": raw["Region"].map({1: "Lisbon", 2: "Oporto", 3: "Other"}),
    })
    customers = pd.concat([customers, raw[FAMILIES]], axis=1)
    lines = customers.melt(id_vars="customer_id", value_vars=FAMILIES, var_name="category", value_name="amount")
    lines = lines[lines["amount"] > 0].sort_values(["customer_id", "category"], kind="stable")
    lines.insert(1, "order_date", "2014-12-31")
    customers.to_csv(HERE / "customers.csv", index=False, lineterminator="\n")
    lines.to_csv(HERE / "lines.csv", index=False, lineterminator="\n")
    print(f"wrote {len(customers)} customers and {len(lines)} lines to {HERE}")


if __name__ == "__main__":
    main()
