"""The results dict as plain tables (pandas), for the CSV and Excel downloads."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pandas as pd

from hospital_twin.charts import km_cards, rcpath_verdicts, tat_cards


def _at(values: Any, i: int) -> Any:
    return None if values is None else values[i]


def _bars(data: dict, label: str, value: str) -> pd.DataFrame:
    return pd.DataFrame({label: list(data["x"]), value: list(data["y"]),
                         "ci_low": [_at(data.get("ymin"), i) for i in range(len(data["x"]))],
                         "ci_high": [_at(data.get("ymax"), i) for i in range(len(data["x"]))]})


def _series(data: dict, label: str, x_name: str, value: str) -> pd.DataFrame:
    rows = []
    for j, name in enumerate(data["labels"]):
        low, high = _at(data.get("ymin"), j), _at(data.get("ymax"), j)
        for i, x in enumerate(data["x"]):
            rows.append({label: name, x_name: x, value: data["y"][j][i],
                         "ci_low": _at(low, i), "ci_high": _at(high, i)})
    return pd.DataFrame(rows)


def kpi_table(results: dict) -> pd.DataFrame:
    """Headline numbers: TATs (hours) and RCPath shares with CIs, targets and verdicts."""
    rows = [{"measure": c["label"], "unit": "hours", "mean": c["mean"], "ci_low": c["low"],
             "ci_high": c["high"], "target": None, "verdict": None} for c in tat_cards(results)]
    rows += [{"measure": v["measure"], "unit": "share", "mean": v["share"], "ci_low": v["low"],
              "ci_high": v["high"], "target": v["target"], "verdict": v["verdict"]}
             for v in rcpath_verdicts(results)]
    return pd.DataFrame(rows)


def strain_tables(results: dict) -> dict[str, pd.DataFrame]:
    """Stability, Kaplan–Meier TAT and machine-time split (empty for older results)."""
    tables: dict[str, pd.DataFrame] = {}
    stab = results.get("stability")
    if stab:
        growth = stab.get("wip_growth_per_week") or {}
        tables["stability"] = pd.DataFrame([{
            "verdict": stab.get("verdict"), "wip_growth_per_week": growth.get("mean"),
            "ci_low": growth.get("min"), "ci_high": growth.get("max"),
            "weeks_used": stab.get("weeks_used"), "message": stab.get("message")}])
    if results.get("tat_km"):
        rows = [{"measure": c["label"], "unit": "hours", "mean": c["mean"], "ci_low": c["low"],
                 "ci_high": c["high"], "target": None, "verdict": None}
                for c in km_cards(results)]
        rows += [{"measure": v["measure"], "unit": "share", "mean": v["share"],
                  "ci_low": v["low"], "ci_high": v["high"], "target": v["target"],
                  "verdict": v["verdict"]} for v in rcpath_verdicts(results, km=True)]
        tables["tat_kaplan_meier"] = pd.DataFrame(rows)
    if results.get("machine_time"):
        tables["machine_time"] = pd.DataFrame([
            {"machine": m, "part": part, "share": est["mean"], "ci_low": est["min"],
             "ci_high": est["max"]}
            for m, parts in results["machine_time"].items() for part, est in parts.items()])
    return tables


def results_tables(results: dict) -> dict[str, pd.DataFrame]:
    """Every table of a results dict, by a short name usable as a file or sheet name."""
    alloc = [{"resource": name, "hour": x, "units": y}
             for name, data in results["resource_allocation"].items()
             for x, y in zip(data["x"], data["y"], strict=False)]
    tables = {
        "kpis": kpi_table(results),
        "tat_by_stage_hours": _bars(results["tat_by_stage"], "stage", "mean_hours"),
        "utilisation": _bars(results["utilization_by_resource"], "resource", "utilisation"),
        "queue_length": _bars(results["q_length_by_resource"], "resource", "mean_queue"),
        "hourly_utilisation": _series(results["hourly_utilization_by_resource"], "resource",
                                      "hour", "utilisation"),
        "wip_by_stage": _series(results["wip_by_stage"], "stage", "hour", "specimens"),
        "resource_allocation": pd.DataFrame(alloc),
        "tat_histogram_days": _bars(results["tat_histogram"], "days", "share"),
    }
    if results.get("lab_tat_histogram"):
        tables["lab_tat_histogram_days"] = _bars(results["lab_tat_histogram"], "days", "share")
    return tables | strain_tables(results)


def safe_name(text: str) -> str:
    """``text`` reduced to a file-name-safe slug."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "scenario"


def csv_zip(tables: dict[str, pd.DataFrame]) -> bytes:
    """A zip archive with one CSV file per table."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, table in tables.items():
            zf.writestr(f"{name}.csv", table.to_csv(index=False))
    return buf.getvalue()


def excel_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per table."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
    return buf.getvalue()
