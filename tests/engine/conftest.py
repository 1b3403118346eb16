"""Engine tests need no Django and no database. The project runs pytest with
--import-mode=importlib, which does not put test directories on sys.path; add this one so the
plain helper module ``engine_factories`` imports the same way under every import mode."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
