"""What /metrics says of the county's state besides its requests, read from the database
at each scrape (a few counts): the calendar's horizon, the fleet, open alerts, the
outboxes the kiosks report, overdue cases and the sweep. Example alert rules on them are
in deploy/prometheus/chengmai-alerts.yml. /metrics is for the internal network only."""
from __future__ import annotations

import datetime as dt

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.county import today_cst

from .calendar import horizon_days, load_calendar
from .models import Alert, AuditEntry, Case, Terminal, utcnow
from .supervision import OPEN_STATES

# prometheus_client's own variable: set, every Counter and Histogram of the process counts
# into a file of that folder (read when prometheus_client is imported, so set before).
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class StateCollector:
    def __init__(self, sessions, settings):
        self.sessions, self.settings = sessions, settings

    def collect(self):
        with self.sessions() as session:
            yield from self._calendar(session)
            yield from self._fleet(session)
            yield from self._alerts(session)
            yield from self._cases_and_sweep(session)

    def _calendar(self, session: Session):
        calendar, today = load_calendar(session), today_cst()
        yield GaugeMetricFamily("backoffice_calendar_horizon_days",
                                "Days from today to the last day the calendar knows without a gap "
                                "(-1: not even this year)", value=horizon_days(calendar, today))
        yield GaugeMetricFamily("backoffice_calendar_next_year_known",
                                "1 when next year's holiday arrangement is known",
                                value=int(calendar.knows_year(today.year + 1)))

    def _fleet(self, session: Session):
        silent_since = utcnow() - dt.timedelta(seconds=self.settings.silent_terminal_s)
        rows = session.execute(select(Terminal.in_service, Terminal.disabled, Terminal.last_seen_at,
                                      Terminal.outbox_length, Terminal.reported)).all()
        states = {"in_service": 0, "out_of_service": 0, "silent": 0, "disabled": 0}
        pending = parked = 0
        for in_service, disabled, last_seen, outbox_length, reported in rows:
            if disabled:
                states["disabled"] += 1
            elif last_seen is None or last_seen < silent_since:
                states["silent"] += 1
            else:
                states["in_service" if in_service else "out_of_service"] += 1
            pending += outbox_length or 0
            parked += int(((reported or {}).get("outbox") or {}).get("parked") or 0)
        terminals = GaugeMetricFamily("backoffice_terminals", "Terminals by state", labels=["state"])
        for state, count in states.items():
            terminals.add_metric([state], count)
        yield terminals
        outbox = GaugeMetricFamily("backoffice_kiosk_outbox_items",
                                   "Items waiting in the kiosks' outboxes, as their heartbeats report",
                                   labels=["state"])
        outbox.add_metric(["pending"], pending)
        outbox.add_metric(["parked"], parked)
        yield outbox

    def _alerts(self, session: Session):
        alerts = GaugeMetricFamily("backoffice_alerts_open", "Alerts not cleared, by kind", labels=["kind"])
        for kind, count in session.execute(select(Alert.kind, func.count()).where(Alert.cleared_at.is_(None))
                                           .group_by(Alert.kind)):
            alerts.add_metric([kind], count)
        yield alerts

    def _cases_and_sweep(self, session: Session):
        overdue = session.scalar(select(func.count()).select_from(Case).where(
            Case.overdue.is_(True), Case.status.in_(OPEN_STATES)))
        yield GaugeMetricFamily("backoffice_cases_overdue", "Open cases past their promised date", value=overdue)
        last = session.scalar(select(func.max(AuditEntry.at)).where(AuditEntry.action == "supervision.sweep"))
        yield GaugeMetricFamily("backoffice_sweep_last_run_timestamp_seconds",
                                "When the supervision sweep last ran (0: never)",
                                value=last.replace(tzinfo=dt.timezone.utc).timestamp() if last else 0)
