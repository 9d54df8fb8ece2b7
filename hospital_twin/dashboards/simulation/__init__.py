"""The histopathology simulation dashboard: Run, Jobs, Results and Compare tabs.

``dashboards/histopathology.ipynb`` calls :func:`hospital_twin.dashboards.simulation.app.build`
and Voilà serves it. The tabs talk to the same store and queue as the REST API through the
package (:mod:`~hospital_twin.dashboards.simulation.backend`), never over HTTP.
"""
