"""KPIs of simulated replications and the results JSON (spec section 8, 11.C18-C24).

``ReplicationOutput`` → :func:`replication_kpis` (one replication) → :func:`build_results`
(N replications: means and 95 % t-intervals, the results JSON) → :func:`validate_results`;
:func:`compare_results` pairs two scenarios' replications. Replication jobs hand in
:func:`kpis_to_json` text, merged by :func:`results_from_kpis`.
"""

from hospital_twin.kpis.aggregate import Estimate, aggregate_tree, mean_ci, mean_ci_rows
from hospital_twin.kpis.compare import compare_replications, compare_results, paired_difference
from hospital_twin.kpis.kpis_json import kpis_from_json, kpis_to_json
from hospital_twin.kpis.replication import replication_kpis
from hospital_twin.kpis.report import build_results, results_from_kpis
from hospital_twin.kpis.schema import load_schema, validate_results

__all__ = [
    "Estimate",
    "aggregate_tree",
    "build_results",
    "compare_replications",
    "compare_results",
    "kpis_from_json",
    "kpis_to_json",
    "load_schema",
    "mean_ci",
    "mean_ci_rows",
    "paired_difference",
    "replication_kpis",
    "results_from_kpis",
    "validate_results",
]
