"""Prints the conformance totals (test_conformance.py) after the run, as the other hosts print
theirs: `conformance: python same/total`, whatever pytest's verbosity or capture."""

import pytest

TOTALS = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def conformance_totals(request):
    return request.config.stash.setdefault(TOTALS, {"same": 0, "total": 0})


def pytest_terminal_summary(terminalreporter, config):
    totals = config.stash.get(TOTALS, None)
    if totals is not None:
        terminalreporter.write_line(f"conformance: python {totals['same']}/{totals['total']}")
