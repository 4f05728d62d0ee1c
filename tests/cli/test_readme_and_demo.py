"""The README tells the truth about today's CLI: its sample rep table is in the exact format (and side
words) `hiplevel demo` prints, its example ids have the store's shapes, and the commands the demo
ends with show the demo's sessions when typed as printed, from any folder."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

from hiplevel.cli.data_actions import print_rep_table
from hiplevel.cli.demo import DEMO_PATIENT, next_commands
from hiplevel.cli.main import main
from hiplevel.store import SessionMeta, SessionStore

README = Path(__file__).parents[2] / "README.md"
SESSION_ID_RE = re.compile(r"^S-\d{8}-\d{4}-[0-9A-F]{4}$")  # the store: S-<UTC yyyymmdd-HHMM>-<4 hex>
PATIENT_ID_RE = re.compile(r"^P-(?:[0-9A-F]{4}|DEMO)$")  # a new patient's id, or the demo's
ROW_RE = re.compile(r"^ {2}(?P<n>[ \d]{3}) {2}(?P<t0>[ \d.-]{5})-(?P<t1>[ \d.-]{5}) {2}(?P<stance>left|right) +"
                    r"(?P<what>.+?) +(?P<score>\d+) {2}(?P<flags>\S.*)$")


def _sample_table() -> list[str]:
    text = README.read_text()
    block = text[text.index("```\nset 1: walking") + 4:]
    return block[:block.index("```")].rstrip("\n").splitlines()


def test_the_readme_sample_table_is_what_the_cli_prints_for_those_reps() -> None:
    title, header, *rows = _sample_table()
    m = re.fullmatch(r"set 1: walking: (\d+) reps, neutral ([+-]\d+\.\d) deg", title)
    assert m, title
    reps = []
    for line in rows:
        r = ROW_RE.match(line)
        assert r, line
        drop = float(re.search(r"(\d+\.\d) deg", r["what"]).group(1))
        reps.append({"index": int(r["n"]) - 1, "start_s": float(r["t0"]), "end_s": float(r["t1"]),
                     "side": r["stance"], "drop_deg": drop, "score": float(r["score"]),
                     "flags": [] if r["flags"] == "-" else r["flags"].split(", ")})
    reps += [dict(reps[-1], index=i) for i in range(len(reps), int(m.group(1)))]
    out = io.StringIO()
    print_rep_table({"exercise": "walking", "neutral_roll_deg": float(m.group(2)), "reps": reps},
                    title="set 1: walking", stream=out, limit=len(rows))
    printed = out.getvalue().strip("\n").splitlines()
    # The same lines, word for word: the stance leg and the side that dropped (the other one).
    assert printed[:2 + len(rows)] == [title, header, *rows]


def test_the_readme_example_ids_have_the_store_shapes() -> None:
    text = README.read_text()
    sessions = set(re.findall(r"\bS-[\w-]+", text))
    patients = set(re.findall(r"\bP-[\w]+", text))
    assert sessions and patients
    assert all(SESSION_ID_RE.match(s) for s in sessions), sessions
    assert all(PATIENT_ID_RE.match(p) for p in patients), patients


@pytest.fixture
def demo_store(tmp_path: Path) -> tuple[Path, str]:
    data = tmp_path / "out" / "demo" / "data"
    with SessionStore(data) as store:
        store.ensure_patient(DEMO_PATIENT)
        session_id = store.start_session(SessionMeta(patient_id=DEMO_PATIENT, device_id="virtual", firmware=None))
    return data, session_id


def test_the_commands_the_demo_ends_with_show_its_sessions_from_any_folder(
        demo_store: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    data, session_id = demo_store
    # the demo is run from the checkout with the default --out (a relative path)
    monkeypatch.chdir(tmp_path)
    lines = next_commands(Path("out/demo/data"), session_id)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("HIPLEVEL_DATA_DIR", raising=False)
    listing = next(ln for ln in lines if "sessions list" in ln)
    argv = shlex.split(listing)
    assert argv[:3] == ["hiplevel", "sessions", "list"]
    assert main(argv[1:]) == 0
    assert session_id in capsys.readouterr().out
    export = next(ln for ln in lines if ln.strip().startswith("export HIPLEVEL_DATA_DIR="))
    value = shlex.split(export.split("#")[0])[1].split("=", 1)[1]
    monkeypatch.setenv("HIPLEVEL_DATA_DIR", value)
    assert main(["sessions", "list"]) == 0  # no flags at all
    assert session_id in capsys.readouterr().out
