"""``python -m interactions`` is ``check-meds``: the same entry point, fast path included."""

from .fastcli import main

if __name__ == "__main__":
    main()
