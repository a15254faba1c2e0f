"""The labeling tables' planner statistics are kept current while labels pour in (PostgreSQL)."""

import time

from sqlalchemy import text

from jlab_platform.crowd import CrowdService
from jlab_platform.crowd.planstats import TableStatistics


def analyzed(service: CrowdService) -> int:
    """How many times crowd_labels was analyzed (PostgreSQL), or whether SQLite has statistics."""
    with service.store.engine.connect() as conn:
        if service.store.engine.dialect.name == "postgresql":
            query = "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'crowd_labels'"
        else:
            query = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
        return int(conn.execute(text(query)).scalar() or 0)


def wait_analyzed(service: CrowdService, times: int) -> int:
    deadline = time.monotonic() + 10
    while analyzed(service) < times and time.monotonic() < deadline:
        time.sleep(0.1)  # the statistics' counters may lag the ANALYZE a moment
    return analyzed(service)


def test_the_tables_are_analyzed_each_time_the_labels_double(store_crowd: CrowdService) -> None:
    postgres = store_crowd.store.engine.dialect.name == "postgresql"
    statistics = TableStatistics(store_crowd.store.engine, first=3)
    for _ in range(2):
        statistics.labeled()
    statistics.close()
    assert analyzed(store_crowd) == 0
    statistics.labeled()  # the 3rd
    statistics.close()
    assert wait_analyzed(store_crowd, 1) == (1 if postgres else 0)  # SQLite's plans do not go stale
    for _ in range(2):  # 5: the next is at 6
        statistics.labeled()
    statistics.close()
    assert analyzed(store_crowd) == (1 if postgres else 0)
    statistics.labeled()
    statistics.close()
    assert wait_analyzed(store_crowd, 2) == (2 if postgres else 0)


def test_prepared_statements_keep_one_plan_on_postgresql(store_crowd: CrowdService) -> None:
    with store_crowd.store.engine.connect() as conn:
        if store_crowd.store.engine.dialect.name == "postgresql":
            assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "force_generic_plan"
            conn.rollback()  # what a pooled connection goes through: the setting stays
            assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "force_generic_plan"
