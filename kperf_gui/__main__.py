"""``python -m kperf_gui`` opens the desktop app."""
import sys

from kperf_gui.ui.app import main

sys.exit(main())
