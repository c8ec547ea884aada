"""What the staff-only maintenance pages share: the maintenance journey, its own idle
timeout, and — past the PIN screen — nothing shown without a granted visit."""
from __future__ import annotations

from kiosk.journeys.maintenance import MAINTENANCE_IDLE_S

from .catalogue_page import JourneyPage


class MaintenancePage(JourneyPage):
    journey_name = "maintenance"
    idle_timeout_s = MAINTENANCE_IDLE_S

    def granted_visit(self):
        """Clear the page; the maintenance visit if staff are in, else None (the page stays empty)."""
        visit = self.fresh_state()
        return visit if visit is not None and visit.granted else None
