"""``hospital-twin sensors``: run the sensor service, simulate sensors, list the registry."""

from __future__ import annotations

import click

from hospital_twin.settings import get_settings


@click.group("sensors")
def sensors_group() -> None:
    """The lab's sensor service (MQTT ingest, storage, alerts, API)."""


@sensors_group.command("serve")
@click.option(
    "--host", default=None, help="address to listen on [default: HOSPITAL_TWIN_SENSORS_HOST]"
)
@click.option(
    "--port", type=int, default=None, help="port [default: HOSPITAL_TWIN_SENSORS_PORT or 8000]"
)
def serve(host: str | None, port: int | None) -> None:
    """Run the sensor service: MQTT ingest, REST API and WebSockets."""
    from hospital_twin.sensors.api import serve as run

    settings = get_settings()
    run(host or settings.sensors_host, port or settings.sensors_port, settings)


@sensors_group.command("simulate")
@click.option(
    "--interval",
    type=float,
    default=10.0,
    show_default=True,
    help="seconds between two readings of one device",
)
@click.option("--duration", type=float, default=None, help="stop after this many seconds")
@click.option("--rounds", type=int, default=None, help="stop after this many rounds")
@click.option("--seed", type=int, default=None, help="random seed (reproducible readings)")
@click.option(
    "--ttn-share",
    type=float,
    default=0.25,
    show_default=True,
    help="share of devices that publish TTN v3 uplinks instead of sensors/<id>",
)
@click.option(
    "--dropout",
    type=float,
    default=0.02,
    show_default=True,
    help="probability that a reading is skipped",
)
@click.option(
    "--event-rate",
    type=float,
    default=0.01,
    show_default=True,
    help="probability per reading of starting an out-of-range event",
)
def simulate(
    interval: float,
    duration: float | None,
    rounds: int | None,
    seed: int | None,
    ttn_share: float,
    dropout: float,
    event_rate: float,
) -> None:
    """Publish realistic readings for every registry device to MQTT."""
    from hospital_twin.sensors.registry import load_registry
    from hospital_twin.sensors.simulator import SimulatorConfig, run_simulator

    settings = get_settings()
    config = SimulatorConfig(
        interval=interval, ttn_share=ttn_share, dropout=dropout, event_rate=event_rate, seed=seed
    )
    sent = run_simulator(
        load_registry(settings.sensors_registry or None),
        settings.mqtt_host,
        settings.mqtt_port,
        config,
        duration=duration,
        rounds=rounds,
    )
    click.echo(f"published {sent} readings")


@sensors_group.command("devices")
def devices() -> None:
    """List the device registry."""
    from hospital_twin.sensors.registry import load_registry

    registry = load_registry(get_settings().sensors_registry or None)
    for d in registry.devices.values():
        keys = ", ".join(f"{r.key} [{r.unit}]" for r in d.readings[:6])
        click.echo(f"{d.acp_id:26} {d.room:15} floor {d.floor} ({d.x:g}, {d.y:g})  {keys}")
