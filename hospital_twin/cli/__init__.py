"""The ``hospital-twin`` command line: one module per command group."""
