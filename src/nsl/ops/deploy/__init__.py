"""``nsl deploy``: phases as separate processes behind the gateway; blue/green."""
