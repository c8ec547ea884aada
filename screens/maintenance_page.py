"""What the staff-only maintenance pages share: the maintenance journey and — past the PIN
screen — nothing shown without a granted visit. The visit's own idle timeout (no citizens'
countdown) is the controller's, for every screen the visit shows."""
from __future__ import annotations

from .catalogue_page import JourneyPage


class MaintenancePage(JourneyPage):
    journey_name = "maintenance"

    def granted_visit(self):
        """Clear the page; the maintenance visit if staff are in, else None (the page stays empty)."""
        visit = self.fresh_state()
        return visit if visit is not None and visit.granted else None
