"""The SimPy discrete-event model of the histopathology lab.

``run_replication`` simulates one replication of a :class:`~hospital_twin.config.models.
LabConfig` and returns a :class:`~hospital_twin.model.output.ReplicationOutput`;
``run_replications`` runs several, optionally in a process pool. :class:`Lab` is one
replication's lab, for inspection (batchers, resources, specimens) after ``Lab.run()``.
"""

from hospital_twin.model.lab import Lab
from hospital_twin.model.runner import run_replication, run_replications

__all__ = ["Lab", "run_replication", "run_replications"]
