"""Entry point of the bundled executables (both run the same `counter-app` command line).

`QuayMotCua` (windowed) opens the window; `counter-app` (console) runs the commands, and with no
command opens the window too.
"""

import sys

from counter_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
