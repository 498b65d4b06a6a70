"""Smart contracts: deploy, invoke, call and estimate on Neo N3 and Neo X, with a record of
every deployment and invocation we sent."""
