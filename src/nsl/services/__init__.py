"""Services, one package each; registered in nsl.core.catalogue."""
