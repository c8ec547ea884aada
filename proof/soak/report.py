"""The soak's report in words: what ran, what was injected, and each check's verdict."""
from __future__ import annotations

LONG_RUN_MINUTES = 60  # issue 9: the soak documented in BENCHMARKS.md runs an hour


def _verdict(ok: bool) -> str:
    return "held" if ok else "FAILED"


def summary(report: dict) -> str:
    cases, drained, grown = report["cases"], report["outbox_drained"], report["growth"]
    stopped = report.get("stopped_by")
    lines = [
        f"soak: {report['cycles']} cycles in {report['ran_s'] / 60:.1f} min, seed {report['seed']}, "
        f"warm-up {report['warmup_cycles']} cycles"
        + (f"; STOPPED EARLY by {stopped} (planned: {report.get('planned', '?')}; the last cycle may be cut "
           "short)" if stopped else ""),
        "journeys: " + "; ".join(f"{name} " + (", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
                                                or "not run")
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
    lines.append(f"all checks: {_verdict(report['ok'])}" + (f" on the part that ran (stopped early by {stopped})"
                                                             if stopped else "")
                 + f" (report: {report['var_dir']}/soak-report.json)")
    return "\n".join(lines)


def benchmarks_section(report: dict, command: str) -> str:
    """The soak's section of BENCHMARKS.md: the command, how long it really ran, what was
    injected, each check's verdict and the resource samples."""
    cases, drained, grown = report["cases"], report["outbox_drained"], report["growth"]
    samples = report["samples"]
    shown = samples if len(samples) <= 12 else samples[:: max(1, len(samples) // 12)] + samples[-1:]
    rows = [f"| {s['cycle']} | {s['t_s'] / 60:.1f} | {s['rss_kib'] / 1024:.0f} | {s['threads']} | {s['fds']} | "
            f"{s.get('backoffice_rss_kib', 0) / 1024:.0f} |" for s in shown]
    outcomes = [f"| {name} | " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + " |"
                for name, counts in report["outcomes"].items()]
    lines = [
        "## Soak: every journey in a loop, with faults",
        "",
        f"Command: `{command}`. It ran for **{report['ran_s'] / 60:.1f} minutes** ({report['cycles']} cycles of every "
        f"citizen journey, seed {report['seed']}), then the faults were healed and the outbox drained. The real kiosk "
        "offscreen (1080x1920, Mesa llvmpipe), demo profile (ESC/POS printer emulator, simulated card reader, scanner "
        "and document camera), the back office on loopback (SQLite); one fresh applicant per submission, so "
        "\"exactly once\" is that applicant's case count in the back office. Faults, chosen at random from the seed "
        "and each logged: the printer out of paper (at once, or part-way through the next slip) and loaded again "
        "after the journey; a card unreadable, pulled mid-read, or pulled mid-journey; the network cut for 2-25 s "
        "during a journey or right at submit. The README's long run is `--minutes 60`; a run shorter than that "
        "misses the first goal below.",
        "",
        "Faults injected: " + (", ".join(f"{k} {v}" for k, v in sorted(report["faults"].items())) or "none") + ".",
        "",
        "| journey | outcomes |",
        "|---|---|",
        *outcomes,
        "",
        "| check | result |",
        "|---|---|",
        f"| no crash (nothing escaped to Kivy's loop or a thread; nothing logged by a safety net) | "
        f"{'held' if not report['crashes'] and not report['logged_exceptions'] else 'FAILED'} |",
        f"| no stuck screen (every step within its bound; the attract screen back after each journey) | "
        f"{'held' if not report['stuck'] else 'FAILED: ' + str(len(report['stuck']))} |",
        f"| outbox drained once the network was back | {'held' if drained['ok'] else 'FAILED'} ({drained['s']} s, "
        f"{drained['pending']} pending, {drained['parked']} held) |",
        f"| every submission once in the back office | {'held' if cases['ok'] else 'FAILED'}: {cases['submissions']} "
        f"({cases['answered']} answered at once, {cases['kept_then_sent']} kept then sent), {len(cases['lost'])} lost, "
        f"{len(cases['duplicated'])} duplicated; {cases['check_ins']} check-ins and {cases['ratings']} ratings, "
        f"{len(cases['check_ins_missing']) + len(cases['ratings_missing'])} missing |",
    ]
    if grown.get("judged"):
        rss = grown["rss_kib"]
        lines.append(
            f"| no growth after the warm-up ({report['warmup_cycles']} cycles) "
            f"| {'held' if grown['ok'] else 'FAILED'}: "
            f"RSS {rss[0] / 1024:.0f} -> {rss[1] / 1024:.0f} MiB ({grown['rss_growth']:+.1%}, allowed "
            f"{grown['tolerance']['rss_share']:.0%}), threads {grown['threads'][0]} -> {grown['threads'][1]} "
            f"(allowed +{grown['tolerance']['threads']}), fds {grown['fds'][0]} -> {grown['fds'][1]} "
            f"(allowed +{grown['tolerance']['fds']}) |")
    lines += [
        f"| script failures (a journey met something the soak did not expect) | {len(report['failed'])} |",
        "",
        "Samples (after each cycle; the back office's RSS for information):",
        "",
        "| cycle | minutes | kiosk RSS MiB | threads | fds | back office RSS MiB |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        *goal_lines(report),
    ]
    return "\n".join(lines)


def goal_lines(report: dict) -> list[str]:
    """Issue 9's goals for the soak, in BENCHMARKS.md's goal form (benchmarks/report.py)."""
    from benchmarks.report import goal_line

    cases, grown = report["cases"], report["growth"]
    sound = not (report["crashes"] or report["logged_exceptions"] or report["stuck"] or report["failed"])
    lines = [
        goal_line(f"a soak of at least {LONG_RUN_MINUTES} minutes", f"{report['ran_s'] / 60:.1f} minutes, "
                  f"{report['cycles']} cycles", report["ran_s"] >= LONG_RUN_MINUTES * 60),
        goal_line("no crash and no stuck screen through the soak's faults",
                  f"{len(report['crashes']) + len(report['logged_exceptions'])} crashes, {len(report['stuck'])} "
                  f"stuck, {len(report['failed'])} script failures", sound),
        goal_line("no case lost or duplicated", f"{cases['submissions']} submissions, {len(cases['lost'])} lost, "
                  f"{len(cases['duplicated'])} duplicated, "
                  f"{len(cases['check_ins_missing']) + len(cases['ratings_missing'])} check-ins or ratings missing",
                  bool(cases["ok"] and report["outbox_drained"]["ok"])),
    ]
    if grown.get("judged"):
        tolerance = grown["tolerance"]
        lines.append(goal_line(
            f"no growth in threads, descriptors or memory beyond the warm-up (RSS within "
            f"{tolerance['rss_share']:.0%})",
            f"RSS {grown['rss_growth']:+.1%}, threads {grown['threads'][1] - grown['threads'][0]:+d}, "
            f"fds {grown['fds'][1] - grown['fds'][0]:+d}", bool(grown["ok"])))
    return lines
