"""Where the order lines are aggregated: DuckDB (embedded), Apache Spark, or the source database itself."""
