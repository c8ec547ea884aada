"""The soak's report in words: what ran, what was injected, and each check's verdict."""
from __future__ import annotations


def _verdict(ok: bool) -> str:
    return "held" if ok else "FAILED"


def summary(report: dict) -> str:
    cases, drained, grown = report["cases"], report["outbox_drained"], report["growth"]
    lines = [
        f"soak: {report['cycles']} cycles in {report['ran_s'] / 60:.1f} min, seed {report['seed']}, "
        f"warm-up {report['warmup_cycles']} cycles",
        "journeys: " + "; ".join(f"{name} " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
                                 for name, outcomes in report["outcomes"].items()),
        "faults: " + (", ".join(f"{k} {v}" for k, v in sorted(report["faults"].items())) or "none"),
        f"no crash: {_verdict(not report['crashes'] and not report['logged_exceptions'])} "
        f"({len(report['crashes'])} escaped, {len(report['logged_exceptions'])} logged by a safety net)",
        f"no stuck screen: {_verdict(not report['stuck'])} ({len(report['stuck'])} stuck), "
        f"script failures: {len(report['failed'])}",
        f"outbox drained: {_verdict(drained['ok'])} in {drained['s']} s (pending {drained['pending']}, "
        f"parked {drained['parked']})",
        f"every case once: {_verdict(cases['ok'])}: {cases['submissions']} submissions ({cases['answered']} answered, "
        f"{cases['kept_then_sent']} kept then sent), {len(cases['lost'])} lost, {len(cases['duplicated'])} "
        f"duplicated; {cases['check_ins']} check-ins ({len(cases['check_ins_missing'])} missing), "
        f"{cases['ratings']} ratings ({len(cases['ratings_missing'])} missing)",
    ]
    if grown.get("judged"):
        rss, threads, fds = grown["rss_kib"], grown["threads"], grown["fds"]
        lines.append(
            f"no growth after warm-up: {_verdict(grown['ok'])}: RSS {rss[0] / 1024:.0f} -> {rss[1] / 1024:.0f} MiB "
            f"({grown['rss_growth']:+.1%}, allowed +{grown['rss_allowed_kib'] / 1024:.0f} MiB), threads "
            f"{threads[0]} -> {threads[1]}, fds {fds[0]} -> {fds[1]}")
    else:
        lines.append(f"growth not judged: {grown['why']}")
    for kind in ("crashes", "logged_exceptions", "stuck", "failed"):
        for entry in report[kind][:5]:
            lines.append(f"{kind}: {entry}")
    lines.append(f"all checks: {_verdict(report['ok'])} (report: {report['var_dir']}/soak-report.json)")
    return "\n".join(lines)
