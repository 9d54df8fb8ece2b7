"""Local helper servers (Redis, Mosquitto) started by `make run` and the tests."""
