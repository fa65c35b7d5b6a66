"""check-meds config: the settings in effect, and where each came from (registered by cli.build_app)."""

from __future__ import annotations

import json
import sys

from .options import DISCLAIMER, FormatOpt, TextFormat

HELP = (
    "Show the settings in effect for the check and batch (format, fail-on, min-severity, and the site rule "
    "directories), and where each came from: the environment (CHECK_MEDS_*), the config file, or the built-in "
    "default. On the command line an option beats all three.\n\n"
    "The config file is $CHECK_MEDS_CONFIG, else $XDG_CONFIG_HOME/check-meds/config.toml "
    "(~/.config/check-meds/config.toml); see docs/configuration.md.\n\n"
    f"{DISCLAIMER}"
)


def config_cmd(fmt: FormatOpt = TextFormat.text) -> int:
    from ..config import effective, read_config, rule_sources

    cfg = read_config()
    values = effective()
    rules = rule_sources()
    if fmt is TextFormat.json:
        doc = {
            "config_file": {"path": cfg.path, "found": cfg.found},
            "settings": {
                command: {v.setting.key: {"value": v.value, "source": v.source, "origin": v.origin, "env": v.setting.env}
                          for v in values if v.setting.command == command}
                for command in ("check", "batch")
            },
            "rules": [{"path": d, "source": source, "origin": origin} for d, source, origin in rules],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return 0
    if cfg.path is None:
        where = "none (CHECK_MEDS_CONFIG is empty)"
    else:
        where = f"{cfg.path}" + ("" if cfg.found else " (not found)")
    lines = [f"Config file: {where}", ""]
    width = max(len(v.setting.key) for v in values)
    for command in ("check", "batch"):
        lines.append(f"{command}:")
        for v in (v for v in values if v.setting.command == command):
            shown = v.value if v.value is not None else "(table on a terminal, else jsonl)"
            source = v.source + (f" {v.origin}" if v.origin else "")
            lines.append(f"  {v.setting.key:<{width}}  {shown:<16}  {source}")
        lines.append("")
    lines.append("rules (site rule directories, loaded in this order; --rules adds more):")
    lines += [f"  {d}  ({source} {origin})" for d, source, origin in rules] or ["  none"]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
