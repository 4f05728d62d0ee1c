"""The record/store path analyses a recording the way `hiplevel analyze` does: a set whose samples
were all lost is listed, never raised on, and the other sets keep their recorded numbers."""

from __future__ import annotations

from input_synth import three_sets
from recording_synth import write_recording

from hiplevel.capture import analyse_into_store, analyse_recording
from hiplevel.store import SessionMeta, SessionStore


def test_a_set_with_every_sample_lost_is_listed_and_the_others_keep_their_numbers(tmp_path) -> None:
    sim = three_sets()
    band = sim.sets[1]
    path = write_recording(sim, tmp_path / "lost-set.hlrec", lose=((band.start_s - 0.5, band.end_s + 0.5),))
    results, _quality, summary, _battery = analyse_recording(path)
    assert [r.exercise for r in results] == ["walking", "walking"]
    assert summary["set_numbers"] == [1, 3]
    assert [s["set"] for s in summary["lost_sets"]] == [2]

    store = SessionStore(tmp_path / "data")
    pid = store.add_patient()
    store.start_session(SessionMeta(patient_id=pid, session_id="S-LOST", recording_path=str(path)))
    analyse_into_store(store, "S-LOST", path)
    stored = store.load_session("S-LOST")
    assert [s.set_index for s in stored.sets] == [1, 3]
