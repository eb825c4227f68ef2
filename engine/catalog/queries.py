"""The catalog's own stores, the generic ones every domain builds on: scans
and folders, photos, features, edits (ratings, flags, decisions), the action
journal, and what the window's library views read (the grid, the sidebar's
folder tree, the Insights charts, the inspector's details). The domains'
stores live in their packages (``catalog.stores`` finds them)."""

from .actions import ActionQueries
from .browse import BrowseQueries
from .edits import EditQueries
from .features import FeatureQueries
from .insights import InsightsQueries
from .inspector import InspectorQueries
from .photos import PhotoQueries
from .scans import ScanQueries
from .sidebar import SidebarQueries

QUERIES = (ScanQueries, PhotoQueries, FeatureQueries, EditQueries, ActionQueries, BrowseQueries, SidebarQueries,
           InsightsQueries, InspectorQueries)
