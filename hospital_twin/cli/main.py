"""Entry point of the ``hospital-twin`` console script."""

from __future__ import annotations

import click

from hospital_twin.cli.api_cmd import api
from hospital_twin.cli.config_cmd import config_group
from hospital_twin.cli.dashboards_cmd import dashboards
from hospital_twin.cli.db_cmd import db_group
from hospital_twin.cli.forecast_cmd import forecast
from hospital_twin.cli.lab_cmd import lab
from hospital_twin.cli.lims_cmd import calibrate_command, validate_command
from hospital_twin.cli.report_cmd import report
from hospital_twin.cli.run_cmd import run
from hospital_twin.cli.sensors_cmd import sensors_group
from hospital_twin.cli.simulate_cmd import simulate
from hospital_twin.cli.submit_cmd import status_command, submit_command
from hospital_twin.cli.worker_cmd import worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hospital-twin")
def cli() -> None:
    """Hospital Twin: a digital twin of the histopathology laboratory."""


cli.add_command(config_group)
cli.add_command(db_group)
cli.add_command(simulate)
cli.add_command(run)
cli.add_command(lab)
cli.add_command(sensors_group)
cli.add_command(worker)
cli.add_command(api)
cli.add_command(submit_command)
cli.add_command(status_command)
cli.add_command(dashboards)
cli.add_command(report)
cli.add_command(forecast)
cli.add_command(calibrate_command)
cli.add_command(validate_command)


def main() -> None:
    cli()
