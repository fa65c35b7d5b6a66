"""check-meds: the command line. Parse, load, check, render, exit; nothing else.

The code lives in interactions/cli.py so that the wheel ships it inside the
package (a top-level module named ``cli`` would clash with other packages).
This file keeps ``import cli`` and ``python -m cli`` working in the source
tree: it is that same module, not a copy.

Supports, and does not replace, professional judgement.
"""

import sys

from interactions import cli as _cli

if __name__ == "__main__":
    _cli.main()
else:
    sys.modules[__name__] = _cli
