"""The audit chain is keyed: whoever can write the database but does not hold the key
kept outside it cannot edit an entry and forge the chain after it again (with the plain
SHA-256 chain this was a few lines of SQL, the attack below). The chain exports as JSON
lines that the key alone verifies, anywhere."""
from __future__ import annotations

import hashlib
import json

from tests.api.command_line import backoffice_cli
from tests.api.database import execute_sql, query


def forge_after_edit(server, entry_id: int) -> None:
    """What an insider with the database (and not the key) does: edit an entry, then
    recompute the chain from it on, as the chain was made before it was keyed."""
    rows = query(server, "SELECT id, at, actor, action, subject, detail, prev_hash FROM audit_log "
                         "WHERE id >= :first ORDER BY id", first=entry_id)
    prev = rows[0][6]
    for row_id, at, actor, action, subject, detail, _prev in rows:
        detail = json.loads(detail) if isinstance(detail, str) else detail
        if row_id == entry_id:
            action = "case.erased"
        stamp = at if isinstance(at, str) else at.isoformat()
        canonical = json.dumps({"at": stamp.replace(" ", "T"), "actor": actor, "action": action, "subject": subject,
                                "detail": detail}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256((prev + canonical).encode()).hexdigest()
        execute_sql(server, "UPDATE audit_log SET action = :action, prev_hash = :prev, hash = :hash WHERE id = :id",
                    action=action, prev=prev, hash=digest, id=row_id)
        prev = digest
    execute_sql(server, "UPDATE audit_head SET last_hash = :h WHERE id = 1", h=prev)


def test_an_insider_without_the_key_cannot_forge_the_chain_after_an_edit(server, staff):
    admin = staff("admin")
    assert admin.get("/v1/audit/verify").json()["intact"]
    forge_after_edit(server, 3)
    verdict = admin.get("/v1/audit/verify").json()
    assert verdict["intact"] is False and verdict["first_broken_id"] == 3


def test_the_chain_exports_and_the_key_alone_verifies_the_export(tmp_path):
    for step in ("migrate", "seed"):  # an audited history
        assert backoffice_cli(tmp_path, step).returncode == 0
    exported = tmp_path / "audit.jsonl"
    done = backoffice_cli(tmp_path, "audit", "export", "--output", str(exported))
    assert done.returncode == 0, done.stderr
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 20 and {"id", "at", "actor", "action", "prev_hash", "hash"} <= set(json.loads(lines[0]))
    checked = backoffice_cli(tmp_path, "audit", "verify", str(exported))
    assert checked.returncode == 0 and json.loads(checked.stdout)["checked"] == len(lines)
    assert backoffice_cli(tmp_path, "audit", "verify").returncode == 0  # the database's own chain

    tampered = [json.loads(line) for line in lines]
    tampered[5]["subject"] = "469023-9999"
    exported.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in tampered), encoding="utf-8")
    refused = backoffice_cli(tmp_path, "audit", "verify", str(exported))
    assert refused.returncode == 1 and json.loads(refused.stdout)["first_broken_id"] == tampered[5]["id"]
    other_key = backoffice_cli(tmp_path, "audit", "verify", str(tmp_path / "audit.jsonl"),
                               env_extra={"BACKOFFICE_AUDIT_KEY": "00" * 32})
    assert other_key.returncode == 1  # a key other than the chain's verifies nothing
