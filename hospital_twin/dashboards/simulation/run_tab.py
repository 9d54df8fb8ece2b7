"""Run tab: pick a starting configuration, edit it, validate, download and submit it."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from hospital_twin.config import ConfigError, LabConfig, default_config, read_workbook
from hospital_twin.dashboards.simulation._ui import (
    MessageBox,
    button,
    download_html,
    esc,
    guarded,
)
from hospital_twin.dashboards.simulation.backend import Backend
from hospital_twin.dashboards.simulation.calendar_edit import CalendarEdit

DEFAULT, UPLOAD, PREVIOUS = "Bundled default", "Uploaded workbook(s)", "Previous scenario"
UNIT_HOURS = {"weeks": 168.0, "days": 24.0, "hours": 1.0}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_LABEL = {"description_width": "260px"}
_NARROW = w.Layout(width="380px")


def peak_units(config: LabConfig) -> dict[str, int]:
    """Each resource's largest number of units in any half hour of its roster."""
    return {name: max(r.half_hour_units) for name, r in config.resources.items()}


def edited_config(base: LabConfig, *, units: dict[str, int] | None = None,
                  demand_percent: float = 100.0,
                  batch_sizes: dict[str, int] | None = None) -> LabConfig:
    """``base`` with resources rescaled to ``units`` at their peak, arrivals scaled by
    ``demand_percent`` and batch sizes replaced; validated (ConfigError if invalid)."""
    from pydantic import ValidationError

    from hospital_twin.config.workbook import problems_from_validation_error
    from hospital_twin.errors import ConfigProblem

    problems: list[ConfigProblem] = []
    data = base.model_dump(mode="json")
    peaks = peak_units(base)
    for name, wanted in (units or {}).items():
        if wanted == peaks[name]:
            continue
        if peaks[name] == 0:
            problems.append(ConfigProblem(
                f"has no rostered hours to scale; set its roster in a workbook instead "
                f"(asked for {wanted})", row=name, column="staff / machines"))
            continue
        data["resources"][name] = base.resources[name].scaled(wanted / peaks[name]).model_dump()
    if demand_percent < 0:
        problems.append(ConfigProblem(f"must be 0 or more, got {demand_percent:g}",
                                      column="demand (% of the workbook's arrivals)"))
    factor = demand_percent / 100
    data["arrivals"] = {k: [v * factor for v in vals] for k, vals in data["arrivals"].items()}
    data["batch_sizes"].update(batch_sizes or {})
    try:
        config = LabConfig.model_validate(data)
    except ValidationError as exc:
        problems += problems_from_validation_error(exc)
        config = None
    if problems or config is None:
        raise ConfigError(problems, source="edited scenario")
    return config


class RunTab:
    """Start from the default, uploads or a previous scenario; edit; check; submit."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.on_submitted: Callable[[Any], None] | None = None
        self.bases: list[tuple[str, LabConfig]] = []
        self.message = MessageBox()
        self.problems = w.HTML()
        self.problems.add_class("ht-problems")
        self.warnings = w.HTML()
        self.warnings.add_class("ht-warnings")
        self.download = w.HTML()
        guard = guarded(self.message)

        self.source = w.ToggleButtons(options=[DEFAULT, UPLOAD, PREVIOUS], value=DEFAULT,
                                      description="Start from",
                                      style={"button_width": "170px"})
        self.upload = w.FileUpload(accept=".xlsx,.xlsm", multiple=True, icon="",
                                   description="Choose .xlsx workbook(s)",
                                   layout=w.Layout(width="260px"))
        self.previous = w.Dropdown(description="Scenario", options=[],
                                   layout=w.Layout(width="420px"))
        self.load_previous = button("Load scenario")
        self.source_box = w.HBox()
        self.source.observe(guard(lambda _: self._source_changed()), "value")
        self.upload.observe(guard(lambda _: self._uploaded()), "value")
        self.load_previous.on_click(guard(lambda _: self._load_previous()))

        self.name = w.Text(description="Scenario name", placeholder="e.g. two extra BMS",
                           style=_LABEL, layout=w.Layout(width="520px"))
        self.length = w.BoundedFloatText(description="Run length", value=4, min=0.01,
                                         max=1e6, style=_LABEL, layout=_NARROW)
        self.length_unit = w.Dropdown(options=list(UNIT_HOURS), value="weeks",
                                      layout=w.Layout(width="100px"))
        self.warmup = w.BoundedFloatText(description="Warm-up (hours, not counted)", value=0,
                                         min=0, max=1e7, style=_LABEL, layout=_NARROW)
        self.reps = w.BoundedIntText(description="Replications", value=5, min=1, max=10_000,
                                     style=_LABEL, layout=_NARROW)
        self.seed = w.BoundedIntText(description="Random seed", value=0, min=0,
                                     max=2**31 - 1, style=_LABEL, layout=_NARROW)
        self.new_seed = button("New random seed")
        self.new_seed.on_click(guard(lambda _: self._new_seed()))
        self.demand = w.BoundedFloatText(description="Demand (% of workbook arrivals)",
                                         value=100, min=0, max=1000, step=5, style=_LABEL,
                                         layout=_NARROW)
        self.units: dict[str, w.BoundedIntText] = {}
        self.batches: dict[str, w.BoundedIntText] = {}
        self.units_box = w.GridBox(layout=w.Layout(grid_template_columns="repeat(2, 400px)"))
        self.batches_box = w.GridBox(layout=w.Layout(grid_template_columns="repeat(2, 480px)"))
        for widget, role in ((self.name, "name"), (self.length, "length"),
                             (self.length_unit, "length-unit"), (self.warmup, "warmup"),
                             (self.reps, "reps"), (self.seed, "seed"),
                             (self.demand, "demand"), (self.previous, "previous"),
                             (self.units_box, "units"), (self.batches_box, "batches")):
            widget.add_class(f"ht-{role}")
        self.calendar_edit = CalendarEdit()
        self.calendar_note = w.HTML()
        self.edits = w.Accordion(children=[
            w.VBox([w.HTML("<p>Peak staff or machines per resource; the whole weekly "
                           "roster is scaled to match (rounded per half hour).</p>"),
                    self.units_box]),
            w.VBox([self.demand]),
            w.VBox([w.HTML("<p>Items per batch (blocks, slides or specimens).</p>"),
                    self.batches_box]),
            self.calendar_edit.widget,
        ], titles=("Staff and machines", "Demand", "Batch sizes", "Calendar"))
        self.edit_note = w.HTML()
        self.edits.observe(guard(lambda _: self._build_edit_widgets()), "selected_index")

        self.check_button = button("Check scenario")
        self.download_button = button("Download as workbook")
        self.submit_button = button("Submit", "success")
        self.check_button.on_click(guard(lambda _: self.check()))
        self.download_button.on_click(guard(lambda _: self.download_workbook()))
        self.submit_button.on_click(guard(lambda _: self.submit()))

        self.calendar_note.add_class("ht-calendar")
        self.widget = w.VBox([
            self.source, self.source_box, self.calendar_note, self.message, self.problems,
            self.warnings,
            w.HTML("<h4>Run settings</h4>"), self.name,
            w.HBox([self.length, self.length_unit]), self.warmup, self.reps,
            w.HBox([self.seed, self.new_seed]),
            w.HTML("<h4>Lab changes</h4>"), self.edit_note, self.edits,
            w.HBox([self.check_button, self.download_button, self.submit_button]),
            self.download,
        ])
        self.widget.add_class("ht-run-tab")
        self._source_changed()

    # -- sources ---------------------------------------------------------------------
    def _source_changed(self) -> None:
        self.problems.value = self.warnings.value = ""
        self.message.clear()
        if self.source.value == DEFAULT:
            self.source_box.children = [w.HTML("The bundled default laboratory.")]
            self.set_bases([("default", default_config())])
        elif self.source.value == UPLOAD:
            self.source_box.children = [self.upload, w.HTML(
                "&nbsp;One workbook runs a scenario; several run an analysis.")]
        else:
            self.previous.options = [
                (f"#{s['scenario_id']} {s['name'] or 'unnamed'} ({s['status']})",
                 s["scenario_id"]) for s in reversed(self.backend.scenarios())]
            self.source_box.children = [self.previous, self.load_previous]

    def _uploaded(self) -> None:
        files = list(self.upload.value)
        if not files:
            return
        bases, errors = [], []
        for f in files:
            try:
                bases.append((Path(f["name"]).stem,
                              read_workbook(bytes(f["content"]), name=f["name"])))
            except ConfigError as exc:
                errors.append(exc)
        if errors:
            self.show_problems(errors)
            self.message.error(f"{len(errors)} of {len(files)} workbook(s) are invalid; "
                               "fix them and upload again.")
            return
        from hospital_twin.jobs.submit import submission_warnings

        self.problems.value = ""
        self.set_bases(bases)
        self.show_warnings(submission_warnings(bases))
        names = ", ".join(n for n, _ in bases)
        self.message.show(f"Loaded {names}.", "ok")

    def _load_previous(self) -> None:
        from hospital_twin.config import config_from_json

        sid = self.previous.value
        if sid is None:
            self.message.error("There is no previous scenario to load.")
            return
        config = config_from_json(self.backend.config_json(sid), source=f"scenario {sid}")
        self.set_bases([(f"copy of #{sid}", config)])
        self.message.show(f"Loaded scenario #{sid}; change it and submit as a new one.", "ok")

    def _new_seed(self) -> None:
        from hospital_twin.jobs.submit import new_seed

        self.seed.value = new_seed()

    def set_bases(self, bases: list[tuple[str, LabConfig]]) -> None:
        """Use these configurations as the starting point and fill the widgets from them."""
        self.bases = bases
        name, config = bases[0]
        hours = config.run.sim_hours
        unit = next(u for u, h in UNIT_HOURS.items() if hours % h == 0 or u == "hours")
        self.length_unit.value = unit
        self.length.value = hours / UNIT_HOURS[unit]
        self.warmup.value = config.run.warmup_hours
        self.reps.value = max(config.run.replications, 1)
        self.seed.value = config.run.seed
        self.name.value = name if name != "default" else ""
        # Describes the loaded lab; edits under "Calendar" below override it for this run.
        self.calendar_note.value = "<p>" + esc(
            "In the loaded lab: " + config.calendar.describe()
            if config.calendar is not None else
            "No calendar in the loaded lab: every week repeats from a Monday 00:00. Date the "
            "run under Calendar below, or with a workbook's Calendar sheet (closures, bank "
            "holidays, extra shifts, demand).") + "</p>"
        self.calendar_edit.load(config.calendar)
        single = len(bases) == 1
        self.edits.layout.display = None if single else "none"
        self.edit_note.value = "" if single else (
            f"<p>{len(bases)} workbooks: they run as one analysis with the run settings above "
            "(same seed for all). Edit the workbooks themselves to change the lab.</p>")
        self.name.description = "Scenario name" if single else "Analysis name"
        self._edit_base = config
        self.units, self.batches = {}, {}
        self.units_box.children, self.batches_box.children = [], []
        if self.edits.selected_index is not None:
            self._build_edit_widgets()
        self.demand.value = 100

    def _build_edit_widgets(self) -> None:
        """Create the per-resource and per-batch fields (first time the section opens)."""
        if self.units:
            return
        config = self._edit_base
        self.units = {r: w.BoundedIntText(value=v, min=0, max=10_000, description=r,
                                          style={"description_width": "220px"},
                                          layout=w.Layout(width="380px"))
                      for r, v in peak_units(config).items()}
        self.units_box.children = list(self.units.values())
        self.batches = {b: w.BoundedIntText(value=v, min=1, max=100_000, description=b,
                                            style={"description_width": "300px"},
                                            layout=w.Layout(width="460px"))
                        for b, v in config.batch_sizes.items()}
        self.batches_box.children = list(self.batches.values())

    # -- building, checking, submitting -----------------------------------------------
    def sim_hours(self) -> float:
        """The run length in hours."""
        return float(self.length.value) * UNIT_HOURS[self.length_unit.value]

    def configs(self) -> list[tuple[str | None, LabConfig]]:
        """The scenario(s) as edited, with run settings applied; ConfigError if invalid."""
        from hospital_twin.jobs.submit import prepare

        out = []
        errors = []
        for name, base in self.bases:
            try:
                config = base
                if len(self.bases) == 1:
                    config = edited_config(
                        base, units={k: v.value for k, v in self.units.items()},
                        demand_percent=self.demand.value,
                        batch_sizes={k: v.value for k, v in self.batches.items()})
                    config = self.calendar_edit.apply(config)
                config = prepare(config, sim_hours=self.sim_hours(), num_reps=self.reps.value,
                                 seed=self.seed.value, warmup_hours=self.warmup.value,
                                 source=name)
            except ConfigError as exc:
                errors.append(exc)
                continue
            scenario = (self.name.value.strip() or None) if len(self.bases) == 1 else name
            out.append((scenario, config))
        if errors:
            self.show_problems(errors)
            raise ValueError("The scenario is not valid; see the problems listed above.")
        return out

    def show_problems(self, errors: list[ConfigError]) -> None:
        """List every problem of every invalid input, with its location."""
        items = []
        for exc in errors:
            head = f"<b>{esc(exc.source)}</b>: " if exc.source else ""
            lis = "".join(f'<li class="ht-problem">{esc(p)}</li>' for p in exc.problems)
            items.append(f"{head}{len(exc.problems)} problem(s)<ul>{lis}</ul>")
        self.problems.value = f'<div class="ht-msg ht-error">{"".join(items)}</div>'

    def check(self) -> list[tuple[str | None, LabConfig]]:
        """Validate and say so, with the warnings of a lab that cannot work."""
        from hospital_twin.jobs.submit import submission_warnings

        self.warnings.value = ""
        configs = self.configs()
        self.problems.value = ""
        found = submission_warnings(configs)
        self.show_warnings(found)
        note = f" — {len(found)} warning(s) below; it can still be run" if found else ""
        self.message.show(f"The scenario is valid ({len(configs)} configuration(s), "
                          f"{self.sim_hours():g} h × {self.reps.value} replications){note}.",
                          "ok")
        return configs

    def show_warnings(self, found: list[str]) -> None:
        """List why the lab cannot work (stages without capacity, no arrivals)."""
        lis = "".join(f'<li class="ht-warning-item">{esc(text)}</li>' for text in found)
        self.warnings.value = (f'<div class="ht-msg ht-warning"><b>Warning</b>: the results '
                               f"will mislead unless this is what you meant<ul>{lis}</ul></div>"
                               if found else "")

    def download_workbook(self) -> None:
        """Offer the current (first) configuration as an .xlsx download."""
        from hospital_twin.config import write_workbook

        name, config = self.check()[0]
        buf = io.BytesIO()
        write_workbook(config, buf)
        stem = (name or "scenario").replace(" ", "-")
        self.download.value = download_html(buf.getvalue(), f"{stem}.xlsx", XLSX,
                                            f"save {stem}.xlsx")

    def submit(self) -> None:
        """Validate, store and queue; the Jobs tab shows progress."""
        from hospital_twin.jobs.queue import QueueUnavailable

        configs = self.check()
        multi = len(configs) > 1
        try:
            done = self.backend.submit(configs, analysis=multi,
                                       analysis_name=self.name.value.strip() or None)
        except QueueUnavailable as exc:
            self.message.error(f"{exc}. Nothing was stored; start Redis and try again.")
            return
        what = (f"analysis #{done.analysis_id} ({len(done.scenario_ids)} scenarios)" if multi
                else f"scenario #{done.scenario_ids[0]}")
        despite = " despite the warning(s) below" if done.warnings else ""
        self.message.show(f"Submitted {what}{despite}; follow it in the Jobs tab.", "ok")
        if self.on_submitted is not None:
            self.on_submitted(done)
