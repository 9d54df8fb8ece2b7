"""From a parsed form to stored, queued scenarios — or a JSON error and nothing stored."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from hospital_twin.api.deps import services
from hospital_twin.api.errors import ApiError
from hospital_twin.api.uploads import (
    RunFields,
    bad_request,
    config_error,
    read_config,
    read_form,
    run_fields,
    scenario_name,
)
from hospital_twin.config import ConfigError
from hospital_twin.jobs.queue import QueueUnavailable
from hospital_twin.jobs.submit import Submitted, submit_scenarios


async def submit_form(request: Request, *, multi: bool) -> Submitted:
    """Validate every upload and field, then store and queue (one analysis if ``multi``)."""
    form = await read_form(request)
    problems: list[str] = []
    if multi:
        uploads = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
        if not uploads:
            problems.append("no workbook uploaded: send one or more .xlsx files")
    else:
        upload = form.get("config")
        uploads = [upload] if isinstance(upload, UploadFile) else []
        if not uploads:
            problems.append("missing file field 'config' (the .xlsx workbook)")
    fields = run_fields(form, problems)
    if problems or fields is None:
        raise bad_request(problems)
    configs = []
    errors: list[ConfigError] = []
    for upload in uploads:
        try:
            config = await read_config(upload, fields)
        except ConfigError as exc:
            errors.append(exc)
            continue
        name = scenario_name(upload, None if multi else fields.name)
        configs.append((name, config))
    if errors:
        raise _workbook_errors(errors)
    return await run_in_threadpool(_store_and_queue, request, configs, multi, fields)


def _workbook_errors(errors: list[ConfigError]) -> ApiError:
    if len(errors) == 1:
        return config_error(errors[0])
    text = " | ".join(e.render() for e in errors)
    return ApiError(max(config_error(e).code for e in errors), f"invalid workbooks: {text}",
                    problems=[p | {"source": e.source} for e in errors for p in e.as_dicts()])


def _store_and_queue(request: Request, configs: list, multi: bool,
                     fields: RunFields) -> Submitted:
    svc = services(request)
    try:
        return submit_scenarios(svc.redis, svc.engine, svc.options, configs, analysis=multi,
                                analysis_name=fields.name if multi else None)
    except QueueUnavailable as exc:
        raise ApiError(503, f"{exc}; nothing was stored, try again later") from exc
