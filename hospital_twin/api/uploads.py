"""Reading multipart submissions: workbooks and run fields, every problem reported at once.

Everything is validated here, before anything is stored or queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from hospital_twin.api.errors import ApiError
from hospital_twin.config import ConfigError, LabConfig, read_workbook
from hospital_twin.config.unpack_limits import WorkbookTooLarge
from hospital_twin.jobs.submit import new_seed, prepare
from hospital_twin.jobs.workload import WorkloadTooLarge


def form_openapi(*, multi: bool) -> dict:
    """The multipart body of ``POST /scenarios`` (``multi``: ``POST /multi``) for the
    OpenAPI schema (the form is read by hand, so FastAPI cannot describe it itself)."""
    number = {"type": "number", "exclusiveMinimum": 0}
    fields: dict = {
        "sim_hours": number | {"description": "simulated hours per replication"},
        "num_reps": {"type": "integer", "minimum": 1, "maximum": 10_000},
        "seed": {"type": "integer", "minimum": 0, "description": "default: random"},
        "warmup_hours": {"type": "number", "minimum": 0},
        "name": {"type": "string", "maxLength": 200},
    }
    workbook = {"type": "string", "format": "binary", "description": "an .xlsx workbook"}
    if multi:
        fields["files"] = {"type": "array", "items": workbook}
    else:
        fields["config"] = workbook
    required = ["sim_hours", "num_reps", "files" if multi else "config"]
    schema = {"type": "object", "properties": fields, "required": required}
    return {"requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": schema}}}}


@dataclass(frozen=True)
class RunFields:
    """The run settings of a submission."""

    sim_hours: float
    num_reps: int
    seed: int
    warmup_hours: float | None
    name: str | None


async def read_form(request: Request) -> FormData:
    """The multipart form, or a 400 if the body is not one."""
    if "multipart/form-data" not in request.headers.get("content-type", ""):
        raise ApiError(400, "send the workbook(s) and fields as multipart/form-data")
    try:
        return await request.form(max_files=200, max_fields=200)
    except ApiError:
        raise
    except Exception as exc:
        raise ApiError(400, f"could not read the multipart form: {exc}") from exc


def _number(form: FormData, key: str, kind: type, problems: list[str], *,
            required: bool, minimum: float, strict: bool) -> float | int | None:
    raw = form.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            problems.append(f"missing form field '{key}'")
        return None
    try:
        value = kind(float(raw)) if kind is float else int(str(raw).strip())
    except (TypeError, ValueError):
        expected = "a number" if kind is float else "an integer"
        problems.append(f"form field '{key}' must be {expected}, got {str(raw)[:40]!r}")
        return None
    if value != value or value in (float("inf"), float("-inf")) or (
            value <= minimum if strict else value < minimum):
        problems.append(f"form field '{key}' must be {'>' if strict else '>='} {minimum:g}, "
                        f"got {value}")
        return None
    return value


def run_fields(form: FormData, problems: list[str]) -> RunFields | None:
    """``sim_hours``, ``num_reps`` and the optional ``seed``, ``warmup_hours``, ``name``."""
    hours = _number(form, "sim_hours", float, problems, required=True, minimum=0, strict=True)
    reps = _number(form, "num_reps", int, problems, required=True, minimum=1, strict=False)
    seed = _number(form, "seed", int, problems, required=False, minimum=0, strict=False)
    warmup = _number(form, "warmup_hours", float, problems, required=False, minimum=0,
                     strict=False)
    if reps is not None and reps > 10_000:
        problems.append(f"form field 'num_reps' must be at most 10000, got {reps}")
    name = form.get("name")
    name = name.strip()[:200] if isinstance(name, str) and name.strip() else None
    if hours is None or reps is None or problems:
        return None
    return RunFields(float(hours), int(reps), new_seed() if seed is None else int(seed),
                     None if warmup is None else float(warmup), name)


async def read_config(upload: UploadFile, fields: RunFields) -> LabConfig:
    """Parse one uploaded workbook and apply the run fields (raises ConfigError)."""
    data = await upload.read()
    source = upload.filename or "workbook"
    if not data:
        raise ConfigError("the uploaded file is empty", source=source)
    config = await run_in_threadpool(read_workbook, data, name=source)
    return prepare(config, sim_hours=fields.sim_hours, num_reps=fields.num_reps,
                   seed=fields.seed, warmup_hours=fields.warmup_hours, source=source)


def scenario_name(upload: UploadFile, given: str | None) -> str | None:
    """A scenario's name: the one given, else the workbook's file name without suffix."""
    return given or (Path(upload.filename).stem if upload.filename else None)


def bad_request(problems: list[str]) -> ApiError:
    """A 400 listing form problems."""
    return ApiError(400, "; ".join(problems),
                    problems=[{"message": p, "text": p} for p in problems])


def config_error(exc: ConfigError) -> ApiError:
    """A 400 carrying the workbook's precise problems (413 for a workbook that would unpack
    to more than the limits, or a run asking for more work than the ceiling)."""
    code = 413 if isinstance(exc, WorkbookTooLarge | WorkloadTooLarge) else 400
    return ApiError(code, f"invalid workbook: {exc.render()}", problems=exc.as_dicts())
