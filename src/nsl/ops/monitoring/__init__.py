"""Monitoring as code: Prometheus scrape config, recording and alert rules with their promtool
tests, Alertmanager routing and Grafana dashboards, all generated from the service catalogue
and from the metric families the code really registers (``nsl monitoring generate``)."""
