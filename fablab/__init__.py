"""fablab: equipment booking and inventory for the écoles du Web des quartiers."""

import os

# Piccolo finds its engine through this module path; set before anything imports Piccolo tables.
os.environ.setdefault("PICCOLO_CONF", "fablab.piccolo_conf")
