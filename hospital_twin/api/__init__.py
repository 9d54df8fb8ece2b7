"""The REST backend (FastAPI): ``create_app()``; served by ``hospital-twin api``."""

from hospital_twin.api.app import create_app

__all__ = ["create_app"]
