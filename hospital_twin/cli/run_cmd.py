"""``hospital-twin run`` (what ``make run`` starts): the workbench on the bundled default.

Starts a private Redis (unless ``HOSPITAL_TWIN_REDIS_URL`` is set), one worker, the REST
API, Mosquitto (unless ``HOSPITAL_TWIN_MQTT_PORT`` is set), the sensor service and its
simulator, and the Voilà dashboards; submits the bundled lab configuration as a first
scenario, prints the URLs and runs until Ctrl-C/SIGTERM, then stops everything.
"""

from __future__ import annotations

import click

from hospital_twin.cli.simulate_cmd import HOURS_PER_WEEK
from hospital_twin.settings import Settings, get_settings


def _submit_default(settings: Settings, hours: float, reps: int, warmup: float) -> int:
    from hospital_twin.config import default_config
    from hospital_twin.jobs import JobOptions, connect, new_seed, prepare, submit_scenarios
    from hospital_twin.store import init_db

    engine = init_db(settings.db_url)
    config = prepare(default_config(), sim_hours=hours, num_reps=reps, seed=new_seed(),
                     warmup_hours=warmup if warmup < hours else 0.0)
    done = submit_scenarios(connect(settings.redis_url), engine,
                            JobOptions.from_settings(settings), [("bundled default", config)])
    engine.dispose()
    return done.scenario_ids[0]


@click.command("run")
@click.option("--weeks", type=click.FloatRange(min=0.01), default=4.0, show_default=True,
              help="Length of the first (demonstration) scenario: long enough for most "
                   "specimens to be reported within the run.")
@click.option("--warmup", type=click.FloatRange(min=0), default=168.0, show_default=True,
              help="Warm-up hours of the first scenario (dropped if not shorter than the run).")
@click.option("--reps", type=click.IntRange(min=1), default=3, show_default=True,
              help="Replications of the first scenario.")
@click.option("--port", type=int, help="API port (default HOSPITAL_TWIN_API_PORT, 5000).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes.")
def run(weeks: float, warmup: float, reps: int, port: int | None, workers: int) -> None:
    """Start Redis, a worker, the API, the sensor service and the dashboards; queue the
    bundled lab as a first scenario."""
    from hospital_twin.services.workbench import Workbench

    settings = get_settings()
    bench = Workbench(port or settings.api_port, workers, sensors_port=settings.sensors_port,
                      dashboards_port=settings.dashboards_port)
    try:
        bench.start()
    except Exception as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        settings = Settings(redis_url=bench.env["HOSPITAL_TWIN_REDIS_URL"])
        sid = _submit_default(settings, weeks * HOURS_PER_WEEK, reps, warmup)
        url = bench.api_url
        from hospital_twin.store.engine import display_url

        click.echo(f"database:  {display_url(settings.db_url)}")
        click.echo(f"redis:     {settings.redis_url}")
        click.echo(f"API:       {url}   (docs {url}/docs)")
        click.echo(f"sensors:   {bench.sensors_url}   (simulated devices publishing to MQTT "
                   f"{bench.env['HOSPITAL_TWIN_MQTT_HOST']}:{bench.env['HOSPITAL_TWIN_MQTT_PORT']})")
        dash = f"{bench.dashboards_url}/voila/render"
        click.echo(f"dashboards: {dash}/histopathology.ipynb   (simulation)")
        click.echo(f"            {dash}/sensors.ipynb   (sensors)")
        click.echo(f"scenario {sid} queued: {url}/scenarios/{sid}/status, "
                   f"results {url}/scenarios/{sid}/results, report {url}/scenarios/{sid}/report")
        click.echo("Press Ctrl-C to stop.")
        bench.wait()
    finally:
        click.echo("stopping...")
        bench.stop()
    click.echo("stopped.")
