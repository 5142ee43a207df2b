"""``sourced eval``: argument parsing, one-line errors with exit code 2, a full run with fakes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from assistant.types import Answer, Citation
from evaluation import cli

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "eval"


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sourced")
    cli.add_eval_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["eval", *argv])


def test_parser_arguments() -> None:
    args = parse("g.jsonl", "--corpus", "a", "b", "--report", "out", "--generator", "extractive",
                 "--limit", "5", "--baseline", "llamaindex", "--data-dir", "cache", "--no-judge")
    assert (args.gold, args.corpus, args.report, args.generator) == (
        "g.jsonl", ["a", "b"], "out", "extractive")
    assert (args.limit, args.baseline, args.data_dir, args.no_judge) == (
        5, "llamaindex", "cache", True)
    assert args.func is cli.run_eval_command
    with pytest.raises(SystemExit):
        parse("g.jsonl", "--corpus", "a", "--generator", "gpt9")


def test_bad_gold_file_is_one_line_on_stderr_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.run_eval_command(parse(str(FIXTURES / "bad-gold.jsonl"), "--corpus", str(tmp_path),
                                      "--report", str(tmp_path / "r")))
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "bad-gold.jsonl:3: answers:" in err
    code = cli.run_eval_command(parse(str(tmp_path / "missing.jsonl"), "--corpus", str(tmp_path)))
    assert code == 2 and "file not found" in capsys.readouterr().err


class FakeSession:
    def ask(self, question: str) -> Answer:
        return Answer(text="Khawaja Asif [1].", refused=False,
                      citations=(Citation(1, "art", "T", "s", 0, 50, 0.9),))


class FakeAssistant:
    llm = None
    opened_with: Any = None

    @classmethod
    def open(cls, data_dir: Any, settings: Any = None) -> FakeAssistant:
        cls.opened_with = settings
        return cls()

    def chat(self) -> FakeSession:
        return FakeSession()


def test_full_run_with_fakes_prints_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import assistant

    seen: dict[str, Any] = {}

    def fake_prepare(paths: Any, base_dir: Any, settings: Any) -> Path:
        seen.update(paths=paths, base_dir=base_dir, generator=settings.generator)
        return tmp_path / "data"

    monkeypatch.setattr(cli, "prepare_corpus", fake_prepare)
    monkeypatch.setattr(assistant, "Assistant", FakeAssistant)
    monkeypatch.setattr(cli, "load_llm_and_judge", lambda settings, want_judge, loaded: (None, None))
    monkeypatch.setenv("SOURCED_DATA_DIR", str(tmp_path / "user-data"))
    monkeypatch.delenv("SOURCED_LLM_MODEL_PATH", raising=False)
    report = tmp_path / "report"
    code = cli.run_eval_command(parse(str(FIXTURES / "tiny-gold.jsonl"), "--corpus",
                                      str(tmp_path), "--report", str(report), "--generator",
                                      "extractive", "--limit", "2", "--data-dir",
                                      str(tmp_path / "cache")))
    out = capsys.readouterr().out
    assert code == 0
    assert seen == {"paths": [str(tmp_path)], "base_dir": tmp_path / "cache",
                    "generator": "extractive"}
    assert "| metric | sourced |" in out and "| n | 2 |" in out
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in data["items"]] == ["t1", "t2"]
    assert "generator=extractive" in data["notes"]
    # the corpus is opened from the eval cache, the model still from the per-user models folder
    from assistant.settings import user_model_dir

    assert FakeAssistant.opened_with.model_path.parent == user_model_dir()


def test_the_assistants_local_llm_is_shared_with_baseline_and_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.llm import ScriptedLLM
    from assistant.settings import Settings

    monkeypatch.setattr("assistant.load_local_llm", lambda settings: pytest.fail("loaded twice"))
    mine = ScriptedLLM(default="yes")
    llm, judge = cli.load_llm_and_judge(Settings(generator="auto"), want_judge=True, loaded=mine)
    assert llm is mine and judge is not None
    llm, judge = cli.load_llm_and_judge(Settings(generator="auto"), want_judge=False, loaded=mine)
    assert (llm, judge) == (mine, None)
