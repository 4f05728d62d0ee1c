"""What `hiplevel analyze` accepts and says: .csv.gz, a repeated timestamp (once rejected the whole
real recording), a CSV it does not recognise (named expected header), a file that is neither."""

from __future__ import annotations

import gzip
import json

from input_synth import HEADER, csv_lines, walking, write_lines

from hiplevel.cli import main


def test_csv_gz_with_a_repeated_timestamp_is_analysed_with_a_warning(tmp_path, capsys) -> None:
    lines = csv_lines(walking().imu, tmp_path)
    lines[1001] = lines[1000].split(",", 1)[0] + "," + lines[1001].split(",", 1)[1]
    path = tmp_path / "real.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    out = tmp_path / "real.json"
    assert main(["analyze", str(path), "--exercise", "walking", "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: 1 sample repeating an earlier timestamp skipped (first at line 1002" in err
    doc = json.loads(out.read_text())
    assert len(doc["reps"]) >= 38 and doc["input"]["repairs"][0]["kind"] == "repeated"
    assert doc["input"]["repairs"][0]["first_line"] == 1002 and doc["input"]["damaged"] is False


def test_an_unrecognised_csv_names_the_expected_header(tmp_path, capsys) -> None:
    path = write_lines(["Time (s);Acc X;Acc Y;Acc Z", "0,0;0,0;0,0;1,0"], tmp_path / "phone.csv")
    assert main(["analyze", str(path), "--exercise", "walking"]) == 1
    err = capsys.readouterr().err
    assert "not an IMU CSV" in err and HEADER in err and "line 1" in err


def test_a_file_that_is_neither_says_both(tmp_path, capsys) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    assert main(["analyze", str(path)]) == 1
    err = capsys.readouterr().err
    assert "not a hiplevel recording" in err and "nor is it an IMU CSV" in err and HEADER in err
